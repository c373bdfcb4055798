"""The FAQ's lemma block: TF-IDF over space-separated lemma strings.

The same weights as scikit-learn's ``TfidfVectorizer(token_pattern=r"\\S+", sublinear_tf=True,
lowercase=False, dtype=np.float32)`` (sorted vocabulary, smooth IDF, L2-normalised rows), without
its per-document analyzer chain: the texts are lemmatised already, so a split is all the
tokenising there is, and the FAQ vectorises ~40 000 of them per period (0.15 → 0.06 s).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


class LemmaTfidf:
    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Learn the vocabulary and the IDF of `docs`; their rows."""
        found: dict[str, int] = {}
        columns, indptr = self._tokens(docs, lambda tokens: [
            found.setdefault(t, len(found)) for t in tokens
        ])  # fmt: skip
        terms = sorted(found)
        self.vocabulary = {t: j for j, t in enumerate(terms)}
        to_sorted = np.fromiter((self.vocabulary[t] for t in found), np.int64, len(found))
        counts = self._counts(to_sorted[columns], indptr)
        df = np.bincount(counts.indices, minlength=len(terms)).astype(np.float32)
        self.idf = np.log(np.float32(counts.shape[0] + 1) / (df + 1)) + np.float32(1)
        return self._weigh(counts)

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Rows of `docs`; words outside the fitted vocabulary weigh nothing."""
        get = self.vocabulary.get
        columns, indptr = self._tokens(docs, lambda tokens: [
            j for j in map(get, tokens) if j is not None
        ])  # fmt: skip
        return self._weigh(self._counts(columns, indptr))

    @staticmethod
    def _tokens(docs: Sequence[str], code) -> tuple[np.ndarray, np.ndarray]:
        columns: list[int] = []
        indptr = [0]
        for doc in docs:
            columns.extend(code(doc.split()))
            indptr.append(len(columns))
        return np.array(columns, dtype=np.int64), np.array(indptr, dtype=np.int64)

    def _counts(self, columns: np.ndarray, indptr: np.ndarray) -> sp.csr_matrix:
        shape = (len(indptr) - 1, len(self.vocabulary))
        counts = sp.csr_matrix((np.ones(len(columns), np.float32), columns, indptr), shape=shape)
        counts.sum_duplicates()  # one entry per (row, term), columns sorted
        return counts

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        from sklearn.preprocessing import normalize

        np.log(counts.data, out=counts.data)
        counts.data += 1
        counts.data *= self.idf[counts.indices]
        return normalize(counts, copy=False) if counts.shape[0] else counts
