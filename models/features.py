"""Sparse lexical features that complement the encoder: character n-gram TF-IDF.

Stored as JSON (vocabulary, parameters) and safetensors (idf), never pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_PARAMS: dict = {
    "analyzer": "char_wb",
    "ngram_range": [2, 5],
    "min_df": 2,
    "max_features": 60000,
    "sublinear_tf": True,
    "lowercase": True,
}


class CharTfidf:
    def __init__(self, params: dict | None = None) -> None:
        self.params = dict(DEFAULT_PARAMS if params is None else params)
        self._vectorizer = self._make_vectorizer()

    def _make_vectorizer(self) -> TfidfVectorizer:
        kwargs = dict(self.params)
        kwargs["ngram_range"] = tuple(kwargs["ngram_range"])
        return TfidfVectorizer(dtype=np.float32, **kwargs)

    @property
    def dim(self) -> int:
        return len(self._vectorizer.vocabulary_)

    def fit(self, texts: Sequence[str]) -> CharTfidf:
        self._vectorizer.fit(list(texts))
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self._vectorizer.transform(list(texts)).astype(np.float32)

    def save(self, directory: Path, stem: str = "tfidf") -> None:
        vocabulary = {term: int(index) for term, index in self._vectorizer.vocabulary_.items()}
        meta = {"params": self.params, "vocabulary": vocabulary}
        (directory / f"{stem}.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        save_file(
            {"idf": self._vectorizer.idf_.astype(np.float32)},
            str(directory / f"{stem}.safetensors"),
        )

    @classmethod
    def load(cls, directory: Path, stem: str = "tfidf") -> CharTfidf:
        meta = json.loads((directory / f"{stem}.json").read_text("utf-8"))
        features = cls(meta["params"])
        features._vectorizer.vocabulary_ = meta["vocabulary"]
        features._vectorizer.idf_ = load_file(str(directory / f"{stem}.safetensors"))["idf"]
        return features
