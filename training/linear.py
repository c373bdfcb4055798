"""Fitting linear heads (scikit-learn logistic regression) with out-of-fold calibration."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.class_weight import compute_class_weight

from models.heads import LinearHead, sigmoid, softmax


def design_matrix(
    dense: np.ndarray, lexical: sparse.spmatrix | None, dense_scale: float
) -> np.ndarray | sparse.csr_matrix:
    scaled = dense * dense_scale
    if lexical is None:
        return scaled
    return sparse.hstack([sparse.csr_matrix(scaled), lexical], format="csr")


def _split_weights(
    coef: np.ndarray, dim: int, uses_sparse: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    dense_weight = np.ascontiguousarray(coef[:, :dim], dtype=np.float32)
    sparse_weight = np.ascontiguousarray(coef[:, dim:], dtype=np.float32) if uses_sparse else None
    return dense_weight, sparse_weight


def _softmax_coef(model: LogisticRegression) -> tuple[np.ndarray, np.ndarray]:
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:  # binary: scikit-learn keeps one row; softmax wants one per class
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    return coef, intercept


def class_weights(y: np.ndarray, mode: str | None) -> dict[int, float] | None:
    """Per-class loss weights: ``"balanced"`` (n / (k * count): every class weighs the same),
    ``"sqrt"`` (its square root: rare classes count more, frequent ones keep most of their
    weight) or None (plain likelihood)."""
    if mode is None:
        return None
    if mode not in ("balanced", "sqrt"):
        raise ValueError(f"unknown class weighting {mode!r}")
    classes = np.unique(y)
    weights = compute_class_weight("balanced", classes=classes, y=y)
    if mode == "sqrt":
        weights = np.sqrt(weights)
    return {int(c): float(w) for c, w in zip(classes, weights, strict=True)}


def fit_temperature(logits: np.ndarray, targets: np.ndarray, kind: str) -> float:
    """Temperature that minimises the negative log-likelihood of out-of-fold logits."""

    def nll(log_t: float) -> float:
        scaled = logits / np.exp(log_t)
        if kind == "softmax":
            probs = softmax(scaled)
            return float(-np.mean(np.log(probs[np.arange(len(targets)), targets] + 1e-12)))
        probs = sigmoid(scaled)
        return float(
            -np.mean(targets * np.log(probs + 1e-12) + (1 - targets) * np.log(1 - probs + 1e-12))
        )

    result = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def fit_softmax_head(
    name: str,
    dense: np.ndarray,
    lexical: sparse.spmatrix | None,
    targets: Sequence[str],
    labels: Sequence[str],
    *,
    dense_scale: float = 1.0,
    c: float = 4.0,
    folds: int = 5,
    seed: int = 0,
    sample_weight: np.ndarray | None = None,
    class_weight: str | None = "balanced",
) -> tuple[LinearHead, np.ndarray]:
    """Fit a softmax head; return it with its out-of-fold probabilities (for scoring)."""
    labels = list(labels)
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in targets])
    X = design_matrix(dense, lexical, dense_scale)

    # scikit-learn computes "balanced" per fold itself; "sqrt" it does not know
    weights = class_weights(y, "sqrt") if class_weight == "sqrt" else class_weight

    def model() -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=3000, class_weight=weights)

    oof = np.zeros((len(y), len(labels)), dtype=np.float64)
    n_splits = min(folds, int(np.bincount(y).min()) if len(set(y)) > 1 else 2)
    splitter = (
        StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        if n_splits >= 2
        else KFold(n_splits=2, shuffle=True, random_state=seed)
    )
    for train_idx, test_idx in splitter.split(X, y):
        fold = model()
        fit_kwargs = {} if sample_weight is None else {"sample_weight": sample_weight[train_idx]}
        fold.fit(X[train_idx], y[train_idx], **fit_kwargs)
        coef, intercept = _softmax_coef(fold)
        fold_logits = np.full((len(test_idx), len(labels)), -1e4)
        fold_logits[:, fold.classes_] = (X[test_idx] @ coef.T) + intercept
        oof[test_idx] = fold_logits
    temperature = fit_temperature(oof, y, "softmax")

    final = model()
    final.fit(X, y, **({} if sample_weight is None else {"sample_weight": sample_weight}))
    coef, intercept = _softmax_coef(final)
    full_coef = np.zeros((len(labels), X.shape[1]))
    full_bias = np.full(len(labels), -1e4)
    full_coef[final.classes_] = coef
    full_bias[final.classes_] = intercept
    dense_weight, sparse_weight = _split_weights(full_coef, dense.shape[1], lexical is not None)
    head = LinearHead(
        name=name,
        labels=labels,
        kind="softmax",
        dense_weight=dense_weight,
        sparse_weight=sparse_weight,
        bias=full_bias.astype(np.float32),
        dense_scale=dense_scale,
        temperature=temperature,
    )
    return head, softmax(oof / temperature)


def fit_sigmoid_head(
    name: str,
    dense: np.ndarray,
    lexical: sparse.spmatrix | None,
    targets: np.ndarray,
    labels: Sequence[str],
    *,
    dense_scale: float = 1.0,
    c: float = 4.0,
    folds: int = 5,
    seed: int = 0,
) -> tuple[LinearHead, np.ndarray]:
    """Fit one-vs-rest sigmoid heads; per-label thresholds maximise out-of-fold F1."""
    labels = list(labels)
    X = design_matrix(dense, lexical, dense_scale)
    Y = np.asarray(targets, dtype=np.int64)

    def fit_columns(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        coef = np.zeros((len(labels), X.shape[1]))
        bias = np.full(len(labels), -10.0)
        for j in range(len(labels)):
            column = Y[rows, j]
            if column.min() == column.max():
                bias[j] = 10.0 if column[0] == 1 else -10.0
                continue
            lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
            lr.fit(X[rows], column)
            coef[j], bias[j] = lr.coef_[0], lr.intercept_[0]
        return coef, bias

    oof = np.zeros(Y.shape, dtype=np.float64)
    for train_idx, test_idx in KFold(n_splits=folds, shuffle=True, random_state=seed).split(X):
        coef, bias = fit_columns(train_idx)
        oof[test_idx] = X[test_idx] @ coef.T + bias
    temperature = fit_temperature(oof, Y, "sigmoid")
    oof_probs = sigmoid(oof / temperature)
    thresholds = np.array(
        [best_threshold(oof_probs[:, j], Y[:, j]) for j in range(len(labels))], dtype=np.float32
    )
    coef, bias = fit_columns(np.arange(len(Y)))
    dense_weight, sparse_weight = _split_weights(coef, dense.shape[1], lexical is not None)
    head = LinearHead(
        name=name,
        labels=labels,
        kind="sigmoid",
        dense_weight=dense_weight,
        sparse_weight=sparse_weight,
        bias=bias.astype(np.float32),
        dense_scale=dense_scale,
        temperature=temperature,
        thresholds=thresholds,
    )
    return head, oof_probs


def best_threshold(probs: np.ndarray, truth: np.ndarray) -> float:
    if truth.sum() == 0:
        return 0.5
    grid = np.linspace(0.2, 0.8, 25)
    scores = [f1_score(truth, probs >= t, zero_division=0) for t in grid]
    return float(grid[int(np.argmax(scores))])


def softmax_scores(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "weighted_f1": round(
            float(f1_score(truth, predicted, average="weighted", zero_division=0)), 4
        ),
        "n": len(truth),
    }


def expected_calibration_error(probs: np.ndarray, targets: Sequence[int], bins: int = 10) -> float:
    """Mean gap between confidence and accuracy over equal-width confidence bins."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == np.asarray(targets)
    edges = np.linspace(0.0, 1.0, bins + 1)
    gap = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            gap += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return round(float(gap), 4)
