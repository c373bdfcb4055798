"""Linear classification heads over encoder embeddings (and optional TF-IDF features).

A softmax head gives one label per text; a sigmoid head gives any number of labels.
Probabilities are calibrated by a temperature fitted on out-of-fold predictions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy import sparse

HeadKind = Literal["softmax", "sigmoid"]
HEADS_FILE = "heads.safetensors"
HEADS_META = "heads.json"


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


@dataclass
class LinearHead:
    name: str
    labels: list[str]
    kind: HeadKind
    dense_weight: np.ndarray
    bias: np.ndarray
    sparse_weight: np.ndarray | None = None
    dense_scale: float = 1.0
    temperature: float = 1.0
    thresholds: np.ndarray | None = None
    metrics: dict = field(default_factory=dict)
    input: str = "base"  # or "tuned" / "base+tuned": the fine-tuned branch (models/branch.py)
    lexical: tuple[str, ...] = ("tfidf",)  # TF-IDF feature files (stems), side by side

    @property
    def uses_sparse(self) -> bool:
        return self.sparse_weight is not None

    def logits(self, dense: np.ndarray, lexical: sparse.spmatrix | None = None) -> np.ndarray:
        out = (dense * self.dense_scale) @ self.dense_weight.T + self.bias
        if self.sparse_weight is not None:
            if lexical is None:
                raise ValueError(f"head {self.name!r} needs TF-IDF features")
            out = out + np.asarray(lexical @ self.sparse_weight.T)
        return out

    def predict_proba(
        self, dense: np.ndarray, lexical: sparse.spmatrix | None = None
    ) -> np.ndarray:
        scaled = self.logits(dense, lexical) / self.temperature
        return softmax(scaled) if self.kind == "softmax" else sigmoid(scaled)

    def decision_thresholds(self) -> np.ndarray:
        if self.thresholds is not None:
            return self.thresholds
        return np.full(len(self.labels), 0.5, dtype=np.float32)


def save_heads(directory: Path, heads: dict[str, LinearHead]) -> None:
    tensors: dict[str, np.ndarray] = {}
    meta: dict[str, dict] = {}
    for name, head in heads.items():
        tensors[f"{name}.dense_weight"] = head.dense_weight.astype(np.float32)
        tensors[f"{name}.bias"] = head.bias.astype(np.float32)
        if head.sparse_weight is not None:
            tensors[f"{name}.sparse_weight"] = head.sparse_weight.astype(np.float32)
        if head.thresholds is not None:
            tensors[f"{name}.thresholds"] = head.thresholds.astype(np.float32)
        meta[name] = {
            "labels": head.labels,
            "kind": head.kind,
            "dense_scale": head.dense_scale,
            "temperature": head.temperature,
            "metrics": head.metrics,
            "input": head.input,
            "lexical": list(head.lexical),
        }
    save_file(tensors, str(directory / HEADS_FILE))
    (directory / HEADS_META).write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def load_heads(directory: Path) -> dict[str, LinearHead]:
    tensors = load_file(str(directory / HEADS_FILE))
    meta = json.loads((directory / HEADS_META).read_text("utf-8"))
    heads = {}
    for name, info in meta.items():
        heads[name] = LinearHead(
            name=name,
            labels=list(info["labels"]),
            kind=info["kind"],
            dense_weight=tensors[f"{name}.dense_weight"],
            bias=tensors[f"{name}.bias"],
            sparse_weight=tensors.get(f"{name}.sparse_weight"),
            dense_scale=float(info.get("dense_scale", 1.0)),
            temperature=float(info.get("temperature", 1.0)),
            thresholds=tensors.get(f"{name}.thresholds"),
            metrics=info.get("metrics", {}),
            input=info.get("input", "base"),
            lexical=tuple(info.get("lexical", ("tfidf",))),
        )
    return heads
