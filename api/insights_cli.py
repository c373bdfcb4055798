"""Commands over the message store: ingest, reclassify, painmap, report, demo (in Russian).

    otklik ingest FILE [--map column=field ...] [--source NAME]
    otklik reclassify [--all]
    otklik painmap [--from DATE] [--to DATE] [--group-by ROW,COL] [--region R] -o FILE
    otklik report [--from DATE] [--to DATE] [--region R] -o FILE.html|FILE.xlsx
    otklik demo

Every command takes --db URL (else OTKLIK_DATABASE_URL, else a SQLite file in OTKLIK_HOME).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from api.cli_support import UserError, load_classifier, model_dir
from models.constants import DEMO_FILE

INGEST_BATCH = 256
STORE_INTERRUPTED = "Прервано. Сохранённые до этого пакеты остаются в хранилище."


def _common(parser: argparse.ArgumentParser, model: bool = True) -> None:
    parser.add_argument("--db", default=None, metavar="URL",
                        help="адрес базы (иначе OTKLIK_DATABASE_URL или файл SQLite)")
    if model:
        parser.add_argument("--model", type=Path, default=None, help="каталог модели")


def _period_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", default=None, metavar="ДАТА",
                        help="первый день периода, ГГГГ-ММ-ДД (по умолчанию — 91 день до --to)")
    parser.add_argument("--to", dest="end", default=None, metavar="ДАТА",
                        help="последний день периода (по умолчанию — дата последнего сообщения)")
    parser.add_argument("--region", default=None, help="регион: код (RU-03) или название")


def register(commands) -> None:
    """Add the store commands to `otklik`'s subparsers (each sets `handler`)."""
    ingest = commands.add_parser("ingest", help="загрузить обращения из CSV, XLSX или JSONL")
    ingest.add_argument("input", type=Path, help="входной файл")
    ingest.add_argument("--map", action="append", default=[], metavar="СТОЛБЕЦ=ПОЛЕ",
                        help="сопоставить столбец файла полю сообщения (можно несколько раз)")
    ingest.add_argument("--source", default="default",
                        help="источник (система-отправитель); id уникальны внутри источника")
    ingest.add_argument("--classified", action="store_true",
                        help="строки уже классифицированы (например, части classify-archive):"
                             " модель не запускается, хранится только masked_text")  # fmt: skip
    ingest.add_argument("--model-version", default=None,
                        help="с --classified: версия модели, которой размечены строки")
    _common(ingest)
    ingest.set_defaults(handler=run_ingest, interrupted=STORE_INTERRUPTED)

    reclassify = commands.add_parser(
        "reclassify", help="переклассифицировать сохранённые сообщения активной моделью"
    )
    reclassify.add_argument("--all", action="store_true",
                            help="все сообщения, а не только размеченные другой моделью")
    _common(reclassify)
    reclassify.set_defaults(handler=run_reclassify, interrupted=STORE_INTERRUPTED)

    painmap = commands.add_parser("painmap", help="карта болей: .xlsx, .html, .png или .json")
    _period_args(painmap)
    painmap.add_argument("--group-by", default=None, metavar="СТРОКА,СТОЛБЕЦ",
                         help="service|topic|organization|region и channel|touchpoint|kind|none")
    painmap.add_argument("-o", "--output", type=Path, required=True, help="выходной файл")
    _common(painmap)
    painmap.set_defaults(handler=run_painmap, interrupted=STORE_INTERRUPTED)

    report = commands.add_parser("report", help="периодическая справка: .html или .xlsx")
    _period_args(report)
    report.add_argument("-o", "--output", type=Path, required=True, help="выходной файл")
    report.add_argument("--kb", type=Path, default=None,
                        help="база знаний FAQ (faq_id, faq_question, необязательно faq_answer)")
    report.add_argument("--no-faq", action="store_true",
                        help="без группировки вопросов (не загружать модель)")
    _common(report)
    report.set_defaults(handler=run_report, interrupted=STORE_INTERRUPTED)

    prepare = commands.add_parser(
        "faq-prepare",
        help="подготовить признаки вопросов для FAQ (после ingest --classified; без периода —"
             " все вопросы хранилища, у которых их нет)",
    )  # fmt: skip
    prepare.add_argument("--from", dest="start", default=None, metavar="ДАТА",
                         help="только вопросы с этого дня, ГГГГ-ММ-ДД")
    prepare.add_argument("--to", dest="end", default=None, metavar="ДАТА",
                         help="только вопросы по этот день включительно")
    prepare.add_argument("--months", action="store_true",
                         help="ещё сгруппировать вопросы каждого календарного месяца периода и"
                              " сохранить группировки: месячные справки и FAQ за эти месяцы"
                              " прочтут их готовыми (база знаний — OTKLIK_FAQ_KB)")
    _common(prepare)
    prepare.set_defaults(handler=run_faq_prepare, interrupted=STORE_INTERRUPTED)

    demo = commands.add_parser("demo", help="загрузить демонстрационный набор в хранилище")
    demo.add_argument("--file", type=Path, default=DEMO_FILE, help=argparse.SUPPRESS)
    _common(demo)
    demo.set_defaults(handler=run_demo, interrupted=STORE_INTERRUPTED)


def _store(args: argparse.Namespace):
    from insights.store import open_store

    return open_store(args.db)


def _classifier(args: argparse.Namespace):
    return load_classifier(getattr(args, "model", None))


# ---------------------------------------------------------------- ingest


def column_mapping(columns: list[str], pairs: list[str]) -> dict[str, str]:
    """File column → message field: --map pairs first, then same-named and known Russian
    column names («Текст обращения», «Канал», …)."""
    from insights.fields import COLUMN_ALIASES, FIELDS

    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise UserError(f"--map «{pair}»: ожидается СТОЛБЕЦ=ПОЛЕ, например --map Текст=text")
        if target not in FIELDS:
            raise UserError(
                f"--map «{pair}»: неизвестное поле «{target}»; поля: {', '.join(FIELDS)}"
            )
        if column not in columns:
            raise UserError(
                f"--map «{pair}»: в файле нет столбца «{column}»; есть: {', '.join(columns)}"
            )
        mapping[column] = target
    taken = set(mapping.values())
    for column in columns:
        if column in mapping:
            continue
        key = column.strip().lower()
        target = key if key in FIELDS else COLUMN_ALIASES.get(key)
        if target and target not in taken:
            mapping[column] = target
            taken.add(target)
    return mapping


def _print_problems(problems: list[str], limit: int = 50) -> None:
    for line in problems[:limit]:
        print(line, file=sys.stderr)
    if len(problems) > limit:
        print(f"… и ещё {len(problems) - limit} строк с ошибками", file=sys.stderr)


def ingest_file(args: argparse.Namespace, path: Path, source: str, pairs: list[str]) -> dict:
    from tqdm import tqdm

    from insights.ingest import IngestResult, ingest_batch
    from nlp.tables import read_rows

    rows = list(read_rows(path))
    columns: list[str] = []
    for _, row, _ in rows:
        if row is not None:
            columns.extend(str(c) for c in row if str(c) not in columns)
    mapping = column_mapping(columns, pairs)
    if rows and "text" not in mapping.values():
        raise UserError(
            f"Не найден столбец с текстом; есть: {', '.join(columns) or 'нет'}. "
            "Укажите его: --map ИМЯ_СТОЛБЦА=text"
        )
    ignored = [c for c in columns if c not in mapping]
    if ignored:
        print(f"Не загружаются столбцы: {', '.join(ignored)}", file=sys.stderr)
    store = _store(args)
    classifier = _classifier(args)
    total = IngestResult(model_version=classifier.version)
    problems: list[str] = []
    batch: list[dict] = []
    numbers: list[int] = []
    cache: dict[str, dict] = {}  # identical texts across the file are classified once

    def flush(progress) -> None:
        if not batch:
            return
        result = ingest_batch(
            store, classifier, batch, source=source, positions=numbers,
            progress=progress.update, cache=cache,
        )  # fmt: skip
        total.merge(result)
        for rejected in result.rejected:
            for p in rejected.problems:
                problems.append(f"строка {rejected.index}, поле {p.field}: {p.message_ru}")
        batch.clear()
        numbers.clear()

    with tqdm(total=len(rows), desc="Загрузка", unit="стр") as progress:
        for number, row, error in rows:
            if row is None:
                problems.append(f"строка {number}: {error}")
                progress.update(1)
                continue
            batch.append({field: row.get(column) for column, field in mapping.items()})
            numbers.append(number)
            if len(batch) >= INGEST_BATCH:
                flush(progress)
        flush(progress)
    _print_problems(problems)
    counts = total.to_dict()
    print(
        f"Готово: новых {counts['created']}, обновлено {counts['updated']}, без изменений "
        f"{counts['unchanged']}, повторов в файле {counts['duplicates_in_batch']}, "
        f"отклонено {len(problems)}. Модель {classifier.version}; хранилище {store.describe()}."
    )
    return counts


def run_ingest(args: argparse.Namespace) -> int:
    if args.classified:  # pre-classified rows, bulk path (api/bulk_ingest_cli.py)
        from api.bulk_ingest_cli import run_bulk_ingest

        return run_bulk_ingest(args, _store(args))
    counts = ingest_file(args, args.input, args.source, args.map)
    return 0 if counts["stored"] or not counts["rejected"] else 1


def run_reclassify(args: argparse.Namespace) -> int:
    from sqlalchemy import func, or_, select
    from tqdm import tqdm

    from insights.ingest import reclassify
    from insights.store import Message

    store = _store(args)
    classifier = _classifier(args)
    query = select(func.count()).select_from(Message)
    if not args.all:
        query = query.where(
            or_(Message.model_version != classifier.version, Message.model_name != classifier.name)
        )
    with store.engine.connect() as conn:
        stale = conn.scalar(query)
    if not stale:
        print(f"Все сообщения уже размечены моделью {classifier.name} {classifier.version}.")
        return 0
    with tqdm(total=stale, desc="Переклассификация", unit="сообщ") as progress:
        done = reclassify(store, classifier, everything=args.all, progress=progress.update)
    print(f"Готово: переклассифицировано {done} сообщений моделью {classifier.version}.")
    # questions that became questions, or whose features another encoder made: ready now,
    # not at the first FAQ
    prepared = _prepare_features(store, classifier.encoder)
    if prepared:
        print(f"Подготовлены признаки {prepared} вопросов для FAQ.")
    return 0


# ---------------------------------------------------------------- painmap, report


def run_painmap(args: argparse.Namespace) -> int:
    from insights.filters import period_for
    from insights.labels import names_for
    from insights.painmap import build_painmap, parse_group_by
    from insights.painmap_render import FORMATS, write_painmap

    if args.output.suffix.lower() not in FORMATS:
        raise UserError(
            f"Неподдерживаемый формат «{args.output.name}»: ожидается .xlsx, .html, .png или .json"
        )
    dims = parse_group_by(args.group_by)
    store = _store(args)
    period = period_for(store, args.start, args.end, args.region)
    names = names_for(model_dir(args.model))  # the topic names GET /v1/painmap gives
    pm = build_painmap(store, period, group_by=dims, region=args.region, names=names)
    write_painmap(pm, args.output)
    ranked = [c for c in pm.cells if c.rank is not None]
    print(
        f"Карта болей за {period.label()}: сообщений {pm.total}, негативных {pm.negative}, "
        f"болей в рейтинге {len(ranked)} → {args.output}"
    )
    if pm.total == 0:
        print("За период в хранилище нет сообщений (загрузите их: otklik ingest или otklik demo).")
    return 0


def _prepare_features(store, encoder, where=None) -> int:
    """FAQ features of the questions that lack them, with a progress bar; how many."""
    from tqdm import tqdm

    from insights.faq_features import prepare

    with tqdm(desc="Признаки вопросов", unit="вопр") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return prepare(store, encoder, where, progress=progress)


def run_faq_prepare(args: argparse.Namespace) -> int:
    from sqlalchemy import and_, true

    from insights.periods import PeriodError, make_period, parse_bound
    from insights.store import Message

    clauses = [true()]
    try:
        if args.start:
            clauses.append(Message.received_at >= parse_bound(args.start, "from"))
        if args.end:  # the whole last day, as everywhere
            clauses.append(Message.received_at < make_period(args.end, args.end).end)
    except PeriodError as exc:
        raise UserError(exc.message_ru) from exc
    where = and_(*clauses)
    store = _store(args)
    encoder = _classifier(args).encoder
    done = _prepare_features(store, encoder, where)
    print(f"Готово: подготовлены признаки {done} вопросов; FAQ читает их из хранилища.")
    if args.months:
        _group_months(store, encoder, where)
    return 0


def _group_months(store, encoder, where) -> None:
    """Group the questions of every calendar month `where` spans and keep the groupings."""
    from sqlalchemy import func, select

    from insights.faq_features import is_question, prepare
    from insights.faq_store import build_faq, load_kb
    from insights.filters import period_clause
    from insights.periods import Period, calendar_months
    from insights.store import Message

    with store.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(Message.received_at), func.max(Message.received_at))
            .where(where, is_question())
        ).one()  # fmt: skip
    if first is None:
        print("Вопросов в периоде нет: группировать нечего.")
        return
    try:
        kb = load_kb()
    except (OSError, ValueError) as exc:
        raise UserError(f"Не удалось прочитать базу знаний (OTKLIK_FAQ_KB): {exc}") from exc
    for month in calendar_months(first, last):
        # the previous period of equal length too: a grouping computed while features are
        # missing is not kept
        prepare(store, encoder, period_clause(Period(month.previous().start, month.end)))
        faq = build_faq(store, encoder, month, kb=kb)
        latest = (f" (последние из {faq['questions_total']})"
                  if faq["questions_total"] > faq["questions"] else "")  # fmt: skip
        print(f"Группировка за {month.label()}: {faq['questions']} вопросов{latest},"
              f" {len(faq['clusters'])} групп — сохранена.")  # fmt: skip


def run_report(args: argparse.Namespace) -> int:
    from insights.faq_store import load_kb
    from insights.filters import period_for
    from insights.labels import names_for
    from insights.report import build_report
    from insights.report_render import FORMATS, write_report

    if args.output.suffix.lower() not in FORMATS:
        raise UserError(f"Неподдерживаемый формат «{args.output.name}»: ожидается .html или .xlsx")
    if args.kb is not None and not args.kb.exists():
        raise UserError(f"Файл базы знаний не найден: {args.kb}")
    store = _store(args)
    period = period_for(store, args.start, args.end, args.region)
    encoder, names = None, names_for(model_dir(args.model))
    if not args.no_faq:
        classifier = _classifier(args)
        encoder, names = classifier.encoder, names_for(classifier.taxonomy)
    try:
        kb = load_kb(args.kb) if not args.no_faq else None
    except (OSError, ValueError) as exc:
        raise UserError(f"Не удалось прочитать базу знаний {args.kb}: {exc}") from exc
    report = build_report(store, period, encoder=encoder, region=args.region, names=names, kb=kb)
    write_report(report, args.output)
    print(f"Справка за {period.label()} ({report.current['total']} сообщений) → {args.output}")
    if report.faq_error:
        print(f"Примечание: {report.faq_error}.", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- demo
PRESS_STREAM = "press_stream.jsonl"


def date_stream(jsonl: str, now: datetime) -> str:
    """press_stream.jsonl with each `minutes_ago` turned into received_at = published_at."""
    out = []
    for line in jsonl.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        moment = now - timedelta(minutes=int(row.pop("minutes_ago")))
        row["received_at"] = row["published_at"] = moment.isoformat(timespec="seconds")
        out.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(out) + "\n"


def run_demo(args: argparse.Namespace) -> int:
    if not args.file.exists():
        raise UserError(
            f"Демонстрационный набор не найден: {args.file}. Создайте его: "
            "python datasets/demo/make_demo.py"
        )
    from insights.fields import utcnow

    counts = ingest_file(args, args.file, "demo", [])
    stream = args.file.with_name(PRESS_STREAM)
    press = None
    if stream.exists():
        with tempfile.TemporaryDirectory() as tmp:
            dated = Path(tmp) / PRESS_STREAM
            dated.write_text(date_stream(stream.read_text("utf-8"), utcnow()), "utf-8")
            press = ingest_file(args, dated, "demo-press", [])
    print(
        "Демонстрационные данные загружены: два квартала 2026 года (апрель–июнь и июль–сентябрь)."
        f" В хранилище из набора: {counts['stored']}."
    )
    if press is not None:
        print(
            f"Поток для пресс-службы: {press['stored']} публикаций, комментариев и отзывов с "
            "датами от текущего момента (очередь, сроки ответа, всплеск). Повторный запуск "
            "не обновляет даты уже загруженных сообщений."
        )
    print(
        "Дальше:\n"
        "  otklik serve, затем страница http://127.0.0.1:8000/\n"
        "  otklik painmap --from 2026-07-01 --to 2026-09-30 -o painmap.html\n"
        "  otklik report --from 2026-07-01 --to 2026-09-30 -o report.html\n"
        "  API: GET /v1/painmap, /v1/metrics, /v1/faq?from=2026-07-01&to=2026-09-30"
    )
    return 0
