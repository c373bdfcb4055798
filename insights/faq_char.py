"""The FAQ's character block: word-bounded character 2-4-grams, hashed, weighted by TF-IDF.

The same weighting as scikit-learn's ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4),
sublinear_tf=True)`` fitted on the period's questions, but split in two so that the slow part
(cutting a text into n-grams, in Python) is done once per question and can be stored: `counts`
gives each text's n-gram counts in 2**22 hashed columns; `CharTfidf` fits the IDF on a
period's rows and weights any rows with it (n-grams the fitted rows never had weigh nothing, as
words outside a fitted vocabulary). Hash collisions among the ~10**5 n-grams of a period touch
a few per cent of them, each shared by two rare n-grams.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

N_FEATURES = 2**22


def counts(texts: Sequence[str]) -> sp.csr_matrix:
    """n-gram counts of each text, one row per text."""
    from sklearn.feature_extraction.text import HashingVectorizer

    if not texts:
        return sp.csr_matrix((0, N_FEATURES), dtype=np.float32)
    vectorizer = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), n_features=N_FEATURES, alternate_sign=False,
        norm=None, dtype=np.float32,
    )  # fmt: skip
    rows = vectorizer.transform(list(texts))
    rows.sum_duplicates()  # one entry per (text, column), sorted
    return rows


def to_bytes(row: sp.csr_matrix) -> bytes:
    """One row of `counts` as stored: int32 columns, then uint16 counts."""
    counts = np.minimum(row.data, np.iinfo(np.uint16).max).astype(np.uint16)
    return row.indices.astype(np.int32).tobytes() + counts.tobytes()


def stack(blobs: Sequence[bytes]) -> sp.csr_matrix:
    """Rows of `counts` back from `to_bytes`, in order."""
    sizes = np.fromiter((len(b) // 6 for b in blobs), dtype=np.int64, count=len(blobs))
    indptr = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    for i, blob in enumerate(blobs):
        n = int(sizes[i])
        if n:
            indices[indptr[i] : indptr[i + 1]] = np.frombuffer(blob, np.int32, n)
            data[indptr[i] : indptr[i + 1]] = np.frombuffer(blob, np.uint16, n, offset=4 * n)
    return sp.csr_matrix((data, indices, indptr), shape=(len(blobs), N_FEATURES))


class CharTfidf:
    """Smooth IDF fitted on rows of counts; sublinear TF; rows L2-normalised."""

    def __init__(self, fitted: sp.csr_matrix) -> None:
        df = np.bincount(fitted.indices, minlength=N_FEATURES)
        n = fitted.shape[0]
        self.idf = np.where(df > 0, np.log((1 + n) / (1 + df)) + 1, 0).astype(np.float32)

    def transform(self, rows: sp.csr_matrix) -> sp.csr_matrix:
        out = rows.astype(np.float32, copy=True)
        out.data = (1 + np.log(out.data)) * self.idf[out.indices]
        out.eliminate_zeros()
        norms = np.sqrt(np.asarray(out.multiply(out).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        out.data = (out.data * np.repeat(1 / norms, np.diff(out.indptr))).astype(np.float32)
        return out
