"""The models a service knows and the one it answers with; switching without a restart.

`ModelRegistry` lists model directories (see `models.catalog` for where it looks and how
names are made distinct) on every call, so a model written by `otklik train` into
``$OTKLIK_HOME/models/NAME`` shows up without a restart.

Activation loads the new model next to the old one (reusing the loaded encoder when both have
the same encoder settings), classifies one probe text with it, and only
then swaps the active model in one assignment: requests already running finish on the old
model, the following ones get the new one. At most the active model stays loaded (only its
encoder is kept); while a model with a different encoder loads, two encoders are in memory for
a moment. If loading or the probe fails, the active model stays as it was.

The choice is remembered in ``$OTKLIK_HOME/active_model.json``; `start()` (``otklik serve``
without ``--model``) starts on it, and on the built-in default, with a logged warning, when
that model is gone or broken.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import logging
import os
import tempfile
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from models.catalog import (
    ModelDirError,
    ModelEntry,
    check_files,
    discover,
    read_entry,
)
from models.constants import DEFAULT_MODEL_DIR
from models.settings import settings

if TYPE_CHECKING:  # loading torch and the nlp pipeline waits until a model is loaded
    from models.classifier import Classifier
    from models.encoders import Encoder

log = logging.getLogger("otklik.models")
ACTIVE_FILE = "active_model.json"
PROBE_TEXT = "Проверка: в подъезде не работает лифт, управляющая компания не отвечает."


class UnknownModelError(KeyError):
    """No model of that name; `known` lists the names there are."""

    def __init__(self, name: str, known: Iterable[str]):
        super().__init__(name)
        self.name = name
        self.known = list(known)

    def __str__(self) -> str:
        return f"unknown model {self.name!r}; known models: {', '.join(self.known) or 'none'}"

    @property
    def message_ru(self) -> str:
        known = ", ".join(self.known) or "нет"
        return f"модель «{self.name}» не найдена; известные модели: {known}"


class BrokenModelError(Exception):
    """A model directory that cannot be loaded or does not work; the active model is kept."""

    def __init__(self, name: str, path: Path, reason: str, active: str | None = None):
        super().__init__(reason)
        self.name = name
        self.path = path
        self.reason = reason
        self.active = active

    def __str__(self) -> str:
        kept = f"; the active model is still {self.active!r}" if self.active else ""
        return f"model {self.name!r} ({self.path}) cannot be used: {self.reason}{kept}"

    @property
    def message_ru(self) -> str:
        kept = f"; активной осталась «{self.active}»" if self.active else ""
        return f"модель «{self.name}» ({self.path}) не работает: {self.reason}{kept}"


@dataclass(frozen=True)
class Active:
    """The active model: its listed name, directory, and the classifier once it is loaded."""

    name: str
    path: Path
    version: str | None
    classifier: Classifier | None = None


def active_file() -> Path:
    return settings().home / ACTIVE_FILE


def read_choice() -> dict | None:
    """The remembered choice ``{"name", "path", "version", "chosen_at"}``, if readable."""
    path = active_file()
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return None
    return data if isinstance(data, dict) else None


def write_choice(entry: ModelEntry) -> Path:
    """Remember `entry` as the model to start on (written atomically)."""
    path = active_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "name": entry.name,
        "path": str(entry.path),
        "version": entry.version,
        "chosen_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    fd, staging = tempfile.mkstemp(prefix=".active_model-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return path


def settle_memory() -> None:
    """After a model is loaded or released: collect what was released, hand freed heap pages
    back to the system (glibc), and move every object still alive (the model, torch,
    transformers: half a million of them) out of the collector's sight. A full collection
    would otherwise walk them all, about 0.3 s each time, several times per report."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):
        pass


class ModelRegistry:
    """Known models, the active one, and atomic switching between them (thread-safe)."""

    def __init__(self, roots: Iterable[Path] = (), default_dir: Path = DEFAULT_MODEL_DIR):
        self.default_dir = Path(default_dir).resolve()
        self._roots = [Path(root) for root in roots]
        self._switch = threading.Lock()  # one load or activation at a time
        self._encoders: dict[tuple[str, bool, int], Encoder] = {}
        self._names: weakref.WeakKeyDictionary[Classifier, str] = weakref.WeakKeyDictionary()
        default = read_entry(self.default_dir, "builtin")
        self._active = Active(default.name, default.path, default.version)

    # ------------------------------------------------------------------ listing

    def entries(self) -> list[ModelEntry]:
        """Every model directory there is now (re-scanned on each call)."""
        return discover(self.default_dir, [*self._roots, self._active.path])

    def list(self) -> list[dict]:
        return self.overview()["models"]

    def overview(self) -> dict:
        """``{"active": name, "models": [...]}`` from one scan."""
        active = self._active
        models = []
        name = active.name
        for entry in self.entries():
            item = entry.to_dict()
            item["active"] = entry.path == active.path
            item["loaded"] = item["active"] and active.classifier is not None
            if item["active"]:
                name = entry.name
            models.append(item)
        return {"active": name, "models": models}

    def find(self, name: str) -> ModelEntry:
        entries = self.entries()
        for entry in entries:
            if entry.name == name:
                return entry
        raise UnknownModelError(name, [entry.name for entry in entries])

    def entry_for_path(self, path: Path) -> ModelEntry:
        """The entry of a model directory, which is listed from now on."""
        path = Path(path).expanduser().resolve()
        if not (path / "config.json").is_file():
            raise BrokenModelError(path.name, path, "no config.json: not a model directory")
        if path not in self._roots:
            self._roots.append(path)
        return next(entry for entry in self.entries() if entry.path == path)

    # ------------------------------------------------------------------ the active model

    @property
    def active(self) -> Active:
        return self._active

    def loaded(self) -> Classifier | None:
        """The active classifier if it is loaded (never loads)."""
        return self._active.classifier

    def name_of(self, classifier: Classifier) -> str:
        """The listed name of a classifier this registry activated (else its config name)."""
        return self._names.get(classifier, classifier.name)

    def current(self) -> Classifier:
        """The active classifier, loaded on first use."""
        classifier = self._active.classifier
        if classifier is not None:
            return classifier
        with self._switch:
            active = self._active
            if active.classifier is None:
                classifier = self._load(read_entry(active.path, "active"), probe=False)
                self._names[classifier] = active.name
                self._active = replace(active, classifier=classifier)
            return self._active.classifier

    def activate(self, name: str, *, persist: bool = True) -> Classifier:
        """Load model `name` and make it the active one; remember it unless `persist=False`."""
        return self._switch_to(self.find(name), persist)

    def activate_path(self, path: Path, *, persist: bool = False) -> Classifier:
        return self._switch_to(self.entry_for_path(path), persist)

    def adopt(self, classifier: Classifier) -> None:
        """Make an already loaded classifier the active one."""
        path = classifier.directory.resolve()
        if path != self.default_dir and path not in self._roots:
            self._roots.append(path)
        name = next((e.name for e in self.entries() if e.path == path), classifier.name)
        with self._switch:
            self._active = Active(name, path, classifier.version, classifier)
            self._names[classifier] = name
            key = read_entry(path, "extra").encoder_key()  # the directory it was loaded from
            self._encoders = {key: classifier.encoder}

    def select(self, entry: ModelEntry) -> None:
        """Point at `entry` without loading it (it loads on first use); releases the old one."""
        with self._switch:
            self._active = Active(entry.name, entry.path, entry.version)
            self._encoders.clear()
        settle_memory()

    def select_path(self, path: Path) -> None:
        path = Path(path).expanduser().resolve()
        if path != self.default_dir and path not in self._roots:
            self._roots.append(path)
        self.select(read_entry(path, "extra"))

    def start(self, model_dir: Path | None = None) -> Classifier:
        """Load the model to serve: `model_dir`, else the remembered choice, else the default.

        An explicit `model_dir` that fails raises; a remembered choice that is gone or broken
        only logs a warning and the built-in default is used.
        """
        if model_dir is not None:
            return self.activate_path(model_dir)
        choice = read_choice()
        if choice is not None:
            try:
                return self._switch_to(self.chosen_entry(choice), persist=False)
            except (UnknownModelError, BrokenModelError) as exc:
                log.warning(
                    "model chosen in %s is unavailable (%s); starting on the built-in default",
                    active_file(),
                    exc,
                )
        return self.activate_path(self.default_dir)

    def chosen_entry(self, choice: dict | None = None) -> ModelEntry:
        """The entry of the remembered choice (the default if there is none)."""
        choice = read_choice() if choice is None else choice
        if not choice:
            return self.entry_for_path(self.default_dir)
        path = choice.get("path")
        if path and (Path(path) / "config.json").is_file():
            return self.entry_for_path(Path(path))
        name = choice.get("name")
        if name:
            return self.find(str(name))
        raise UnknownModelError(str(path), [entry.name for entry in self.entries()])

    def remember(self, name: str) -> tuple[ModelEntry, Path]:
        """Check model `name`'s files and remember it for the next start (no loading)."""
        entry = self.find(name)
        try:
            check_files(entry)
        except ModelDirError as exc:
            raise BrokenModelError(entry.name, entry.path, str(exc)) from exc
        return entry, write_choice(entry)

    # ------------------------------------------------------------------ loading

    def _switch_to(self, entry: ModelEntry, persist: bool) -> Classifier:
        with self._switch:
            previous = self._active
            if entry.path == previous.path and previous.classifier is not None:
                classifier = previous.classifier
                self._active = replace(previous, name=entry.name, version=entry.version)
            else:
                classifier = self._load(entry, probe=True)
                self._active = Active(entry.name, entry.path, entry.version, classifier)
                key = entry.encoder_key()
                self._encoders = {key: self._encoders[key]} if key in self._encoders else {}
                log.info("active model: %s %s (%s)", entry.name, entry.version, entry.path)
            self._names[classifier] = entry.name
            if persist:
                try:
                    write_choice(entry)
                except OSError as exc:
                    log.warning("could not remember the active model in %s: %s", active_file(), exc)
        del previous
        settle_memory()
        return classifier

    def _load(self, entry: ModelEntry, probe: bool) -> Classifier:
        """Load (and with `probe`, try) a model; BrokenModelError if it does not work."""
        try:
            check_files(entry)  # before importing torch: a broken directory is refused fast
            from models.classifier import Classifier

            key = entry.encoder_key()
            classifier = Classifier(entry.path, encoder=self._encoders.get(key))
            if probe:
                classifier.classify([PROBE_TEXT])
        except Exception as exc:  # wrong shapes, missing tensors, a foreign encoder...
            reason = str(exc) if isinstance(exc, ModelDirError) else f"{type(exc).__name__}: {exc}"
            kept = self._active.name if self._active.classifier is not None else None
            raise BrokenModelError(entry.name, entry.path, reason, kept) from exc
        self._encoders.setdefault(key, classifier.encoder)
        return classifier
