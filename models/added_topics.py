"""Topics an analyst adds to a running model without retraining (name, description, examples).

Stored per model in ``<topics dir>/<model name>.json`` (``$OTKLIK_TOPICS_DIR``, else
``otklik_home()/"topics"``), written atomically under a file lock; examples are stored with
personal data masked (152-ФЗ). Each topic keeps its calibrated linear scorer
(models.topic_scorer: threshold, scale, bias, and the weights as base64 little-endian float32),
so loading needs no encoder; a file changed by another process (the CLI, another worker) is
picked up on the next classification by an mtime check. A topic the model later learns itself
(same id in its taxonomy after training) is left to the model's head.

At classification time a text whose base embedding passes a topic's threshold gets that topic
first in ``topics`` and as ``topic``; the head's topics follow with scores scaled by
``1 - score`` of the added topic. Texts that pass nothing are left unchanged.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from models.settings import settings
from models.taxonomy import Taxonomy
from models.topic_negatives import NEGATIVE_APPEALS
from models.topic_scorer import LinearScorer, calibrate

log = logging.getLogger("otklik.topics")

MIN_EXAMPLES = 3
RECOMMENDED_EXAMPLES = 5
MAX_EXAMPLES = 200
MAX_NAME_CHARS = 100
MAX_DESCRIPTION_CHARS = 1000
MAX_EXAMPLE_CHARS = 5000
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))  # fmt: skip

Embed = Callable[[list[str]], np.ndarray]


class AddedTopicError(ValueError):
    """A request about added topics that cannot be done; the message is for a person (Russian).
    `kind`: "invalid" (bad input), "conflict" (the id is taken), "not_found", or "broken"
    (the stored file cannot be read)."""

    def __init__(self, message: str, kind: str = "invalid") -> None:
        super().__init__(message)
        self.kind = kind


def topics_dir() -> Path:
    return settings().topics_dir


def slugify(name: str) -> str:
    """«Бродячие собаки» → "brodyachie_sobaki"."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in name.lower())
    slug = re.sub(r"[^a-z0-9]+", "_", latin).strip("_")[:64].strip("_")
    return slug or "topic_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class AddedTopic:
    id: str
    name: str
    description: str
    examples: tuple[str, ...]  # cleaned, personal data masked
    created_at: str
    encoder: str
    scorer: LinearScorer
    calibration: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "examples_count": len(self.examples),
            "examples": list(self.examples),
            "threshold": round(self.scorer.threshold, 4),
            "created_at": self.created_at,
            "added": True,
            "calibration": self.calibration,
        }

    def to_json(self) -> dict:
        return {
            **{k: v for k, v in self.summary().items() if k not in ("examples_count", "added")},
            "encoder": self.encoder,
            "threshold": self.scorer.threshold,
            "scale": self.scorer.scale,
            "bias": self.scorer.bias,
            "weights_f32": base64.b64encode(self.scorer.weights.astype("<f4").tobytes()).decode(),
        }

    @classmethod
    def from_json(cls, data: dict) -> AddedTopic:
        scorer = LinearScorer(
            weights=np.frombuffer(base64.b64decode(data["weights_f32"]), dtype="<f4").copy(),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            scale=float(data["scale"]),
        )
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            description=str(data.get("description", "")),
            examples=tuple(map(str, data["examples"])),
            created_at=str(data.get("created_at", "")),
            encoder=str(data.get("encoder", "")),
            scorer=scorer,
            calibration=dict(data.get("calibration", {})),
        )


@dataclass(frozen=True)
class _Snapshot:
    topics: tuple[AddedTopic, ...] = ()
    signature: tuple | None = None
    weights: np.ndarray | None = None  # (m, dim)
    bias: np.ndarray | None = None
    threshold: np.ndarray | None = None

    @classmethod
    def build(cls, topics: Sequence[AddedTopic], signature: tuple | None) -> _Snapshot:
        if not topics:
            return cls((), signature)
        return cls(
            topics=tuple(topics),
            signature=signature,
            weights=np.stack([t.scorer.weights for t in topics]),
            bias=np.array([t.scorer.bias for t in topics], dtype=np.float32),
            threshold=np.array([t.scorer.threshold for t in topics], dtype=np.float32),
        )


def prepare_examples(examples: Iterable[str]) -> list[str]:
    """Cleaned, personal data masked, blank and repeated lines dropped (order kept)."""
    from nlp.clean import clean_text
    from nlp.pii import mask_pii

    out: list[str] = []
    for raw in examples:
        if not isinstance(raw, str):
            raise AddedTopicError("Каждый пример должен быть строкой текста.")
        text = clean_text(raw)
        if not text.strip():
            continue
        if len(text) > MAX_EXAMPLE_CHARS:
            raise AddedTopicError(
                f"Пример длиннее {MAX_EXAMPLE_CHARS} символов: сократите его до сути обращения."
            )
        masked = mask_pii(text).masked_text
        if masked not in out:
            out.append(masked)
    return out


def _check_count(count: int) -> None:
    if count < MIN_EXAMPLES:
        raise AddedTopicError(
            f"Нужно не меньше {MIN_EXAMPLES} разных непустых примеров (рекомендуется "
            f"{RECOMMENDED_EXAMPLES}), получено {count}."
        )


class AddedTopics:
    """The added topics of one model: durable store, calibration, and the classification hook."""

    def __init__(
        self,
        model_name: str,
        taxonomy: Taxonomy,
        embed: Embed | None,
        encoder_id: str,
        reserved_ids: Iterable[str] = (),
    ) -> None:
        self.model_name = model_name
        self.taxonomy = taxonomy
        self.embed = embed
        self.encoder_id = encoder_id
        self.reserved_ids = {label.id for label in taxonomy.topics} | set(reserved_ids)
        self._snapshot = _Snapshot()
        self._lock = threading.Lock()
        self._background: np.ndarray | None = None

    # ------------------------------------------------------------------ storage
    @property
    def path(self) -> Path:
        safe = re.sub(r"[^\w.-]", "_", self.model_name) or "model"
        return topics_dir() / f"{safe}.json"

    def _signature(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (str(self.path), st.st_mtime_ns, st.st_size, st.st_ino)

    def _read(self) -> list[AddedTopic]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            topics = [AddedTopic.from_json(item) for item in data.get("topics", [])]
        except FileNotFoundError:
            return []
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AddedTopicError(
                f"Файл добавленных тем {self.path} повреждён ({type(exc).__name__}: {exc}); "
                "исправьте или удалите его.",
                kind="broken",
            ) from exc
        return [self._usable(topic) for topic in topics]

    def _write(self, topics: Sequence[AddedTopic]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"model": self.model_name, "topics": [t.to_json() for t in topics]}
        fd, tmp = tempfile.mkstemp(prefix=".topics-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(body, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)  # the rename itself survives a power cut
            finally:
                os.close(directory)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def current(self) -> tuple[AddedTopic, ...]:
        return self._current().topics

    def _current(self) -> _Snapshot:
        signature = self._signature()
        snapshot = self._snapshot
        if signature == snapshot.signature:
            return snapshot
        with self._lock:
            if self._snapshot.signature != signature:
                try:
                    topics = self._read()
                except (OSError, AddedTopicError) as exc:
                    log.error("added topics file %s unreadable, keeping the last: %s",
                              self.path, exc)  # fmt: skip
                    return self._snapshot
                self._snapshot = _Snapshot.build(self._active(topics), signature)
                log.info("added topics loaded: model=%s count=%d", self.model_name, len(topics))
            return self._snapshot

    # ------------------------------------------------------------------ changes
    def check_new(
        self, name: str, description: str, examples_count: int, topic_id: str | None = None
    ) -> str:
        """The checks that need no encoder (name, description, count, id); returns the id."""
        name, description = (name or "").strip(), (description or "").strip()
        if not name:
            raise AddedTopicError("Укажите название темы.")
        if len(name) > MAX_NAME_CHARS:
            raise AddedTopicError(f"Название темы длиннее {MAX_NAME_CHARS} символов.")
        if len(description) > MAX_DESCRIPTION_CHARS:
            raise AddedTopicError(f"Описание темы длиннее {MAX_DESCRIPTION_CHARS} символов.")
        if examples_count > MAX_EXAMPLES:
            raise AddedTopicError(f"Примеров больше {MAX_EXAMPLES}: для стольких обучите модель.")
        _check_count(examples_count)
        topic_id = (topic_id or "").strip() or slugify(name)
        if not ID_PATTERN.match(topic_id):
            raise AddedTopicError(
                f"Идентификатор темы «{topic_id}» недопустим: строчные латинские буквы, цифры, "
                "«_» и «-», до 64 символов."
            )
        self._check_free(topic_id, self.current())
        return topic_id

    def add(
        self, name: str, description: str, examples: Sequence[str], topic_id: str | None = None
    ) -> tuple[AddedTopic, list[str]]:
        """Validate, calibrate and store a topic; returns it with warnings for the analyst."""
        topic_id = self.check_new(name, description, len(examples), topic_id)
        name, description = name.strip(), (description or "").strip()
        prepared = prepare_examples(examples)
        _check_count(len(prepared))
        if self.embed is None:
            raise RuntimeError("this AddedTopics was opened without an encoder")

        from nlp.clean import clean_text

        vectors = self.embed([*prepared, clean_text(f"{name}. {description}".strip(". "))])
        scorer, stats = calibrate(vectors[:-1], vectors[-1:], self.background())
        topic = AddedTopic(
            id=topic_id,
            name=name,
            description=description,
            examples=tuple(prepared),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            encoder=self.encoder_id,
            scorer=scorer,
            calibration=stats.to_dict(),
        )
        with self._lock, self._file_lock():
            stored = self._read()
            self._check_free(topic_id, stored)
            stored.append(topic)
            self._write(stored)
            self._snapshot = _Snapshot.build(self._active(stored), self._signature())
        log.info("added topic: model=%s id=%s examples=%d threshold=%.3f",
                 self.model_name, topic_id, len(prepared), scorer.threshold)  # fmt: skip
        return topic, self._warnings(topic, stats.examples_passed)

    def remove(self, topic_id: str) -> None:
        with self._lock, self._file_lock():
            stored = self._read()
            kept = [t for t in stored if t.id != topic_id]
            if len(kept) == len(stored):
                raise AddedTopicError(f"Добавленной темы «{topic_id}» нет.", kind="not_found")
            self._write(kept)
            self._snapshot = _Snapshot.build(self._active(kept), self._signature())
        log.info("removed added topic: model=%s id=%s", self.model_name, topic_id)

    def _active(self, topics: Sequence[AddedTopic]) -> list[AddedTopic]:
        """Topics the model now predicts itself (trained in since) are left to its head."""
        known = [t.id for t in topics if t.id in self.reserved_ids]
        if known:
            log.info("added topics now in the model itself, not applied: %s", ", ".join(known))
        return [t for t in topics if t.id not in self.reserved_ids]

    def _check_free(self, topic_id: str, topics: Iterable[AddedTopic]) -> None:
        if topic_id in self.reserved_ids:
            raise AddedTopicError(
                f"Идентификатор «{topic_id}» уже занят темой модели: укажите другой.",
                kind="conflict",
            )
        if any(t.id == topic_id for t in topics):
            raise AddedTopicError(
                f"Тема «{topic_id}» уже добавлена: удалите её или укажите другой идентификатор.",
                kind="conflict",
            )

    @staticmethod
    def _warnings(topic: AddedTopic, passed: int) -> list[str]:
        out = []
        if len(topic.examples) < RECOMMENDED_EXAMPLES:
            out.append(f"Примеров меньше {RECOMMENDED_EXAMPLES}: тема будет находиться реже.")
        if passed * 2 < len(topic.examples):
            out.append(
                "Примеры мало отличаются от обычных обращений или друг от друга: тема будет "
                "находиться редко. Добавьте примеры, характерные именно для неё."
            )
        return out

    # ------------------------------------------------------------------ calibration data
    def background_texts(self) -> list[str]:
        rows = list(NEGATIVE_APPEALS)
        for label in self.taxonomy.topics:
            rows.append(f"{label.name}. {label.description}".strip(". "))
            if label.keywords:
                rows.append(", ".join(label.keywords))
            rows.extend(label.examples)
        return rows

    def background(self) -> np.ndarray:
        """Embeddings of background_texts(); cached in memory and in a safetensors file under
        otklik_home()/cache (keyed by the encoder and the texts)."""
        if self._background is not None:
            return self._background
        from safetensors.numpy import load_file, save_file

        texts = self.background_texts()
        digest = hashlib.sha256("\n".join([self.encoder_id, *texts]).encode("utf-8"))
        path = settings().cache_dir / f"topic-background-{digest.hexdigest()[:16]}.safetensors"
        vectors = None
        if path.exists():
            try:
                vectors = load_file(str(path))["background"]
            except Exception as exc:  # a damaged cache is rebuilt
                log.warning("background cache %s unreadable: %s", path, exc)
        if vectors is None or len(vectors) != len(texts):
            vectors = self.embed(texts)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".background-", dir=path.parent)
            os.close(fd)
            save_file({"background": np.ascontiguousarray(vectors, dtype=np.float32)}, tmp)
            os.replace(tmp, path)
        self._background = vectors
        return vectors

    def _usable(self, topic: AddedTopic) -> AddedTopic:
        """A topic calibrated with another encoder is recalibrated in memory (when this store
        has an encoder; a store opened only to list or remove topics leaves it as it is)."""
        if topic.encoder == self.encoder_id or self.embed is None:
            return topic
        log.warning("added topic %s was calibrated with %s, recalibrating for %s",
                    topic.id, topic.encoder, self.encoder_id)  # fmt: skip
        from nlp.clean import clean_text

        prototype = clean_text(f"{topic.name}. {topic.description}".strip(". "))
        vectors = self.embed([*topic.examples, prototype])
        scorer, stats = calibrate(vectors[:-1], vectors[-1:], self.background())
        return replace(topic, scorer=scorer, encoder=self.encoder_id, calibration=stats.to_dict())

    # ------------------------------------------------------------------ classification
    def apply(self, records: Sequence, base: np.ndarray, top_k: int) -> None:
        """Put passing added topics first in each record's `topic`/`topics` (in place)."""
        snapshot = self._current()
        if not snapshot.topics or not len(records):
            return
        decision = base @ snapshot.weights.T + snapshot.bias
        passed = decision > snapshot.threshold
        for i in np.flatnonzero(passed.any(axis=1)):
            record = records[i]
            hits = sorted(
                (
                    (float(topic.scorer.score(decision[i, j])), topic)
                    for j, topic in enumerate(snapshot.topics)
                    if passed[i, j]
                ),
                key=lambda hit: -hit[0],
            )
            added = [replace(record.topic, id=t.id, name=t.name, score=s) for s, t in hits]
            rest = 1.0 - hits[0][0]
            head = [replace(s, score=s.score * rest) for s in record.topics]
            record.topics = (added + head)[: max(top_k, 1)]
            record.topic = added[0]
            record.warnings = [w for w in record.warnings if w != "topic:uncertain"]

    def extend_taxonomy(self, data: dict) -> dict:
        """A taxonomy dict (Taxonomy.to_dict()) with the added topics after the model's own."""
        added = [
            {"id": t.id, "name": t.name, "description": t.description, "added": True}
            for t in self.current()
        ]
        return {**data, "topics": [*data.get("topics", []), *added]}
