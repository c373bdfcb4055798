"""`otklik models`: the models otklik knows and which one `otklik serve` starts on (in Russian).

    otklik models                  table: name, version, task, mode, quality, active mark
    otklik models activate NAME    remember NAME for the next `otklik serve`

Where models are found and how names are made distinct: models/catalog.py. The choice is kept
in $OTKLIK_HOME/active_model.json; a running server switches at once via
POST /v1/models/NAME/activate.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli_support import model_dir as checked_model_dir
from models.constants import TASK_NAMES_RU

MODES = {"heads": "головы", "finetune": "дообучение"}
SCORES = (("macro_f1", "macro-F1"), ("accuracy", "точность"), ("micro_f1", "micro-F1"))


def register(commands) -> None:
    """Add `models` to `otklik`'s subparsers (it sets `handler`)."""
    models = commands.add_parser("models", help="модели: список и выбор активной")
    actions = models.add_subparsers(dest="models_action", metavar="ДЕЙСТВИЕ")
    actions.add_parser("list", help="список моделей (по умолчанию)")
    activate = actions.add_parser(
        "activate", help="сделать модель активной (для следующего запуска otklik serve)"
    )
    activate.add_argument("name", metavar="ИМЯ", help="имя модели из списка otklik models")
    models.set_defaults(handler=run_models)


def run_models(args: argparse.Namespace) -> int:
    from models.registry import ModelRegistry

    registry = ModelRegistry()
    if getattr(args, "models_action", None) == "activate":
        return _activate(registry, args.name)
    registry.select(registry.chosen_entry())
    print(table(registry.list()))
    return 0


def _activate(registry, name: str) -> int:
    entry, path = registry.remember(name)
    print(f"Активная модель: {entry.name} {entry.version or ''} ({entry.path})")
    print(f"Выбор сохранён в {path}: otklik serve без --model запустится на этой модели.")
    print(
        "Уже запущенный сервер переключится при следующем запуске или сразу через API:"
        f" POST /v1/models/{entry.name}/activate"
    )
    return 0


def quality(item: dict) -> str:
    """The headline score of a model's task (of the topic head for a multi-head model)."""
    metrics = item.get("metrics") or {}
    block = metrics.get(item.get("task") or "topic") or next(iter(metrics.values()), None)
    if not block:
        return "—"
    return ", ".join(f"{title} {block[key]:.3f}" for key, title in SCORES if key in block)


def table(items: list[dict]) -> str:
    header = ("", "имя", "версия", "задача", "режим", "качество", "обучена")
    rows = [header]
    for item in items:
        task = item.get("task")
        rows.append((
            "*" if item["active"] else "",
            item["name"],
            item.get("version") or "—",
            TASK_NAMES_RU.get(task, task) if task else "все",
            MODES.get(item.get("mode"), item.get("mode")) or "—",
            "ошибка: " + item["error"] if item.get("error") else quality(item),
            str(item.get("trained_at") or "—")[:16].replace("T", " "),
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]  # fmt: skip
    lines.append("")
    lines.append("* — активная модель: на ней запускается otklik serve без --model.")
    lines.append("Модели ищутся среди встроенной, в $OTKLIK_HOME/models и в $OTKLIK_MODEL_DIRS.")
    return "\n".join(lines)


def start_registry(model_dir: Path | None):
    """The registry `otklik serve` runs on, its model loaded: `--model DIR`, else the choice
    remembered by `otklik models activate` (the built-in default if it is gone or broken)."""
    from models.registry import ModelRegistry

    registry = ModelRegistry()
    return registry, registry.start(None if model_dir is None else checked_model_dir(model_dir))
