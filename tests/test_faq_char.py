from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from insights import faq_char

FITTED = [
    "Как оформить пособие на ребёнка?",
    "Как получить пособие на ребенка",
    "Когда отремонтируют дорогу на улице Ленина?",
    "почему не вывозят мусор во дворе",
    "Где записаться к врачу через Госуслуги?",
]
OTHER = ["Пособие на ребёнка: какие документы?", "Запись к врачу не работает", "ЪЪЪ"]


def test_the_hashed_weighting_equals_a_fitted_tfidf_vectorizer():
    exact = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    exact.fit(FITTED)
    tfidf = faq_char.CharTfidf(faq_char.counts(FITTED))
    for texts in (FITTED, OTHER):  # unseen n-grams weigh nothing, as outside a vocabulary
        want = exact.transform(texts)
        got = tfidf.transform(faq_char.counts(texts))
        assert np.allclose((got @ got.T).toarray(), (want @ want.T).toarray(), atol=1e-5)
        assert np.allclose((got @ tfidf.transform(faq_char.counts(FITTED)).T).toarray(),
                           (want @ exact.transform(FITTED).T).toarray(), atol=1e-5)  # fmt: skip


def test_stored_rows_come_back_the_same():
    rows = faq_char.counts(FITTED + [""])
    back = faq_char.stack([faq_char.to_bytes(rows[i]) for i in range(rows.shape[0])])
    assert (back != rows).nnz == 0
    assert faq_char.stack([]).shape == (0, faq_char.N_FEATURES)


def test_the_split_sparse_product_equals_the_plain_one():
    from insights.faq import _sparse_dot

    rng = np.random.default_rng(3)
    for shape_a, shape_b in (((300, 5000), (200, 5000)), ((40, 70), (40, 70))):
        a = sp.random(*shape_a, density=0.02, format="csr", random_state=rng, dtype=np.float32)
        b = sp.random(*shape_b, density=0.02, format="csr", random_state=rng, dtype=np.float32)
        # the first 30 columns: in every row (common n-grams)
        a, b = (
            sp.hstack([rng.random((m.shape[0], 30), dtype=np.float32), m[:, 30:]], format="csr")
            for m in (a, b)
        )
        assert np.allclose(_sparse_dot(a, b), (a @ b.T).toarray(), atol=1e-4)
