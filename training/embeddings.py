"""Encoder embeddings with an on-disk cache, so rebuilding a model does not re-encode."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.encoders import Encoder
from models.paths import otklik_home


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def embed_cached(encoder: Encoder, texts: Sequence[str], tag: str) -> np.ndarray:
    cache_dir = Path(otklik_home()) / "embedding-cache" / tag
    cache_dir.mkdir(parents=True, exist_ok=True)
    keys_path, vectors_path = cache_dir / "keys.txt", cache_dir / "vectors.npy"
    known: dict[str, int] = {}
    vectors = np.zeros((0, encoder.dim), dtype=np.float32)
    if keys_path.exists() and vectors_path.exists():
        keys = keys_path.read_text().split()
        vectors = np.load(vectors_path)
        if len(keys) == len(vectors):
            known = {k: i for i, k in enumerate(keys)}
        else:
            vectors = np.zeros((0, encoder.dim), dtype=np.float32)
    wanted = [_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(wanted, texts, strict=True) if k not in known}.items())
    if missing:
        new = encoder.encode([t for _, t in missing], show_progress=True)
        start = len(vectors)
        vectors = np.vstack([vectors, new]).astype(np.float32)
        for offset, (k, _) in enumerate(missing):
            known[k] = start + offset
        ordered = sorted(known, key=known.get)
        np.save(vectors_path, vectors)
        keys_path.write_text("\n".join(ordered))
    return vectors[[known[k] for k in wanted]]
