"""Agglomerative clustering on a dense similarity matrix, with the two constraints FAQ
grouping needs and the library implementations lack:

* **anchors** - nodes that stand for existing FAQ entries; two clusters holding different
  anchors never merge (one FAQ entry per group);
* **no grab-bags** - a merge is refused when the least similar pair of the merged cluster
  would fall below ``min_sim`` (a complete-linkage floor on top of average linkage).

Average linkage (UPGMA): the similarity of two clusters is the mean similarity of their
pairs. Merging stops when the best allowed pair of clusters is below ``threshold``.

Cost: O(n^2) memory (one float32 matrix) and, in practice, O(n^2) time: every merge
updates one row and re-scans only the rows whose best partner was one of the merged
clusters. 4 000 nodes take about 0.2 s; callers split larger inputs into blocks
(see :func:`insights.faq.group_questions`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["average_linkage"]

_NEG = np.float32(-np.inf)


def average_linkage(
    sim: np.ndarray,
    threshold: float,
    *,
    anchors: np.ndarray | None = None,
    min_sim: float | None = None,
    sizes: np.ndarray | None = None,
) -> np.ndarray:
    """Cluster labels ``0..k-1`` (in order of first appearance) for an ``(n, n)`` similarity.

    ``anchors[i] >= 0`` marks node ``i`` as an anchor with that id; clusters with different
    anchor ids are never merged. ``min_sim``: no cluster may contain a pair of nodes whose
    similarity is below it (``sim`` is then also the least pair similarity of two nodes).
    ``sizes``: how many items each node already stands for (node = a cluster from an earlier
    pass, ``sim`` = the mean similarity of its items' pairs); merges weigh by them.
    """
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # A forbidden pair is -inf in ``avg`` and stays so: a merged row is the weighted mean of
    # its parents' rows, and -inf in either gives -inf. That is the floor (the least pair
    # only falls as clusters grow) and the anchors (the merged cluster keeps its anchor).
    avg = np.array(sim, dtype=np.float32, copy=True)
    if min_sim is not None:
        avg[avg < min_sim] = _NEG
    anchor = (
        np.full(n, -1, dtype=np.int64) if anchors is None else np.asarray(anchors, np.int64)
    )
    anchored = np.flatnonzero(anchor >= 0)
    if len(anchored):
        a = anchor[anchored]
        clash = a[:, None] != a[None, :]
        avg[np.ix_(anchored, anchored)] = np.where(clash, _NEG, avg[np.ix_(anchored, anchored)])
    np.fill_diagonal(avg, _NEG)
    size = np.ones(n, dtype=np.int64) if sizes is None else np.asarray(sizes, np.int64).copy()
    active = np.ones(n, dtype=bool)
    parent = np.arange(n)
    best = avg.argmax(axis=1)
    best_val = avg[np.arange(n), best]

    while True:
        i = int(np.argmax(best_val))
        if not best_val[i] >= threshold:  # also stops on -inf / nan
            break
        j = int(best[i])
        ni, nj = size[i], size[j]
        merged = (avg[i] * ni + avg[j] * nj) / (ni + nj)
        merged[i] = _NEG
        avg[i, :] = merged
        avg[:, i] = merged
        avg[j, :] = _NEG
        avg[:, j] = _NEG
        size[i] = ni + nj
        active[j] = False
        best_val[j] = _NEG
        parent[j] = i

        rescan = active & ((best == i) | (best == j))
        rescan[i] = True
        stale = np.flatnonzero(rescan)
        best[stale] = avg[stale].argmax(axis=1)
        best_val[stale] = avg[stale, best[stale]]
        # average and min linkage never raise a similarity above both parents', so no other
        # row can have found a better partner in the merged cluster.

    root = parent.copy()
    for v in range(n):
        r = v
        while root[r] != r:
            r = root[r]
        root[v] = r
    _, labels = np.unique(root, return_inverse=True)
    # relabel in order of first appearance
    order = {}
    out = np.empty(n, dtype=np.int64)
    for v, lab in enumerate(labels):
        out[v] = order.setdefault(int(lab), len(order))
    return out
