"""A few-shot scorer for one topic added at run time: a linear model over encoder embeddings.

Positives: the topic's examples and its «name. description» line. Negatives: a fixed background
(varied appeals of models.topic_negatives plus the model's own topic names, descriptions and
keywords). Plain cosine to the examples does not separate well: e5 similarities are dominated
by length and style (a short unrelated appeal is closer to short examples than a long appeal on
the topic is), while a regularised logistic regression against a background learns the topic's
own direction (benchmarks/added_topics.py compares the two).

Calibration: the threshold is the `NEGATIVE_QUANTILE` quantile of out-of-fold negative scores
(about 2 % of the background passes it); leave-one-out scores of the examples tell how far above
it the topic typically sits (`scale`). The displayed score is a logistic map of the margin:
0.5 at the threshold, 0.9 at the examples' median leave-one-out score.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

NEGATIVE_QUANTILE = 0.98
REGULARISATION_C = 3.0
NEGATIVE_FOLDS = 5
SCORE_AT_TYPICAL = 0.9  # the score of a text as typical of the topic as its examples
_LOGIT_TYPICAL = math.log(SCORE_AT_TYPICAL / (1 - SCORE_AT_TYPICAL))


@dataclass(frozen=True)
class Calibration:
    threshold: float
    scale: float
    examples_median: float  # leave-one-out decision values of the examples
    examples_min: float
    negatives_max: float  # out-of-fold decision values of the background
    examples_passed: int  # examples whose leave-one-out value is over the threshold

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class LinearScorer:
    weights: np.ndarray  # (dim,) float32
    bias: float
    threshold: float
    scale: float

    def decision(self, embeddings: np.ndarray) -> np.ndarray:
        return embeddings @ self.weights + self.bias

    def score(self, decision: np.ndarray | float) -> np.ndarray:
        """0.5 at the threshold, SCORE_AT_TYPICAL at a typical example."""
        margin = (np.asarray(decision, dtype=np.float64) - self.threshold) / self.scale
        return 1.0 / (1.0 + np.exp(-_LOGIT_TYPICAL * np.clip(margin, -50, 50)))


def _fit(positives: np.ndarray, negatives: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([positives, negatives]).astype(np.float64)
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    model = LogisticRegression(
        C=REGULARISATION_C, class_weight="balanced", solver="liblinear", max_iter=1000
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on tiny data
        model.fit(x, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def calibrate(
    examples: np.ndarray, prototype: np.ndarray, background: np.ndarray
) -> tuple[LinearScorer, Calibration]:
    """`examples` (k, dim) and `prototype` (1, dim): the topic; `background` (n, dim): not it."""
    positives = np.vstack([examples, prototype])
    weights, bias = _fit(positives, background)

    loo = np.empty(len(examples))
    for i in range(len(examples)):
        w, b = _fit(np.delete(positives, i, axis=0), background)
        loo[i] = examples[i] @ w + b
    out_of_fold = np.empty(len(background))
    index = np.arange(len(background))
    for fold in range(NEGATIVE_FOLDS):
        held = index[fold::NEGATIVE_FOLDS]
        w, b = _fit(positives, np.delete(background, held, axis=0))
        out_of_fold[held] = background[held] @ w + b

    threshold = float(np.quantile(out_of_fold, NEGATIVE_QUANTILE))
    typical = float(np.median(loo))
    spread = max(typical - float(np.median(out_of_fold)), 1e-3)
    scale = max(typical - threshold, 0.1 * spread)
    scorer = LinearScorer(weights, bias, threshold, scale)
    stats = Calibration(
        threshold=threshold,
        scale=scale,
        examples_median=typical,
        examples_min=float(loo.min()),
        negatives_max=float(out_of_fold.max()),
        examples_passed=int((loo > threshold).sum()),
    )
    return scorer, stats
