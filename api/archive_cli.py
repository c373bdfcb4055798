"""`otklik classify-archive INPUT -o OUTPUT [--address ray://…|local] [--workers N]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.cli_support import UserError, model_dir


def register(commands) -> None:
    archive = commands.add_parser(
        "classify-archive",
        help="классифицировать архив (Parquet, CSV, JSONL; файл или каталог частей) на Ray",
    )
    archive.add_argument("input", type=Path, help="файл или каталог частей")
    archive.add_argument("-o", "--output", type=Path, required=True,
                         help="каталог результата: части Parquet и rejects.jsonl")  # fmt: skip
    archive.add_argument("--address", default="local",
                         help="local (Ray на этой машине) или адрес кластера: ray://ГОЛОВА:10001,"
                              " auto")  # fmt: skip
    archive.add_argument("--workers", type=int, default=None,
                         help="сколько копий модели (акторов); по умолчанию — по числу ядер")
    archive.add_argument("--text-col", default="text", help="столбец с текстом (text)")
    archive.add_argument("--part-rows", type=int, default=2000,
                         help="строк в одной части результата (2000)")  # fmt: skip
    archive.add_argument("--model", type=Path, default=None, help="каталог модели")
    archive.set_defaults(handler=run_classify_archive)


def run_classify_archive(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers должно быть не меньше 1")
    if args.part_rows < 1:
        raise UserError("--part-rows должно быть не меньше 1")
    try:
        import pyarrow  # noqa: F401
        import ray  # noqa: F401
    except ImportError as exc:
        raise UserError(
            f"Для classify-archive нужен Ray: pip install -e '.[scale]' ({exc.name})"
        ) from exc
    from api.archive import ArchiveError, classify_archive

    directory = model_dir(args.model)
    try:
        result = classify_archive(
            args.input, args.output, directory, address=args.address, workers=args.workers,
            text_col=args.text_col, part_rows=args.part_rows,
            on_part=lambda part: print(f"часть {part.name} готова", file=sys.stderr, flush=True),
        )  # fmt: skip
    except ArchiveError as exc:
        raise UserError(str(exc)) from exc
    print(
        f"Готово: {result.rows} строк в {result.parts} частях в {args.output}"
        f" (пропущено готовых частей: {result.skipped_parts}, акторов: {result.workers});"
        f" отклонено строк: {result.rejected} — {args.output / 'rejects.jsonl'}"
    )
    return 0
