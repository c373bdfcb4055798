"""Clear predictions of the default model on unambiguous Russian examples."""

from __future__ import annotations

import numpy as np
import pytest

CASES = [
    (
        "На нашей улице огромные ямы на дороге, асфальт разбит, ремонта нет годами",
        "roads",
        "negative",
        "complaint",
    ),
    (
        "Подскажите, как записать ребёнка в первый класс и какие нужны документы?",
        "education",
        "neutral",
        "question",
    ),
    (
        "Огромное спасибо врачам районной больницы за спасённую жизнь моей мамы!",
        "healthcare",
        "positive",
        "gratitude",
    ),
    (
        "Стая бродячих собак бегает у школы, дети боятся ходить, примите меры по отлову",
        "animals",
        "negative",
        "complaint",
    ),
    (
        "Предлагаю установить в городском парке больше скамеек, урн и клумб",
        "landscaping",
        None,
        "suggestion",
    ),
    (
        "Автобус №12 опять не пришёл по расписанию, ждали на остановке сорок минут",
        "public_transport",
        "negative",
        "complaint",
    ),
]


@pytest.mark.parametrize(("text", "topic", "sentiment", "kind"), CASES)
def test_unambiguous_examples(classifier, text, topic, sentiment, kind):
    result = classifier.classify([text])[0]
    assert result.topic.id == topic
    assert result.type.id == kind
    if sentiment:
        assert result.sentiment.id == sentiment


def test_gas_smell_is_urgent(classifier):
    result = classifier.classify(["В подъезде сильный запах газа, аварийная служба не едет"])[0]
    assert result.urgency.level == "high"
    assert any(r["id"] == "emergency" for r in result.urgency.reasons)


def test_probabilities_are_distributions(classifier):
    probs = classifier.head_probabilities(["Когда отремонтируют дорогу?", "Спасибо!"])
    for name in ("topic", "sentiment", "type", "urgency"):
        assert np.allclose(probs[name].sum(axis=1), 1.0, atol=1e-5)
    assert ((probs["aspects"] >= 0) & (probs["aspects"] <= 1)).all()
