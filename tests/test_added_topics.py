"""Topics added at run time: classification, validation, persistence, masking, API, CLI."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from models.added_topics import AddedTopicError, slugify

HOGWEED = {
    "name": "Борщевик",
    "description": "Заросли борщевика Сосновского на пустырях, обочинах и во дворах: ожоги, "
    "просьбы о покосе и уничтожении.",
    "examples": [
        "На пустыре за домом разросся борщевик выше человеческого роста, прошу его уничтожить.",
        "Вдоль дороги к деревне сплошные заросли борщевика, дети получают ожоги.",
        "Борщевик Сосновского захватил заброшенное поле рядом с садовыми участками.",
        "Когда будут травить борщевик у школы? Он уже цветёт и даёт семена.",
        "На берегу реки всё заросло борщевиком, купаться и отдыхать опасно.",
    ],
}
HOGWEED_TEXT = "Сын обжёгся соком борщевика на детской площадке, кто должен его скосить?"
SCOOTERS = {
    "name": "Самокаты на тротуарах",
    "description": "Электросамокаты и кикшеринг: езда по тротуарам, брошенные самокаты, "
    "наезды на пешеходов.",
    "examples": [
        "Электросамокаты носятся по тротуарам на огромной скорости, пешеходам страшно.",
        "Арендные самокаты бросают прямо посреди тротуара, невозможно пройти с коляской.",
        "Вчера на меня наехал подросток на электросамокате, прошу ограничить их скорость.",
        "Самокаты кикшеринга стоят у входа в поликлинику и мешают проходу.",
        "Когда запретят ездить на самокатах по тротуарам в центре города?",
    ],
}
SCOOTERS_TEXT = "Кикшеринговые самокаты валяются на газонах и у подъездов, пройти невозможно."
UNRELATED = "В подъезде третий день не работает лифт, управляющая компания не отвечает."


@pytest.fixture
def topics(classifier):
    """The classifier's added topics, emptied after the test."""
    store = classifier.added_topics
    yield store
    for topic in store.current():
        store.remove(topic.id)


def test_added_topic_is_found_and_unrelated_text_is_not(classifier, topics):
    before = classifier.classify([UNRELATED])[0]
    topic, warnings = topics.add(HOGWEED["name"], HOGWEED["description"], HOGWEED["examples"])
    assert topic.id == "borshchevik" and warnings == []
    hit = classifier.classify([HOGWEED_TEXT])[0]
    miss = classifier.classify([UNRELATED])[0]

    assert hit.topic.id == "borshchevik" and hit.topic.name == "Борщевик"
    assert 0.5 < hit.topic.score <= 1.0
    assert hit.topics[0].id == "borshchevik"
    assert len(hit.topics) == classifier.config.top_k
    assert all(t.score <= 1.0 - hit.topic.score + 1e-9 for t in hit.topics[1:])
    assert "topic:uncertain" not in hit.warnings

    assert [t.id for t in miss.topics] == [t.id for t in before.topics]
    assert [t.score for t in miss.topics] == pytest.approx([t.score for t in before.topics])
    assert miss.topic.id == before.topic.id


def test_too_few_examples_is_a_clear_error(topics):
    with pytest.raises(AddedTopicError, match="не меньше 3"):
        topics.add("Борщевик", "", HOGWEED["examples"][:2])
    with pytest.raises(AddedTopicError, match="получено 2"):  # blank and repeated lines
        topics.add("Борщевик", "", ["борщевик у дома", "  ", "борщевик у дома", "борщевик!"])
    assert topics.current() == ()


def test_id_clash_is_an_error(topics):
    with pytest.raises(AddedTopicError, match="занят темой модели") as own:
        topics.add("Дороги", "", HOGWEED["examples"], topic_id="roads")
    assert own.value.kind == "conflict"
    topics.add(HOGWEED["name"], "", HOGWEED["examples"])
    with pytest.raises(AddedTopicError, match="уже добавлена"):
        topics.add(HOGWEED["name"], "другое описание", HOGWEED["examples"])
    with pytest.raises(AddedTopicError, match="недопустим"):
        topics.add("Тема", "", HOGWEED["examples"], topic_id="Тема с пробелами")
    assert slugify("Самокаты на тротуарах") == "samokaty_na_trotuarakh"


def test_persisted_across_classifier_instances(classifier, topics):
    from models.classifier import Classifier

    topics.add(SCOOTERS["name"], SCOOTERS["description"], SCOOTERS["examples"], "scooters")
    fresh = Classifier(classifier.directory, encoder=classifier.encoder)
    assert [t.id for t in fresh.added_topics.current()] == ["scooters"]
    assert fresh.classify([SCOOTERS_TEXT])[0].topic.id == "scooters"
    taxonomy = fresh.added_topics.extend_taxonomy(fresh.taxonomy.to_dict())
    assert taxonomy["topics"][-1] == {
        "id": "scooters", "name": SCOOTERS["name"], "description": SCOOTERS["description"],
        "added": True,
    }  # fmt: skip


def test_personal_data_in_examples_is_masked_in_the_file(topics):
    examples = [
        *HOGWEED["examples"][:4],
        "Борщевик у дома на ул. Ленина, д. 5, кв. 12, звоните Иванову Петру Сергеевичу "
        "по телефону +7 912 345-67-89.",
    ]
    topics.add(HOGWEED["name"], HOGWEED["description"], examples)
    stored = topics.path.read_text("utf-8")
    assert "345-67-89" not in stored and "Иванову" not in stored and "кв. 12" not in stored
    assert "[ТЕЛЕФОН]" in stored and "[ФИО]" in stored
    assert json.loads(stored)["topics"][0]["examples"][4].startswith("Борщевик у дома")


def test_cli_lists_and_removes_and_the_classifier_notices(classifier, topics, capsys):
    from api.cli import main

    topics.add(HOGWEED["name"], HOGWEED["description"], HOGWEED["examples"])
    model = ["--model", str(classifier.directory)]
    assert main(["topics", "list", *model]) == 0
    assert "borshchevik\tБорщевик\tпримеров: 5" in capsys.readouterr().out
    assert main(["topics", "remove", "borshchevik", *model]) == 0  # another store, same file
    assert classifier.classify([HOGWEED_TEXT])[0].topic.id != "borshchevik"
    assert main(["topics", "remove", "borshchevik", *model]) == 2
    assert "нет" in capsys.readouterr().err


def test_api_adds_a_topic_that_classify_returns_at_once(server, auth):
    with httpx.Client(base_url=server, headers=auth, timeout=120) as client:
        response = client.post("/v1/topics", json=SCOOTERS)
        added_at = time.perf_counter()
        assert response.status_code == 201, response.text
        body = response.json()
        try:
            assert body["id"] == "samokaty_na_trotuarakh"
            assert body["examples_count"] == 5 and isinstance(body["threshold"], float)
            elapsed, topic = None, None
            while time.perf_counter() - added_at < 5:
                item = client.post("/v1/classify", json={"text": SCOOTERS_TEXT}).json()["items"][0]
                topic = item["topic"]["id"]
                if topic == body["id"]:
                    elapsed = time.perf_counter() - added_at
                    break
            print(f"\nfrom the POST /v1/topics answer to a correct classification: {elapsed} s")
            assert elapsed is not None and elapsed < 5, topic

            listed = client.get("/v1/topics").json()["topics"]
            assert [t["id"] for t in listed] == [body["id"]]
            taxonomy = client.get("/v1/taxonomy").json()["topics"]
            assert {"id": body["id"], "added": True}.items() <= taxonomy[-1].items()
            assert client.post("/v1/topics", json=SCOOTERS).status_code == 409
        finally:
            assert client.delete(f"/v1/topics/{body['id']}").status_code == 204
        missing = client.delete(f"/v1/topics/{body['id']}")
        assert missing.status_code == 404 and missing.json()["error"] == "topic_not_found"
        item = client.post("/v1/classify", json={"text": SCOOTERS_TEXT}).json()["items"][0]
        assert item["topic"]["id"] != body["id"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({**SCOOTERS, "examples": SCOOTERS["examples"][:2]}, 422, "не меньше 3"),
        ({**SCOOTERS, "id": "roads"}, 409, "занят темой модели"),
        ({**SCOOTERS, "name": "  "}, 422, "название"),
        ({"description": "без названия", "examples": ["a", "b", "c"]}, 422, "name"),
        ({**SCOOTERS, "examples": "одна строка"}, 422, "examples"),
        ({**SCOOTERS, "colour": "red"}, 422, "colour"),
    ],
)
def test_api_rejects_bad_topics(server, auth, body, status, message):
    response = httpx.post(f"{server}/v1/topics", json=body, headers=auth, timeout=60)
    assert response.status_code == status, response.text
    error = response.json()
    assert set(error) == {"error", "message", "details"}
    assert message in error["message"]


def test_api_rejects_a_body_that_is_not_json(server, auth):
    response = httpx.post(
        f"{server}/v1/topics",
        content=b"{name:",
        headers={**auth, "content-type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_a_damaged_file_keeps_the_last_topics_and_refuses_changes(classifier, topics):
    topics.add(HOGWEED["name"], HOGWEED["description"], HOGWEED["examples"])
    assert classifier.classify([HOGWEED_TEXT])[0].topic.id == "borshchevik"
    good = topics.path.read_text("utf-8")
    topics.path.write_text(good[: len(good) // 2], "utf-8")
    try:
        assert classifier.classify([HOGWEED_TEXT])[0].topic.id == "borshchevik"
        with pytest.raises(AddedTopicError, match="повреждён") as broken:
            topics.add(SCOOTERS["name"], "", SCOOTERS["examples"])
        assert broken.value.kind == "broken"
    finally:
        topics.path.write_text(good, "utf-8")
