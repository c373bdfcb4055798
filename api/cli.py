"""Command line: `otklik prepare | serve | classify`. Messages are in Russian."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from api.archive_cli import register as register_archive
from api.cli_support import UserError, load_classifier, run
from api.insights_cli import register as register_insights
from api.keys_cli import register as register_keys
from api.models_cli import register as register_models
from api.predictions import prediction_columns
from api.suggest_cli import register as register_suggest
from api.topics_cli import register as register_topics
from api.training_cli import register as register_training
from nlp.tables import RowWriter, file_format, read_rows, require_column

BATCH_SIZE = 64


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="otklik", description="otklik: анализ обращений граждан")
    commands = parser.add_subparsers(dest="command", required=True, metavar="КОМАНДА")

    prepare = commands.add_parser("prepare", help="подготовить кэш кодировщика и проверить модель")
    prepare.add_argument("--model", type=Path, default=None, help="каталог модели")

    serve = commands.add_parser("serve", help="запустить HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--model", type=Path, default=None, help="каталог модели")
    serve.add_argument("--no-auth", action="store_true",
                       help="без ключей: все запросы с правами admin (только для 127.0.0.1)")

    classify = commands.add_parser("classify", help="классифицировать файл CSV, XLSX или JSONL")
    classify.add_argument("input", type=Path, help="входной файл")
    classify.add_argument("-o", "--output", type=Path, default=None, help="выходной файл")
    classify.add_argument("--text-col", default="text", help="столбец с текстом (text)")
    classify.add_argument("--model", type=Path, default=None, help="каталог модели")

    register_insights(commands)  # ingest, reclassify, painmap, report, demo (api/insights_cli.py)
    register_topics(commands)  # topics add | list | remove (api/topics_cli.py)
    register_models(commands)  # models, models activate (api/models_cli.py)
    register_training(commands)  # train, evaluate (api/training_cli.py)
    register_suggest(commands)  # suggest: what to label next (api/suggest_cli.py)
    register_keys(commands)  # keys create | list | revoke (api/keys_cli.py)
    register_archive(commands)  # classify-archive: Ray Data over an archive (api/archive_cli.py)

    faq = commands.add_parser("faq", help="кандидаты в FAQ: группы похожих вопросов из файла")
    faq.add_argument("input", type=Path, help="вопросы: JSONL, CSV или XLSX (id, text, region)")
    faq.add_argument("--kb", type=Path, default=None,
                     help="база FAQ (JSONL, CSV, XLSX: faq_id, faq_question и, если есть,"
                          " faq_answer: ответ уточняет сопоставление)")  # fmt: skip
    faq.add_argument("--previous", type=Path, default=None, help="вопросы прошлого периода")
    faq.add_argument("-o", "--output", type=Path, required=True, help="выходной OUT.json")
    faq.add_argument("--text-col", default="text", help="столбец с текстом (text)")
    faq.add_argument("--top", type=int, default=10, help="сколько групп в топе (10)")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    handlers = {
        "prepare": run_prepare,
        "serve": run_serve,
        "classify": run_classify,
        "faq": run_faq,
    }
    return run(handlers.get(args.command, getattr(args, "handler", None)), args)


def run_prepare(args: argparse.Namespace) -> int:
    from models.e5_convert import ensure_e5_small

    path = ensure_e5_small()
    print(f"Кодировщик готов: {path}")
    classifier = load_classifier(args.model)
    result = classifier.classify(["Проверка: в подъезде не работает лифт."])[0]
    print(f"Модель {classifier.name} {classifier.version} загружена; проба: {result.topic.name}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.memory import limit_malloc_arenas
    from api.models_cli import start_registry
    from api.observability import json_logging
    from models.settings import settings

    if args.no_auth and not is_loopback(args.host):
        raise UserError(
            f"--no-auth только для локального адреса (127.0.0.1, ::1, localhost), не {args.host}"
        )
    limit_malloc_arenas()
    registry, classifier = start_registry(args.model)  # --model, else `otklik models activate`
    app = create_app(registry=registry, no_auth=args.no_auth)
    model = f"{registry.active.name} {classifier.version}"
    print(f"API: http://{args.host}:{args.port}/docs (модель {model})", flush=True)
    if args.no_auth:
        banner = "!" * 78
        print(f"{banner}\n!! ВНИМАНИЕ: --no-auth — ключи не проверяются, любой процесс этой машины"
              f"\n!! получает все права (admin). Только для одного пользователя на ноутбуке."
              f"\n{banner}", file=sys.stderr, flush=True)
        logging.getLogger("otklik.api.auth").warning("AUTHENTICATION DISABLED (--no-auth)")
    else:
        _hint_without_keys()
    json_logging()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,  # the JSON lines of api/observability.py
        timeout_graceful_shutdown=int(settings().request_deadline_s),  # accepted work finishes
    )
    return 0


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hint_without_keys() -> None:
    from insights.keys import list_keys
    from insights.store import StoreError, open_store

    try:
        active = [k for k in list_keys(open_store()) if k.revoked_at is None]
    except StoreError:
        return
    if not active:
        print("Ключей доступа нет: все запросы, кроме /v1/health, получат 401. Создайте ключ:"
              " otklik keys create --name ИМЯ --role admin", file=sys.stderr, flush=True)


def run_faq(args: argparse.Namespace) -> int:
    from insights.faq import faq_file

    for path in (args.input, args.kb, args.previous):
        if path is not None and not path.exists():
            raise UserError(f"Файл не найден: {path}")
    if args.output.suffix.lower() != ".json":
        raise UserError("Результат FAQ записывается в JSON: укажите -o OUT.json")
    result = faq_file(
        args.input, args.kb, args.previous, args.output, text_col=args.text_col, top=args.top
    )
    for skipped in result.get("skipped", []):
        print(f"строка {skipped.get('row')}: {skipped.get('error')}; пропущена", file=sys.stderr)
    clusters = result["clusters"]
    campaigns = sum(1 for c in clusters if c.get("campaign"))
    print(
        f"Готово: {sum(c['count'] for c in clusters)} вопросов в {len(clusters)} группах,"
        f" рост более 30 %: {campaigns}; результат в {args.output}"
    )
    return 0


def run_classify(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    output = args.output or args.input.with_name(args.input.stem + ".otklik" + args.input.suffix)
    if output.resolve() == args.input.resolve():
        raise UserError("Выходной файл совпадает с входным: укажите другой через -o")
    file_format(output)
    rows = list(read_rows(args.input))
    require_column(rows, args.text_col)
    classifier = load_classifier(args.model)
    writer = RowWriter(output)
    problems: list[str] = []
    written = 0
    pending: list[tuple[int, dict, str]] = []

    def flush() -> None:
        nonlocal written
        if not pending:
            return
        try:
            results = classifier.classify([text for _, _, text in pending])
        except Exception:  # isolate the row that broke the batch
            results = []
            for number, _, text in pending:
                try:
                    results.extend(classifier.classify([text]))
                except Exception as exc:
                    problems.append(f"строка {number}: ошибка классификации ({exc})")
                    results.append(None)
        for (_, row, _), result in zip(pending, results, strict=True):
            if result is not None:
                writer.write({**row, **prediction_columns(result)})
                written += 1
        pending.clear()

    with tqdm(total=len(rows), desc="Классификация", unit="стр") as progress:
        for number, row, error in rows:
            progress.update(1)
            if row is None:
                problems.append(f"строка {number}: {error}; пропущена")
                continue
            value = row.get(args.text_col)
            text = "" if value is None else str(value)
            if not text.strip():
                problems.append(f"строка {number}: пустой текст; пропущена")
                continue
            pending.append((number, row, text))
            if len(pending) >= BATCH_SIZE:
                flush()
        flush()
    writer.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"Готово: {written} строк записано в {output}; пропущено {len(problems)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
