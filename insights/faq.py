"""FAQ candidates: citizens' questions grouped by meaning, matched to an existing FAQ base,
with growth against the previous period (seed 004: the 10 most asked questions overall and
per region; a topic that grew by more than 30% gets an information campaign).

How a group is formed
---------------------
1. Each question is cleaned (:func:`insights.faq_text.content_text`: greetings, politeness
   formulas, links, e-mails and signatures out) and identical cleaned texts are counted once.
2. Similarity of two questions = ``1 - char_weight - lemma_weight`` x cosine of their e5
   embeddings (``"query: "`` prefix) + ``char_weight`` x cosine of character 2-4-gram TF-IDF
   (hashed, `insights.faq_char`; catches typos and word forms the small encoder misses) +
   ``lemma_weight`` x cosine of lemma TF-IDF (pymorphy2 lemmas of the content words).
3. With a FAQ base (KB), each KB question becomes a node of the graph too. Its e5 part mixes
   the embedding of the question and, where the KB has answers, of question + answer
   (``answer_weight``; e5 ``"passage: "`` prefix); its lemma part holds the lemmas of both:
   users ask in words the answer uses more often than the reference question does (on the
   RUTUBE FAQ: ARI 0.53 vs 0.46, kb_match 0.68 vs 0.62 on the full visible set). Every
   question gets a *KB profile*: the softmax (temperature
   ``profile_temperature``) of its similarities to the KB entries plus a "none of them" entry
   scored ``kb_threshold``. Two questions that point to different KB entries lose up to
   ``profile_weight``; a question and a KB entry it points to gain up to
   ``profile_weight * (kb_boost - 1)``. On the RUTUBE FAQ data question-to-KB similarity is a
   more reliable signal than question-to-question (nearest KB entry right for 68% of the
   questions, nearest other question in the same group for 46%), which is why the KB steers
   the grouping.
4. Average-linkage agglomerative clustering with a similarity ``threshold`` (not a fixed
   number of groups; ``threshold_no_kb`` without a KB), where (a) two groups holding
   different KB entries never merge and (b) a merge is refused if it would put two questions
   less similar than ``threshold - cohesion_margin`` in one group: a group is never a
   grab-bag.
5. ``kb_match``: the KB entry inside the group, or else the KB entry with the highest mean
   similarity over the group's questions. Kept when that mean similarity (e5 + char part,
   without the profile) is at least ``kb_threshold`` *and* some member shares a content lemma
   with the KB question (function words and generic request verbs do not count), otherwise
   ``None``. The score is that mean similarity.
6. Representative: the cleaned text of the member closest to the group's centroid.
7. Previous period: each previous question goes to the current group whose members it is
   most similar to on average, if that similarity reaches ``threshold``; ``growth = (count -
   previous) / previous``. A group with no previous question has ``growth = None`` and is a
   campaign only if it has at least ``new_group_campaign_min`` questions (a new topic that
   is already frequent) - and only when a previous period was given at all.

Scale: the clustering keeps a dense similarity matrix of at most ``block_size`` nodes
(``block_size**2`` x 4 bytes x 2 per thread, 18 MB at 1 500; the work grows as nodes x
``block_size``). Larger inputs are split by k-means on the embeddings into blocks of about
``block_size``; each block is clustered exactly (side by side, one thread per CPU), then the
groups of all blocks are clustered again by average linkage on their mean similarities
(exact for average linkage: the similarities are dot products, so the mean pair similarity of
two groups is the dot product of their means); the cohesion floor is exact only inside a
block. Identical cleaned texts are one node, so repeated questions cost nothing.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from insights import faq_char
from insights.faq_cluster import average_linkage
from insights.faq_lemma import LemmaTfidf
from insights.faq_text import content_lemmas, content_text, lemma_tokens
from models.encoders import available_cpus

__all__ = [
    "DEFAULT_PARAMS",
    "FaqCluster",
    "FaqParams",
    "FaqQuestion",
    "KbEntry",
    "faq_file",
    "group_questions",
    "read_kb",
    "read_questions",
    "top_by_region",
]


@dataclass
class FaqQuestion:
    id: str
    text: str
    region: str | None = None
    period: str = "current"  # "previous" rows passed in ``questions`` count as previous
    content: str | None = None  # content_text(text), when the caller has it already


@dataclass
class KbEntry:
    faq_id: str
    question: str
    answer: str | None = None  # the FAQ's answer, when the base has one: it helps matching


@dataclass
class FaqCluster:
    id: str
    representative: str
    count: int
    members: list[str]
    regions: dict[str, int]
    growth: float | None
    campaign: bool
    kb_match: dict | None

    def to_dict(self) -> dict:
        # not dataclasses.asdict: it deep-copies every member id (0.3 s per 20 000 questions)
        return {
            "id": self.id,
            "representative": self.representative,
            "count": self.count,
            "members": list(self.members),
            "regions": dict(self.regions),
            "growth": self.growth,
            "campaign": self.campaign,
            "kb_match": None if self.kb_match is None else dict(self.kb_match),
        }


@dataclass(frozen=True)
class FaqParams:
    """Hyperparameters; the defaults were chosen by cross-validation over disjoint halves of
    the FAQ groups of the visible RUTUBE data (``benchmarks/faq.py --cv``)."""

    threshold: float = 0.76
    threshold_no_kb: float = 0.80
    char_weight: float = 0.10
    lemma_weight: float = 0.05
    answer_weight: float = 0.60
    profile_weight: float = 0.10
    profile_temperature: float = 0.01
    kb_boost: float = 2.0
    cohesion_margin: float = 0.10
    kb_threshold: float = 0.72
    new_group_campaign_min: int = 5
    block_size: int = 1500
    profile_top: int = 16  # KB entries kept per question profile (the rest weigh ~0)


DEFAULT_PARAMS = FaqParams()


# ------------------------------------------------------------------------------ features


class _Features:
    """Rows of node features whose dot products (minus ``shift``) are the similarities."""

    def __init__(self, parts: list[Any], shift: float = 0.0) -> None:
        self.parts = parts  # dense ndarrays or CSR matrices, same number of rows
        self.shift = shift

    @property
    def n(self) -> int:
        return self.parts[0].shape[0]

    def rows(self, idx: np.ndarray) -> _Features:
        return _Features([p[idx] for p in self.parts], self.shift)

    def sim(self, other: _Features | None = None) -> np.ndarray:
        other = self if other is None else other
        out = np.zeros((self.n, other.n), dtype=np.float32)
        for a, b in zip(self.parts, other.parts, strict=True):
            if sp.issparse(a) and sp.issparse(b):
                out += _sparse_dot(sp.csr_matrix(a), sp.csr_matrix(b))
            else:
                prod = a @ b.T
                out += prod.toarray() if sp.issparse(prod) else prod
        if self.shift:
            out -= self.shift
        return out

    def means(self, labels: np.ndarray, weights: np.ndarray) -> _Features:
        """Weighted mean feature row of each label ``0..k-1``."""
        k = int(labels.max()) + 1
        cols = np.arange(len(labels))
        m = sp.csr_matrix((weights.astype(np.float64), (labels, cols)), (k, len(labels)))
        m = sp.diags(1.0 / np.asarray(m.sum(axis=1)).ravel()) @ m
        parts = []
        for p in self.parts:
            r = m @ p
            dense = not sp.issparse(r)
            parts.append(np.asarray(r, np.float32) if dense else sp.csr_matrix(r, dtype=np.float32))
        return _Features(parts, self.shift)


def encode_normalized(encoder: Any, texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
    texts = list(texts)
    prefix = getattr(encoder, "passage_prefix", None) if passage else None
    if not texts:
        return np.zeros((0, int(getattr(encoder, "dim", 1))), dtype=np.float32)
    vecs = encoder.encode(texts, prefix=prefix) if prefix is not None else encoder.encode(texts)
    vecs = np.asarray(vecs, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.maximum(norms, 1e-12)


DENSE_SPEEDUP = 256  # measured: 10 000 real texts against 7 310 groups, 5.4 -> 4.6 s


def _sparse_dot(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """``(a @ b.T)`` as a dense array, exactly, faster: the columns many rows share (common
    n-grams) go through a dense matrix product, the rest through the sparse one, whose cost
    grows with the square of each column's row count."""
    if min(a.shape[0], b.shape[0]) <= 64:  # a few rows (centroids): at most 64 per entry
        return (a @ b.T).toarray()
    # the columns (2^22 hashed n-grams and more) counted and looked up through the sorted
    # used ones: nothing here grows with the width
    cols_a, count_a = np.unique(a.indices, return_counts=True)
    cols_b, count_b = np.unique(b.indices, return_counts=True)
    shared, in_a, in_b = np.intersect1d(cols_a, cols_b, assume_unique=True, return_indices=True)
    # a column costs the sparse product (its rows in a) x (its rows in b) steps, the dense one
    # a_rows x b_rows multiply-adds, each DENSE_SPEEDUP times cheaper than a sparse step
    cost = count_a[in_a].astype(np.float64) * count_b[in_b] * DENSE_SPEEDUP
    common = shared[cost > float(a.shape[0]) * b.shape[0]]
    if not len(common):
        return (a @ b.T).toarray()

    def split(m: sp.csr_matrix) -> tuple[np.ndarray, sp.csr_matrix]:
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        slot = np.minimum(np.searchsorted(common, m.indices), len(common) - 1)
        shared = common[slot] == m.indices
        dense = np.zeros((m.shape[0], len(common)), dtype=np.float32)
        dense[rows[shared], slot[shared]] = m.data[shared]
        kept = ~shared  # the rest keeps CSR order: no conversion through coordinates
        indptr = np.r_[0, np.cumsum(np.bincount(rows[kept], minlength=m.shape[0]))]
        rest = sp.csr_matrix((m.data[kept], m.indices[kept], indptr), shape=m.shape)
        return dense, rest

    a_dense, a_rest = split(a)
    b_dense, b_rest = split(b)
    return a_dense @ b_dense.T + (a_rest @ b_rest.T).toarray()


class QuestionFeatureSource(Protocol):
    """Where a question's e5 vector and lemma string come from (`insights.faq_features` keeps
    them in the store)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def lemma_string(self, text: str) -> str: ...

    def char_counts(self, texts: Sequence[str]) -> sp.csr_matrix: ...


class ComputedFeatures:
    """Features computed on the spot from the encoder and the lemmatizer."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return encode_normalized(self.encoder, texts)

    def lemma_string(self, text: str) -> str:
        return lemma_string(text)

    def char_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        return faq_char.counts(texts)


class _Space:
    """Everything needed to turn texts into features: the vectorizers and the KB.

    A node's features are three weighted blocks whose dot products add up to the similarity:
    e5, character n-gram TF-IDF and lemma TF-IDF. A KB entry's e5 block mixes the embedding of
    its question with that of question + answer (``answer_weight``); its lemma block holds the
    lemmas of both, so a user's wording that only the answer uses still finds it."""

    def __init__(
        self,
        encoder: Any,
        texts: list[str],
        kb: list[KbEntry],
        params: FaqParams,
        features: QuestionFeatureSource | None = None,
    ) -> None:
        self.encoder = encoder
        self.features = features or ComputedFeatures(encoder)
        self.params = params
        self.kb = kb
        kb_texts = [content_text(e.question) for e in kb]
        kb_full = [f"{q} {e.answer}" if e.answer else q for q, e in zip(kb_texts, kb, strict=True)]
        fitted_counts = sp.vstack(
            [self.features.char_counts(texts), faq_char.counts(kb_texts)], format="csr"
        )
        self.char = faq_char.CharTfidf(fitted_counts)
        char_rows = self.char.transform(fitted_counts)
        kb_lemmas = [lemma_string(t) for t in kb_full]
        self._lemma_strings = {t: self.features.lemma_string(t) for t in texts}
        self.lemma = LemmaTfidf()
        lemma_rows = self.lemma.fit_transform(
            [self._lemma_strings[t] for t in texts] + kb_lemmas + ["_"]
        )
        n = len(texts)
        # the fitted texts' rows, reused when `questions` is asked for the same list
        self._fitted = (texts, char_rows[:n], lemma_rows[:n])
        if kb:
            e5_question = encode_normalized(encoder, kb_texts, passage=True)
            a = params.answer_weight if any(e.answer for e in kb) else 0.0
            e5_full = encode_normalized(encoder, kb_full, passage=True) if a else e5_question
            self.kb_blocks = [
                (1 - a) * e5_question + a * e5_full,
                char_rows[n:],
                lemma_rows[n : n + len(kb)],
            ]

    @property
    def weights(self) -> tuple[float, float, float]:
        """Weights of the e5, character and lemma blocks; they sum to one."""
        c, lem = self.params.char_weight, self.params.lemma_weight
        return 1 - c - lem, c, lem

    def _blocks(self, texts: list[str]) -> list[Any]:
        fitted, char_rows, lemma_rows = self._fitted
        if texts is fitted:
            return [self.features.encode(texts), char_rows, lemma_rows]
        return [
            self.features.encode(texts),
            self.char.transform(self.features.char_counts(texts)),
            self.lemma.transform(
                [self._lemma_strings.get(t) or self.features.lemma_string(t) for t in texts]
            ),
        ]

    def kb_sim(self, blocks: list[Any]) -> np.ndarray:
        """(n, m) question-to-KB similarity without the KB profile."""
        out = np.zeros((blocks[0].shape[0], len(self.kb)), dtype=np.float32)
        for w, q, k in zip(self.weights, blocks, self.kb_blocks, strict=True):
            if w:
                prod = q @ k.T
                out += w * (prod.toarray() if sp.issparse(prod) else prod)
        return out

    def _profile(self, s: np.ndarray) -> sp.csr_matrix:
        """Softmax over the KB entries plus a "none of them" entry scored ``kb_threshold``;
        L2-normalised; the last column is that null entry. A question no KB entry answers
        puts its weight on the null entry, so it is neither pulled to a KB entry nor kept
        apart from other such questions."""
        p = self.params
        n, m = s.shape
        top = min(p.profile_top, m)
        idx = np.argpartition(-s, top - 1, axis=1)[:, :top]
        vals = np.take_along_axis(s, idx, axis=1)
        vals = np.hstack([vals, np.full((n, 1), p.kb_threshold, dtype=vals.dtype)])
        idx = np.hstack([idx, np.full((n, 1), m)])
        vals = np.exp((vals - vals.max(axis=1, keepdims=True)) / p.profile_temperature)
        vals /= np.linalg.norm(vals, axis=1, keepdims=True)
        rows = np.repeat(np.arange(n), top + 1)
        return sp.csr_matrix(
            (vals.ravel().astype(np.float32), (rows, idx.ravel())), shape=(n, m + 1)
        )

    def questions(self, texts: list[str]) -> tuple[_Features, np.ndarray | None]:
        """Features of question nodes and their KB similarity (None without KB)."""
        blocks = self._blocks(texts)
        parts: list[Any] = [math.sqrt(w) * b for w, b in zip(self.weights, blocks, strict=True)]
        if not self.kb:
            return _Features(_one_sparse(parts)), None
        s = self.kb_sim(blocks)
        lam = self.params.profile_weight
        parts.append(math.sqrt(lam) * self._profile(s))
        return _Features(_one_sparse(parts), shift=lam), s

    def kb_nodes(self) -> _Features:
        p = self.params
        lam, m = p.profile_weight, len(self.kb)
        onehot = sp.eye(m, m + 1, dtype=np.float32, format="csr") * (math.sqrt(lam) * p.kb_boost)
        parts = [math.sqrt(w) * b for w, b in zip(self.weights, self.kb_blocks, strict=True)]
        return _Features(_one_sparse([*parts, onehot]), shift=lam)


def _one_sparse(parts: list[Any]) -> list[Any]:
    """The dense e5 block, then every sparse block side by side in one matrix: one sparse
    product per similarity instead of one per block (about 5 % of the grouping's time)."""
    return [parts[0], sp.hstack([sp.csr_matrix(p) for p in parts[1:]], format="csr")]


def lemma_string(text: str) -> str:
    return " ".join(lemma_tokens(text))


def _stack(a: _Features, b: _Features) -> _Features:
    parts = []
    for x, y in zip(a.parts, b.parts, strict=True):
        if sp.issparse(x) or sp.issparse(y):
            parts.append(sp.vstack([sp.csr_matrix(x), sp.csr_matrix(y)], format="csr"))
        else:
            parts.append(np.vstack([x, y]))
    return _Features(parts, a.shift)


# ---------------------------------------------------------------------------- clustering


def _partition(x: np.ndarray, idx: np.ndarray, block: int) -> list[np.ndarray]:
    """Split node indices into groups of at most ``block`` by k-means on ``x``."""
    if len(idx) <= block:
        return [idx]
    from sklearn.cluster import KMeans

    k = math.ceil(len(idx) / block)
    labels = KMeans(n_clusters=k, n_init=1, random_state=0).fit_predict(x[idx])
    groups = [idx[labels == c] for c in range(k)]
    if max(len(g) for g in groups) == len(idx):  # k-means could not split: cut in order
        return [idx[i : i + block] for i in range(0, len(idx), block)]
    return [p for g in groups if len(g) for p in _partition(x, g, block)]


def _cluster(
    feats: _Features, sizes: np.ndarray, anchors: np.ndarray, params: FaqParams, exact: bool
) -> np.ndarray:
    """Labels ``0..k-1`` for the nodes; ``exact``: nodes are single texts (cohesion floor)."""
    n = feats.n
    floor = params.threshold - params.cohesion_margin if exact else None
    if n <= params.block_size:
        return average_linkage(
            feats.sim(), params.threshold, anchors=anchors, min_sim=floor, sizes=sizes
        )
    dense = feats.parts[0]
    labels = np.empty(n, dtype=np.int64)
    offset = 0

    def block(part: np.ndarray) -> np.ndarray:
        return average_linkage(
            feats.rows(part).sim(), params.threshold, anchors=anchors[part], min_sim=floor,
            sizes=sizes[part],
        )  # fmt: skip

    parts = _partition(dense, np.arange(n), params.block_size)
    # blocks are independent and the sparse products release the GIL: one thread per CPU,
    # and BLAS on one thread in each (two on top of each thread spin for nothing: 1.5 s of
    # CPU per 20 000 questions)
    workers = min(len(parts), available_cpus())
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(max_workers=workers) as pool,
    ):
        for part, lab in zip(parts, pool.map(block, parts), strict=True):
            labels[part] = lab + offset
            offset += int(lab.max()) + 1
    k = offset
    if k > 0.95 * n:  # blocks found almost nothing to merge: a second pass would not either
        return labels
    group_sizes = np.bincount(labels, weights=sizes, minlength=k).astype(np.int64)
    group_anchor = np.full(k, -1, dtype=np.int64)
    has = anchors >= 0
    group_anchor[labels[has]] = anchors[has]
    upper = _cluster(feats.means(labels, sizes), group_sizes, group_anchor, params, exact=False)
    return upper[labels]


# -------------------------------------------------------------------------------- public


def _split_periods(
    questions: Iterable[FaqQuestion], previous: Iterable[FaqQuestion] | None
) -> tuple[list[FaqQuestion], list[FaqQuestion] | None]:
    current, prev = [], list(previous) if previous is not None else None
    for q in questions:
        if q.period == "previous":
            prev = [] if prev is None else prev
            prev.append(q)
        else:
            current.append(q)
    return current, prev


def _unique(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Distinct texts (case-insensitive) and the index of each input text among them."""
    seen: dict[str, int] = {}
    uniq: list[str] = []
    inverse = np.empty(len(texts), dtype=np.int64)
    for i, t in enumerate(texts):
        key = t.lower()
        j = seen.get(key)
        if j is None:
            j = seen[key] = len(uniq)
            uniq.append(t)
        inverse[i] = j
    return uniq, inverse


def group_questions(
    questions: list[FaqQuestion],
    *,
    encoder: Any,
    kb: list[KbEntry] | None = None,
    previous: list[FaqQuestion] | None = None,
    campaign_growth: float = 0.30,
    params: FaqParams | None = None,
    features: QuestionFeatureSource | None = None,
) -> list[FaqCluster]:
    """Group questions by meaning; see the module docstring. Clusters come ordered by count
    (then by first appearance); every current question is in exactly one of them."""
    p = params or DEFAULT_PARAMS
    current, prev = _split_periods(questions, previous)
    if not current:
        return []
    kb = _dedupe_kb(kb or [])
    if not kb:
        p = replace(p, threshold=p.threshold_no_kb)
    texts = [q.content or content_text(q.text) for q in current]
    uniq, inverse = _unique(texts)
    space = _Space(encoder, uniq, kb, p, features)
    qfeats, qkb = space.questions(uniq)
    n, m = len(uniq), len(kb)
    sizes = np.bincount(inverse, minlength=n).astype(np.int64)
    if m:
        feats = _stack(qfeats, space.kb_nodes())
        node_sizes = np.r_[sizes, np.ones(m, dtype=np.int64)]
        anchors = np.r_[np.full(n, -1, dtype=np.int64), np.arange(m, dtype=np.int64)]
    else:
        feats, node_sizes, anchors = qfeats, sizes, np.full(n, -1, dtype=np.int64)
    labels = _cluster(feats, node_sizes, anchors, p, exact=True)

    qlab = labels[:n]
    _, qlab = np.unique(qlab, return_inverse=True)
    k = int(qlab.max()) + 1
    anchor_of = np.full(k, -1, dtype=np.int64)
    if m:
        kb_lab = labels[n:]
        lookup = {int(lab): c for lab, c in zip(labels[:n], qlab, strict=True)}
        for j, lab in enumerate(kb_lab):
            c = lookup.get(int(lab))
            if c is not None:
                anchor_of[c] = j

    centroids = qfeats.means(qlab, sizes)
    closeness = np.einsum(
        "ij,ij->i",
        *(np.asarray(x) for x in (qfeats.parts[0], centroids.parts[0][qlab])),
    )

    prev_counts = np.zeros(k, dtype=np.int64)
    if prev:
        ptexts = [q.content or content_text(q.text) for q in prev]
        puniq, pinv = _unique(ptexts)
        pfeats, _ = space.questions(puniq)
        psizes = np.bincount(pinv, minlength=len(puniq))
        step = 2048
        for start in range(0, len(puniq), step):
            s = pfeats.rows(np.arange(start, min(start + step, len(puniq)))).sim(centroids)
            best = s.argmax(axis=1)
            ok = s[np.arange(len(best)), best] >= p.threshold
            np.add.at(prev_counts, best[ok], psizes[start : start + len(best)][ok])

    members: list[list[int]] = [[] for _ in range(k)]
    for i, u in enumerate(inverse):
        members[qlab[u]].append(i)
    node_members: list[list[int]] = [[] for _ in range(k)]
    for u in range(n):
        node_members[qlab[u]].append(u)

    clusters: list[tuple[int, int, FaqCluster]] = []
    for c in range(k):
        idx = members[c]
        nodes = np.array(node_members[c])
        rep = int(nodes[np.argmax(closeness[nodes])])
        regions = Counter(current[i].region for i in idx if current[i].region)
        growth: float | None = None
        campaign = False
        if prev is not None:
            if prev_counts[c]:
                growth = (len(idx) - prev_counts[c]) / prev_counts[c]
                campaign = growth > campaign_growth
            else:
                campaign = len(idx) >= p.new_group_campaign_min
        match = None
        if m:
            w = sizes[nodes].astype(np.float64)
            mean_sim = (qkb[nodes] * w[:, None]).sum(axis=0) / w.sum()
            j = int(anchor_of[c]) if anchor_of[c] >= 0 else int(np.argmax(mean_sim))
            if mean_sim[j] >= p.kb_threshold and _shares_topic(
                [uniq[u] for u in nodes], kb[j].question
            ):
                match = {
                    "faq_id": kb[j].faq_id,
                    "question": kb[j].question,
                    "score": round(float(mean_sim[j]), 4),
                }
        cluster = FaqCluster(
            id="",
            representative=uniq[rep],
            count=len(idx),
            members=[current[i].id for i in idx],
            regions=dict(sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))),
            growth=None if growth is None else round(float(growth), 4),
            campaign=bool(campaign),
            kb_match=match,
        )
        clusters.append((-len(idx), idx[0], cluster))
    clusters.sort(key=lambda t: (t[0], t[1]))
    out = [c for _, _, c in clusters]
    width = max(3, len(str(len(out))))
    for rank, c in enumerate(out, start=1):
        c.id = f"faq-{rank:0{width}d}"
    return out


def _shares_topic(texts: list[str], kb_question: str) -> bool:
    """Some member shares a content lemma with the KB question (see ``GENERIC_LEMMAS``).

    e5-small scores questions of the same form high whatever their topic («Как получить
    охотничий билет?» vs «Как получить налоговый вычет?»: 0.78); on the RUTUBE halves 98% of
    the right matches share a content lemma with their KB question."""
    wanted = content_lemmas(kb_question)
    if not wanted:
        return True
    return any(wanted & content_lemmas(t) for t in texts)


def _dedupe_kb(kb: list[KbEntry]) -> list[KbEntry]:
    """One entry per faq_id and per question text (the first one)."""
    seen_ids: set[str] = set()
    seen_q: set[str] = set()
    out = []
    for e in kb:
        key = content_text(e.question).lower()
        if not key or e.faq_id in seen_ids or key in seen_q:
            continue
        seen_ids.add(e.faq_id)
        seen_q.add(key)
        out.append(e)
    return out


def top_by_region(clusters: list[FaqCluster], n: int = 10) -> dict[str, list[FaqCluster]]:
    """For each region (alphabetically), its ``n`` clusters with most questions from it."""
    regions = sorted({r for c in clusters for r in c.regions})
    out: dict[str, list[FaqCluster]] = {}
    for region in regions:
        ranked = sorted(
            (c for c in clusters if c.regions.get(region)),
            key=lambda c: (-c.regions[region], -c.count, c.id),
        )
        out[region] = ranked[:n]
    return out


# ----------------------------------------------------------------------------------- files


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def read_questions(
    path: str | Path, text_col: str = "text", period: str = "current"
) -> tuple[list[FaqQuestion], list[dict]]:
    """Questions from a JSONL/CSV/XLSX file (``id``, ``text_col``, optional ``region``,
    optional ``period``) and the rows skipped, each ``{"row", "error"}``."""
    from nlp.tables import read_rows

    out: list[FaqQuestion] = []
    skipped: list[dict] = []
    for number, row, error in read_rows(Path(path)):
        if row is None:
            skipped.append({"row": number, "error": error})
            continue
        text = _cell(row.get(text_col))
        if text is None:
            skipped.append({"row": number, "error": f"нет текста в поле «{text_col}»"})
            continue
        qid = _cell(row.get("id")) or str(number)
        out.append(
            FaqQuestion(
                id=qid,
                text=text,
                region=_cell(row.get("region")),
                period=_cell(row.get("period")) or period,
            )
        )
    return out, skipped


def read_kb(path: str | Path) -> list[KbEntry]:
    """FAQ base rows with ``faq_id`` and ``faq_question`` (or ``question``), and the answer
    (``faq_answer`` or ``answer``) where the base has one."""
    from nlp.tables import read_rows

    out = []
    for _, row, _ in read_rows(Path(path)):
        if row is None:
            continue
        question = _cell(row.get("faq_question", row.get("question")))
        faq_id = _cell(row.get("faq_id"))
        answer = _cell(row.get("faq_answer", row.get("answer")))
        if question and faq_id is not None:
            out.append(KbEntry(faq_id=faq_id, question=question, answer=answer))
    return out


def faq_file(
    input_path: str | Path,
    kb_path: str | Path | None = None,
    previous_path: str | Path | None = None,
    output_path: str | Path | None = None,
    text_col: str = "text",
    *,
    encoder: Any = None,
    top: int = 10,
    params: FaqParams | None = None,
) -> dict:
    """``otklik faq INPUT [--kb KB] [--previous PREV] -o OUT.json``: group the questions of a
    file, write OUT.json and return the same dict:
    ``{"clusters": [...], "top_overall": [ids], "top_by_region": {region: [ids]},
    "skipped": [{"row", "error"}]}`` (clusters ordered by count)."""
    if output_path is None:
        raise ValueError("output_path is required")
    if encoder is None:
        from models.encoders import load_encoder

        encoder = load_encoder("e5-small")
    questions, skipped = read_questions(input_path, text_col)
    previous = None
    if previous_path is not None:
        previous, prev_skipped = read_questions(previous_path, text_col, period="previous")
        skipped += [{**s, "file": "previous"} for s in prev_skipped]
    kb = read_kb(kb_path) if kb_path is not None else None
    clusters = group_questions(questions, encoder=encoder, kb=kb, previous=previous, params=params)
    result = {
        "clusters": [c.to_dict() for c in clusters],
        "top_overall": [c.id for c in clusters[:top]],
        "top_by_region": {
            region: [c.id for c in ranked]
            for region, ranked in top_by_region(clusters, top).items()
        },
        "skipped": skipped,
    }
    out = Path(output_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result
