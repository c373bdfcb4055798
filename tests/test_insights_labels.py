"""Display names: the taxonomy's and those of topics analysts added without retraining."""

from __future__ import annotations

import json

from insights.labels import Names, added_topic_names


def test_added_topics_get_their_names(tmp_path, monkeypatch):
    monkeypatch.setenv("OTKLIK_TOPICS_DIR", str(tmp_path))
    (tmp_path / "default.json").write_text(
        json.dumps({"model": "default", "topics": [{"id": "stray_dogs", "name": "Собаки"}]}),
        "utf-8",
    )
    (tmp_path / "broken.json").write_text("{not json", "utf-8")
    names = Names()
    assert names.name("topic", "stray_dogs") == "Собаки"
    assert names.name("topic", "unknown_topic") == "unknown_topic"
    known = next(iter(names.taxonomy.names("topics").items()))
    assert names.name("topic", known[0]) == known[1]


def test_taxonomy_names_win_over_added_ones(tmp_path):
    names = Names()
    taken, name = next(iter(names.taxonomy.names("topics").items()))
    (tmp_path / "m.json").write_text(
        json.dumps({"topics": [{"id": taken, "name": "Другое имя"}]}), "utf-8"
    )
    assert added_topic_names(tmp_path) == {taken: "Другое имя"}
    assert Names().name("topic", taken) == name
