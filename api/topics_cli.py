"""`otklik topics`: topics added to a model without retraining (messages in Russian).

    otklik topics add --name N --description D --examples FILE [--id ID] [--text-col text]
    otklik topics list
    otklik topics remove ID

FILE: .txt with one example per line, or CSV/XLSX/JSONL with a text column. Every command
takes --model DIR (else the model `otklik serve` starts on). A running server picks a change up
on its next classification.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api.cli_support import UserError, load_classifier, model_dir
from models.constants import CONFIG_FILE, TAXONOMY_FILE
from nlp.tables import read_rows, require_column


def register(commands) -> None:
    """Add `topics` to `otklik`'s subparsers (it sets `handler`)."""
    topics = commands.add_parser("topics", help="темы, добавленные без переобучения модели")
    actions = topics.add_subparsers(dest="topics_action", metavar="ДЕЙСТВИЕ")
    add = actions.add_parser("add", help="добавить тему по названию, описанию и примерам")
    add.add_argument("--name", required=True, help="название темы")
    add.add_argument("--description", default="", help="что относится к теме")
    add.add_argument("--examples", type=Path, required=True, metavar="ФАЙЛ",
                     help="примеры: .txt (по одному в строке), CSV, XLSX или JSONL")  # fmt: skip
    add.add_argument("--id", default=None, help="идентификатор (по умолчанию из названия)")
    add.add_argument("--text-col", default="text", help="столбец с текстом (text)")
    listing = actions.add_parser("list", help="список добавленных тем (по умолчанию)")
    remove = actions.add_parser("remove", help="удалить добавленную тему")
    remove.add_argument("id", metavar="ID", help="идентификатор темы")
    for parser in (topics, add, listing, remove):
        parser.add_argument("--model", type=Path, default=argparse.SUPPRESS, help="каталог модели")
    topics.set_defaults(handler=run_topics, model=None)


def run_topics(args: argparse.Namespace) -> int:
    action = getattr(args, "topics_action", None) or "list"
    directory = model_dir(args.model)  # --model, else the model `otklik serve` starts on
    if action == "add":
        return _add(args, directory)
    if action == "remove":
        _light_store(directory).remove(args.id)
        print(f"Тема «{args.id}» удалена.")
        return 0
    return _list(directory)


def _light_store(directory: Path):
    """The added topics of a model without loading its encoder (to list or remove)."""
    from models.added_topics import AddedTopics
    from models.taxonomy import Taxonomy

    config = json.loads((directory / CONFIG_FILE).read_text("utf-8"))
    taxonomy = Taxonomy.load(directory / TAXONOMY_FILE)
    name = str(config.get("name") or directory.name)
    return AddedTopics(name, taxonomy, None, encoder_id=str(config.get("encoder", "e5-small")))


def read_examples(path: Path, text_col: str = "text") -> list[str]:
    if path.suffix.lower() == ".txt":
        if not path.exists():
            raise UserError(f"Файл не найден: {path}")
        return [line.strip() for line in path.read_text("utf-8-sig").splitlines() if line.strip()]
    rows = list(read_rows(path))
    require_column(rows, text_col)
    values = (row.get(text_col) for _, row, _ in rows if row is not None)
    return [str(value) for value in values if value is not None and str(value).strip()]


def _add(args: argparse.Namespace, directory: Path) -> int:
    examples = read_examples(args.examples, args.text_col)
    _light_store(directory).check_new(args.name, args.description, len(examples), args.id)
    print(f"Загрузка модели {directory.name}…", file=sys.stderr)
    classifier = load_classifier(directory)  # a model that does not load: nothing changes
    topic, warnings = classifier.added_topics.add(
        args.name, args.description, examples, topic_id=args.id
    )
    print(
        f"Тема «{topic.name}» ({topic.id}) добавлена к модели {classifier.name}: "
        f"примеров {len(topic.examples)}, порог {topic.scorer.threshold:.3f}."
    )
    for warning in warnings:
        print(f"Внимание: {warning}", file=sys.stderr)
    print("Запущенный сервис начнёт находить её со следующей классификации.")
    return 0


def _list(directory: Path) -> int:
    store = _light_store(directory)
    topics = store.current()
    if not topics:
        print(f"У модели {store.model_name} нет добавленных тем.")
        return 0
    print(f"Добавленные темы модели {store.model_name} ({store.path}):")
    for topic in topics:
        print(f"  {topic.id}\t{topic.name}\tпримеров: {len(topic.examples)}\t"
              f"добавлена: {topic.created_at}")  # fmt: skip
    return 0
