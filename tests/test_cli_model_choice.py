"""Every CLI command works on the model `otklik serve` starts on, and says so when it cannot.

Regressions: `topics` used to fall back silently to the built-in model when the chosen one was
gone, and `painmap` named topics from the built-in taxonomy while GET /v1/painmap used the
active model's.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from model_dirs import copy_model, new_home
from store_fixtures import insert_rows

from api.cli import main
from insights.store import Store

OWN_NAME = "Дороги и тротуары (своя модель)"


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """An OTKLIK_HOME whose chosen model names the topic «roads» its own way."""
    home = new_home(tmp_path)
    model = copy_model(home / "models" / "mine", link_large=True, name="mine", version="1")
    taxonomy = json.loads((model / "taxonomy.json").read_text("utf-8"))
    for topic in taxonomy["topics"]:
        if topic["id"] == "roads":
            topic["name"] = OWN_NAME
    (model / "taxonomy.json").write_text(json.dumps(taxonomy, ensure_ascii=False), "utf-8")
    monkeypatch.setenv("OTKLIK_HOME", str(home))
    assert main(["models", "activate", "mine"]) == 0
    return home


def _topic_files(home) -> list[str]:
    from models.settings import settings

    folder = settings().topics_dir
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_topics_work_on_the_chosen_model(home, capsys):
    capsys.readouterr()
    assert main(["topics", "list"]) == 0
    assert "У модели mine нет добавленных тем" in capsys.readouterr().out


def test_topics_refuse_a_chosen_model_that_is_gone(home, capsys, tmp_path):
    import shutil

    shutil.rmtree(home / "models" / "mine")
    examples = tmp_path / "ex.txt"
    examples.write_text("\n".join(f"Пример про борщевик номер {i}" for i in range(5)), "utf-8")
    before = _topic_files(home)
    capsys.readouterr()
    assert main(["topics", "add", "--name", "Борщевик", "--examples", str(examples)]) == 2
    err = capsys.readouterr().err
    assert "модель «mine» не найдена" in err and "Traceback" not in err
    assert _topic_files(home) == before  # nothing was added anywhere, the built-in model included


def test_topics_add_on_a_model_that_does_not_load_changes_nothing(home, capsys, tmp_path):
    broken = copy_model(tmp_path / "broken", link_large=True, name="broken", version="1")
    (broken / "heads.json").write_text("{}", "utf-8")
    examples = tmp_path / "ex.txt"
    examples.write_text("\n".join(f"Пример про борщевик номер {i}" for i in range(5)), "utf-8")
    before = _topic_files(home)
    capsys.readouterr()
    args = ["topics", "add", "--model", str(broken), "--name", "Борщевик",
            "--examples", str(examples)]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "не загружается" in err and "heads missing" in err
    assert _topic_files(home) == before


def test_cli_and_http_pain_maps_name_topics_alike(home, tmp_path):
    from api.app import create_app
    from insights.keys import create_key
    from models.registry import ModelRegistry

    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    store = Store(url)
    day = datetime(2026, 8, 3)
    row = {"topic": "roads", "sentiment": "negative", "type": "complaint", "received_at": day,
           "aspects": ["waiting"]}  # fmt: skip
    insert_rows(store, [row] * 6)
    out = tmp_path / "pm.json"
    args = ["painmap", "--db", url, "--from", "2026-08-01", "--to", "2026-08-31",
            "--group-by", "topic", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    cli_rows = {c["row_name"] for c in json.loads(out.read_text("utf-8"))["cells"]}

    registry = ModelRegistry()
    registry.select(registry.chosen_entry())  # as `otklik serve` would start, not loaded
    key, _ = create_key(store, "tests", ["analyst"])
    app = create_app(registry=registry, database_url=url)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        response = client.get(
            "/v1/painmap", params={"from": "2026-08-01", "to": "2026-08-31", "group_by": "topic"}
        )
    assert response.status_code == 200, response.text
    http_rows = {c["row_name"] for c in response.json()["cells"]}
    assert OWN_NAME in cli_rows and cli_rows == http_rows
    store.close()
