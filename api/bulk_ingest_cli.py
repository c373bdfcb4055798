"""`otklik ingest FILE|FOLDER --classified`: store pre-classified rows without the model."""

from __future__ import annotations

import argparse
import sys
import time

from api.cli_support import UserError


def run_bulk_ingest(args: argparse.Namespace, store) -> int:
    from insights.bulk_ingest import classified_files, ingest_classified, read_classified

    if args.map:
        raise UserError("--map не сочетается с --classified: назовите столбцы как в выводе"
                        " classify-archive (id, masked_text, topic, …)")  # fmt: skip
    files = classified_files(args.input)
    if not files:
        raise UserError(f"В {args.input} нет файлов Parquet, CSV или JSONL")
    started = time.perf_counter()
    stored = rejected = 0
    for path in files:
        result = ingest_classified(
            store, read_classified(path), source=args.source,
            model_name=args.model.name if args.model else "pre-classified",
            model_version=args.model_version or "external",
        )  # fmt: skip
        stored += result.stored
        rejected += len(result.rejected)
        for problem in result.rejected[:50]:
            fields = "; ".join(f"{p.field}: {p.message_ru}" for p in problem.problems)
            print(f"{path.name}, строка {problem.index}: {fields}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(
        f"Готово: сохранено {stored} классифицированных сообщений из {len(files)} файлов"
        f" ({stored / max(elapsed, 1e-9):.0f} в секунду), отклонено {rejected};"
        f" хранилище {store.describe()}."
    )
    if stored:
        print("Чтобы FAQ по этим сообщениям строился быстро, подготовьте признаки вопросов:"
              " otklik faq-prepare")  # fmt: skip
    return 0 if stored or not rejected else 1
