"""What every `otklik` command shares: the one user-error type, the one way to load a model,
and the one place an error becomes a Russian line on stderr (`run`).

A command raises `UserError` for a problem the person can fix; errors the lower layers raise
for a person (a table that does not read, a bad period, a model that does not load, …) are
turned into the same kind of line by `russian_message`. Anything else is a bug: a traceback.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from models.constants import CONFIG_FILE

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """A problem a person can fix; the message is in Russian, printed without a traceback."""


def model_dir(given: Path | None) -> Path:
    """The model a command works on: `--model DIR`, else the model `otklik serve` starts on
    (chosen by `otklik models activate`, else the built-in one)."""
    if given is not None:
        if not (given / CONFIG_FILE).is_file():
            raise UserError(f"Каталог модели не найден или неполон: {given.resolve()}")
        return given.resolve()
    from models.registry import ModelRegistry

    return Path(ModelRegistry().chosen_entry().path).resolve()


def check_model(directory: Path) -> None:
    """Cheap checks of a model directory (files, heads, format version) before loading it."""
    from models.catalog import ModelDirError, check_files, read_entry

    try:
        check_files(read_entry(directory, "extra"))
    except ModelDirError as exc:
        raise UserError(f"Модель {directory} не загружается: {exc.message_ru}") from exc


def load_classifier(given: Path | None = None):
    """The classifier of `model_dir(given)`, checked and loaded once per process."""
    return _classifier_for(model_dir(given))


@functools.cache
def _classifier_for(directory: Path):
    from models.classifier import Classifier
    from models.registry import settle_memory

    check_model(directory)
    classifier = Classifier(directory)
    settle_memory()
    return classifier


def russian_message(exc: BaseException) -> str | None:
    """The line to print for an error meant for a person; None for anything else."""
    from sqlalchemy.exc import SQLAlchemyError

    from insights.metrics import MetricsError
    from insights.painmap import PainMapError
    from insights.painmap_render import RenderError
    from insights.periods import PeriodError
    from insights.report_render import ReportError
    from insights.store import StoreError
    from models.added_topics import AddedTopicError
    from models.registry import BrokenModelError, UnknownModelError
    from nlp.tables import TableError
    from training.labelled import TrainingError

    if isinstance(exc, PeriodError | PainMapError | MetricsError):
        return f"Ошибка: {exc.message_ru}"
    if isinstance(exc, UnknownModelError | BrokenModelError):
        return f"Ошибка: {exc.message_ru}"
    known = (UserError, TableError, TrainingError, StoreError, RenderError, ReportError,
             AddedTopicError)  # fmt: skip
    if isinstance(exc, known):
        return f"Ошибка: {exc}"
    if isinstance(exc, SQLAlchemyError):
        return f"Ошибка базы данных: {type(exc).__name__}: {exc.args[0] if exc.args else ''}"
    if isinstance(exc, OSError) and exc.filename:
        return f"Ошибка: не удалось прочитать или записать {exc.filename}: {exc.strerror or exc}"
    return None


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; a person's error → one Russian line on stderr and exit code 2."""
    try:
        return handler(args)
    except KeyboardInterrupt:
        note = getattr(args, "interrupted", None) or "Прервано."
        print(note, file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        message = russian_message(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return EXIT_USER_ERROR
