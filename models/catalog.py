"""Model directories on disk: where they are, what their files say, whether they look whole.

Everything here only reads small files (config.json, metrics.json, the README's first lines,
safetensors headers); nothing loads an encoder. `models.registry` builds on it.

Where models are found, in this order:

1. the built-in default (`models/default`);
2. every subdirectory with a config.json of ``$OTKLIK_HOME/models`` (sorted by name; hidden
   directories, such as the staging directories of `otklik train`, are skipped);
3. the paths in ``$OTKLIK_MODEL_DIRS`` (``os.pathsep``-separated);
4. paths given by the caller (``otklik serve --model DIR``, ``create_app(model_dir=...)``).

A path in 3 and 4 is either a model directory (it has config.json) or a directory of model
directories. A directory reached twice is listed once.

Names: a model is named by ``config.json["name"]``. When a name is already taken by a model
found earlier, the later one is listed as ``name@dirname`` (``name@dirname~2``, ... if that is
taken too), so every listed name is distinct and the earlier model keeps its plain name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from models.constants import (
    CONFIG_FILE,
    DELTA_FILE,
    HEADS_FILE,
    HEADS_WEIGHTS_FILE,
    METRICS_FILE,
    MODEL_FORMAT_VERSION,
    REQUIRED_FILES,
)
from models.constants import TASKS as REQUIRED_HEADS
from models.settings import settings

SCORE_KEYS = ("accuracy", "macro_f1", "weighted_f1", "micro_f1")
DESCRIPTION_CHARS = 240


def config_precision(config: dict) -> str:
    """The ``precision`` of a model's config.json (older configs said ``quantize``)."""
    if "precision" in config:
        return str(config["precision"])
    return "auto" if config.get("quantize", True) else "fp32"



class ModelDirError(Exception):
    """A model directory that cannot work; the message says why (in English)."""

    @property
    def message_ru(self) -> str:
        return str(self)


class ModelFormatError(ModelDirError):
    """A model directory written in a format this code does not read."""

    def __init__(self, path: Path, found: object) -> None:
        self.path = path
        self.found = found
        super().__init__(
            f"{path}: model directory format {found!r}; this otklik reads format "
            f"{MODEL_FORMAT_VERSION} (config.json \"format_version\")"
        )

    @property
    def message_ru(self) -> str:
        newer = isinstance(self.found, int) and self.found > MODEL_FORMAT_VERSION
        advice = (
            "модель записана более новой версией otklik: обновите otklik"
            if newer
            else "пересоберите модель этой версией otklik (otklik train)"
        )
        return (
            f"каталог модели {self.path} в формате {self.found!r}, а эта версия otklik читает "
            f"формат {MODEL_FORMAT_VERSION}; {advice}"
        )


def check_format(config: dict, path: Path) -> None:
    """Raise ModelFormatError unless config.json's "format_version" is the one read here.

    A directory without the field predates it and has format 1's layout: it is accepted.
    """
    found = config.get("format_version", 1)
    if isinstance(found, bool) or found != MODEL_FORMAT_VERSION:
        raise ModelFormatError(path, found)


@dataclass(frozen=True)
class ModelEntry:
    """One discovered model directory and what its small files say."""

    name: str
    path: Path
    source: str  # builtin | home | env | extra
    config: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    error: str | None = None  # config.json unreadable

    @property
    def version(self) -> str | None:
        value = self.config.get("version")
        return None if value is None else str(value)

    def encoder_key(self) -> tuple[str, str, int, int]:
        """Models with equal keys can share one loaded encoder."""
        return (
            str(self.config.get("encoder", "e5-small")),
            config_precision(self.config),
            int(self.config.get("max_length", 256)),
            int(self.config.get("max_chunks", 1)),
        )

    def to_dict(self) -> dict:
        task = self.config.get("task") or self.metrics.get("task")
        out = {
            "name": self.name,
            "version": self.version,
            "path": str(self.path),
            "source": self.source,
            "encoder": self.config.get("encoder"),
            "task": task,
            "mode": self.config.get("mode") or self.metrics.get("mode"),
            "trained_at": self.config.get("trained_at") or self.metrics.get("trained_at"),
            "base": self.config.get("base"),
            "metrics": metrics_summary(self.metrics, task),
            "description": description(self.path, self.config),
        }
        if self.error:
            out["error"] = self.error
        return out


def _read_json(path: Path) -> dict:
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return data


def read_entry(path: Path, source: str) -> ModelEntry:
    """The entry of one directory (named by its config; the caller makes names distinct)."""
    error = None
    config: dict = {}
    try:
        config = _read_json(path / CONFIG_FILE)
        if not config.get("name") or not config.get("version"):
            error = "config.json has no name or version"
    except (OSError, ValueError) as exc:
        error = f"config.json unreadable: {exc}"
    metrics: dict = {}
    try:
        if (path / METRICS_FILE).is_file():
            metrics = _read_json(path / METRICS_FILE)
    except (OSError, ValueError):
        metrics = {}
    name = str(config.get("name") or path.name)
    return ModelEntry(name, path, source, config, metrics, error)


def _model_dirs_under(root: Path) -> Iterator[Path]:
    """``root`` itself if it is a model directory, else its model subdirectories."""
    if (root / CONFIG_FILE).is_file():
        yield root
        return
    if not root.is_dir():
        return
    for child in sorted(root.iterdir()):
        if not child.name.startswith(".") and (child / CONFIG_FILE).is_file():
            yield child


def env_roots() -> list[Path]:
    return list(settings().model_dirs)


def candidate_dirs(default_dir: Path, extra: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    yield default_dir, "builtin"
    for path in _model_dirs_under(settings().models_dir):
        yield path, "home"
    for root in env_roots():
        for path in _model_dirs_under(root):
            yield path, "env"
    for root in extra:
        for path in _model_dirs_under(Path(root)):
            yield path, "extra"


def discover(default_dir: Path, extra: Iterable[Path] = ()) -> list[ModelEntry]:
    """Every model directory, in discovery order, with distinct names (see the module doc)."""
    seen: set[Path] = set()
    taken: set[str] = set()
    entries = []
    for path, source in candidate_dirs(default_dir, extra):
        path = path.resolve()
        if path in seen:
            continue
        seen.add(path)
        entry = read_entry(path, source)
        name = entry.name
        if name in taken:
            name = f"{entry.name}@{path.name}"
            number = 2
            while name in taken:
                name, number = f"{entry.name}@{path.name}~{number}", number + 1
            entry = ModelEntry(name, path, source, entry.config, entry.metrics, entry.error)
        taken.add(name)
        entries.append(entry)
    return entries


def metrics_summary(metrics: dict, task: str | None = None) -> dict | None:
    """Headline scores per task/head: ``{"topic": {"accuracy": .., "macro_f1": ..}, ...}``.

    Reads ``metrics["evaluation"]`` (a model trained by `otklik train`) or the cross-validation
    block of each head in ``metrics["heads"]`` (the built-in model); ``None`` when neither has
    scores.
    """
    evaluation = metrics.get("evaluation")
    if isinstance(evaluation, dict):
        scores = _scores(evaluation)
        if scores and "method" in evaluation:
            scores["method"] = evaluation["method"]
        return {str(task or "model"): scores} if scores else None
    heads = metrics.get("heads")
    if not isinstance(heads, dict):
        return None
    summary = {}
    for head, block in heads.items():
        if not isinstance(block, dict):
            continue
        for key, part in block.items():
            scores = _scores(part) if isinstance(part, dict) else {}
            if scores:
                summary[head] = {**scores, "method": key}
                break
    return summary or None


def _scores(block: dict) -> dict:
    return {k: block[k] for k in SCORE_KEYS if isinstance(block.get(k), int | float)}


def description(path: Path, config: dict) -> str | None:
    """``config["description"]``, else the first paragraph of the model card (README.md)."""
    if config.get("description"):
        return str(config["description"])
    try:
        with (path / "README.md").open(encoding="utf-8") as card:
            lines = [card.readline() for _ in range(40)]
    except OSError:
        return None
    paragraph: list[str] = []
    for line in lines:
        line = line.strip()
        if line.startswith(("#", "|", "<!--")) or not line:
            if paragraph:
                break
            continue
        paragraph.append(line)
    text = " ".join(paragraph)
    if len(text) > DESCRIPTION_CHARS:
        text = text[: DESCRIPTION_CHARS - 1].rstrip() + "…"
    return text or None


def check_files(entry: ModelEntry) -> None:
    """Cheap checks before loading: files present, heads complete and consistent.

    Raises ModelDirError. Wrong dimensions against the encoder itself show up only when the
    model is loaded and tried (see `models.registry`).
    """
    if entry.error:
        raise ModelDirError(entry.error)
    path = entry.path
    check_format(entry.config, path)
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise ModelDirError(f"missing files: {', '.join(missing)}")
    try:
        meta = _read_json(path / HEADS_FILE)
    except (OSError, ValueError) as exc:
        raise ModelDirError(f"heads.json unreadable: {exc}") from exc
    absent = [head for head in REQUIRED_HEADS if head not in meta]
    if absent:
        raise ModelDirError(f"heads missing: {', '.join(absent)}")
    branches = {"base", "tuned", "base+tuned"} if (path / DELTA_FILE).is_file() else {"base"}
    needed = {str(info.get("input", "base")) for info in meta.values()} - branches
    if needed:
        raise ModelDirError(f"heads need encoder branch {sorted(needed)} ({DELTA_FILE} absent)")
    shapes = _tensor_shapes(path / HEADS_WEIGHTS_FILE)
    lexicons: set[str] = set()
    for head, info in meta.items():
        labels = len(info.get("labels", []))
        dense = shapes.get(f"{head}.dense_weight")
        bias = shapes.get(f"{head}.bias")
        if dense is None or bias is None:
            raise ModelDirError(f"head {head!r}: weights missing in heads.safetensors")
        if len(dense) != 2 or dense[0] != labels or bias != [labels]:
            raise ModelDirError(
                f"head {head!r}: {labels} labels but weights of shape {dense} and bias {bias}"
            )
        if f"{head}.sparse_weight" in shapes:
            lexicons.update(info.get("lexical", ["tfidf"]))
    absent = sorted(f"{stem}.json" for stem in lexicons if not (path / f"{stem}.json").is_file())
    if absent:
        raise ModelDirError(f"heads use TF-IDF features but {', '.join(absent)} missing")


def _tensor_shapes(path: Path) -> dict[str, list[int]]:
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as tensors:
            return {key: list(tensors.get_slice(key).get_shape()) for key in tensors.keys()}
    except Exception as exc:  # a truncated or foreign file
        raise ModelDirError(f"heads.safetensors unreadable: {exc}") from exc
