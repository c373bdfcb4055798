"""Linear heads: fitting, calibration and the safetensors round trip."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from models.features import CharTfidf
from models.heads import load_heads, save_heads
from training.linear import class_weights, fit_sigmoid_head, fit_softmax_head, fit_temperature


def _blobs(seed: int = 0, n: int = 300, dim: int = 16):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(3, dim)) * 3
    y = rng.integers(0, 3, size=n)
    X = centers[y] + rng.normal(size=(n, dim))
    return X.astype(np.float32), y


def test_softmax_head_learns_and_round_trips(tmp_path):
    X, y = _blobs()
    labels = ["a", "b", "c"]
    head, oof = fit_softmax_head("t", X, None, [labels[i] for i in y], labels, folds=3)
    assert (oof.argmax(axis=1) == y).mean() > 0.9
    save_heads(tmp_path, {"t": head})
    loaded = load_heads(tmp_path)["t"]
    assert loaded.labels == labels
    assert np.allclose(loaded.predict_proba(X), head.predict_proba(X), atol=1e-6)


def test_sigmoid_head_with_sparse_features(tmp_path):
    texts = ["нет воды", "нет света", "нет воды и света", "всё хорошо"] * 20
    targets = np.array([[("воды" in t), ("света" in t)] for t in texts], dtype=int)
    tfidf = CharTfidf({**CharTfidf().params, "min_df": 1}).fit(texts)
    lexical = tfidf.transform(texts)
    dense = np.zeros((len(texts), 4), dtype=np.float32)
    head, _ = fit_sigmoid_head("s", dense, lexical, targets, ["water", "power"], folds=4)
    predicted = head.predict_proba(dense, lexical) >= head.decision_thresholds()
    assert (predicted == targets.astype(bool)).all()
    tfidf.save(tmp_path)
    again = CharTfidf.load(tmp_path)
    assert (again.transform(texts) != lexical).nnz == 0
    assert sparse.issparse(again.transform(["вода"]))


def test_temperature_softens_overconfident_logits():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, size=500)
    noisy = np.where(rng.random(500) < 0.7, y, 1 - y)  # 70 % right
    logits = np.zeros((500, 2))
    logits[np.arange(500), noisy] = 10.0  # overconfident
    assert fit_temperature(logits, y, "softmax") > 3.0


def test_class_weights_balanced_sqrt_and_none():
    y = np.array([0] * 90 + [1] * 10)
    balanced = class_weights(y, "balanced")
    assert np.isclose(balanced[0] * 90, balanced[1] * 10)  # each class weighs the same in all
    sqrt = class_weights(y, "sqrt")
    assert np.isclose(sqrt[1] / sqrt[0], 3.0)  # sqrt(90 / 10)
    assert class_weights(y, None) is None


def test_sqrt_weighting_sits_between_plain_and_balanced():
    rng = np.random.default_rng(1)
    y = np.array([0] * 270 + [1] * 30)
    X = (rng.normal(size=(300, 4)) + y[:, None] * 1.0).astype(np.float32)
    labels = ["major", "minor"]
    names = [labels[i] for i in y]
    recalls = []
    for mode in (None, "sqrt", "balanced"):
        head, _ = fit_softmax_head("t", X, None, names, labels, folds=3, class_weight=mode)
        recalls.append((head.predict_proba(X).argmax(axis=1)[y == 1] == 1).mean())
    assert recalls[0] < recalls[1] < recalls[2]
