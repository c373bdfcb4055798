"""The FAQ's lemma TF-IDF gives scikit-learn's TfidfVectorizer weights, bit for bit."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from insights.faq_lemma import LemmaTfidf

FITTED = [
    "оформить пособие ребёнок",
    "пособие пособие ребенок получить",
    "",
    "отремонтировать дорога улица ленин",
    "вывозить мусор двор мусор",
    "записаться врач госуслуги",
    "_",
]
OTHER = ["пособие документ", "", "запись врач не работать", "ъъъ", "мусор мусор мусор"]


def test_the_weights_equal_a_fitted_tfidf_vectorizer():
    exact = TfidfVectorizer(
        token_pattern=r"\S+", sublinear_tf=True, dtype=np.float32, lowercase=False
    )
    want_fitted = exact.fit_transform(FITTED)
    ours = LemmaTfidf()
    got_fitted = ours.fit_transform(FITTED)
    assert ours.vocabulary == exact.vocabulary_
    for got, want in ((got_fitted, want_fitted), (ours.transform(OTHER), exact.transform(OTHER))):
        assert got.shape == want.shape and got.dtype == want.dtype == np.float32
        assert (got != want).nnz == 0


def test_no_texts_give_no_rows():
    ours = LemmaTfidf()
    ours.fit_transform(["_"])
    assert ours.transform([]).shape == (0, 1)
