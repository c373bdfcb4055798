"""Models in service: discovery, activation without a restart, refusals that keep the active one.

The registry tests only read small files; the server tests load the real encoder once, in one
real `otklik serve` process on loopback for the whole module.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import httpx
import pytest
from conftest import running_server
from model_dirs import copy_model as _copy_model
from model_dirs import new_home as _new_home
from model_dirs import write_config as _write_config

from api.cli import main
from models.constants import DEFAULT_MODEL_DIR
from models.registry import BrokenModelError, ModelRegistry, UnknownModelError

LIFT = "В подъезде уже неделю не работает лифт, управляющая компания не берёт трубку"
ALT_METRICS = {
    "task": "topic",
    "mode": "heads",
    "evaluation": {"method": "kfold", "folds": 5, "accuracy": 0.9, "macro_f1": 0.88,
                   "weighted_f1": 0.89},
}  # fmt: skip


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> dict[str, Path]:
    """A temp OTKLIK_HOME with models good and bad, and an extra root for OTKLIK_MODEL_DIRS."""
    root = tmp_path_factory.mktemp("models")
    home = _new_home(root)
    models = home / "models"
    alt = _copy_model(
        models / "alt",
        name="otklik-alt",
        version="2.0.0-test",
        task="topic",
        mode="heads",
        trained_at="2026-12-01T10:00:00+00:00",
        base="otklik-default 1.0.0",
    )
    (alt / "metrics.json").write_text(json.dumps(ALT_METRICS), encoding="utf-8")
    (alt / "README.md").write_text("# Модель otklik-alt\n\nТестовая копия.\n", encoding="utf-8")
    (models / "broken").mkdir()  # same name as alt, and files missing
    _write_config(models / "broken", name="otklik-alt", version="0.0.1")

    misshapen = _copy_model(models / "misshapen", name="otklik-misshapen", version="1")
    from models.heads import load_heads, save_heads

    heads = load_heads(misshapen)
    heads["topic"].dense_weight = heads["topic"].dense_weight[:, :100].copy()
    (misshapen / "heads.safetensors").unlink()
    save_heads(misshapen, heads)  # consistent files, wrong width for the encoder

    (models / ".alt-staging").mkdir()  # `otklik train` staging: never listed
    _write_config(models / ".alt-staging", name="staging", version="0")
    (models / "notes").mkdir()  # no config.json: not a model

    extra = root / "extra"
    needs_branch = _copy_model(
        extra / "needs-branch", link_large=True, name="otklik-needs-branch", version="1"
    )
    meta = json.loads((needs_branch / "heads.json").read_text("utf-8"))
    meta["topic"]["input"] = "tuned"  # but no encoder_delta.safetensors
    (needs_branch / "heads.json").unlink()
    (needs_branch / "heads.json").write_text(json.dumps(meta), encoding="utf-8")
    return {"home": home, "extra": extra, "alt": alt}


@pytest.fixture
def env(layout, monkeypatch) -> dict[str, Path]:
    monkeypatch.setenv("OTKLIK_HOME", str(layout["home"]))
    monkeypatch.setenv("OTKLIK_MODEL_DIRS", f"{layout['extra']}{os.pathsep}/nonexistent/otklik")
    return layout


def test_discovery_names_and_fields(env):
    registry = ModelRegistry(roots=[env["alt"]])  # a root found again is listed once
    overview = registry.overview()
    models = {m["name"]: m for m in overview["models"]}
    assert list(models) == [
        "otklik-default",
        "otklik-alt",
        "otklik-alt@broken",
        "otklik-misshapen",
        "otklik-needs-branch",
    ]
    assert overview["active"] == "otklik-default"
    default, alt = models["otklik-default"], models["otklik-alt"]
    assert default["active"] and not default["loaded"] and default["source"] == "builtin"
    shipped = json.loads((DEFAULT_MODEL_DIR / "metrics.json").read_text("utf-8"))
    topic = shipped["heads"]["topic"]["cv_5fold"]
    assert default["metrics"]["topic"]["macro_f1"] == topic["macro_f1"]
    assert default["description"].startswith("Кодировщик")
    assert alt["version"] == "2.0.0-test" and not alt["active"]
    assert (alt["task"], alt["mode"], alt["base"]) == ("topic", "heads", "otklik-default 1.0.0")
    assert alt["trained_at"].startswith("2026-12-01")
    assert alt["metrics"] == {
        "topic": {"accuracy": 0.9, "macro_f1": 0.88, "weighted_f1": 0.89, "method": "kfold"}
    }
    assert alt["description"] == "Тестовая копия."
    assert models["otklik-needs-branch"]["source"] == "env"


def test_model_written_later_appears_without_restart(env, tmp_path, monkeypatch):
    home = _new_home(tmp_path)
    monkeypatch.setenv("OTKLIK_HOME", str(home))
    registry = ModelRegistry()
    assert "late" not in {m["name"] for m in registry.list()}
    (home / "models" / "late").mkdir()
    _write_config(home / "models" / "late", name="late", version="1")
    assert "late" in {m["name"] for m in registry.list()}


def test_unknown_name(env):
    registry = ModelRegistry()
    with pytest.raises(KeyError) as caught:
        registry.activate("no-such-model")
    error = caught.value
    assert isinstance(error, UnknownModelError)
    assert "otklik-alt" in error.known and "otklik-alt" in str(error)
    assert "не найдена" in error.message_ru


@pytest.mark.parametrize(
    ("name", "reason"),
    [("otklik-alt@broken", "missing files"), ("otklik-needs-branch", "encoder branch")],
)
def test_broken_directory_keeps_the_active_model(env, name, reason):
    registry = ModelRegistry()
    with pytest.raises(BrokenModelError) as caught:
        registry.activate(name)
    assert reason in str(caught.value)
    assert registry.active.name == "otklik-default"
    assert not (env["home"] / "active_model.json").exists()


def test_cli_lists_and_remembers_the_choice(env, tmp_path, monkeypatch, capsys):
    home = _new_home(tmp_path)
    (home / "models" / "alt").symlink_to(env["alt"])
    monkeypatch.setenv("OTKLIK_HOME", str(home))
    monkeypatch.delenv("OTKLIK_MODEL_DIRS")

    assert main(["models"]) == 0
    listing = capsys.readouterr().out
    assert "otklik-alt" in listing and "тема" in listing and "macro-F1 0.880" in listing
    assert next(line for line in listing.splitlines() if "otklik-default" in line)[0] == "*"

    assert main(["models", "activate", "otklik-alt"]) == 0
    said = capsys.readouterr().out
    assert "otklik serve" in said and "POST /v1/models/otklik-alt/activate" in said
    choice = json.loads((home / "active_model.json").read_text("utf-8"))
    assert choice["name"] == "otklik-alt" and Path(choice["path"]) == env["alt"].resolve()

    assert main(["models"]) == 0
    listing = capsys.readouterr().out
    assert next(line for line in listing.splitlines() if "otklik-alt" in line)[0] == "*"

    assert main(["models", "activate", "no-such-model"]) == 2
    assert "не найдена" in capsys.readouterr().err


# ---------------------------------------------------------------- a real server on loopback


@pytest.fixture(scope="module")
def served(layout):
    """One `otklik serve` whose remembered model is gone: it must start on the default."""
    choice = {"name": "gone", "path": "/nonexistent/otklik/gone"}
    (layout["home"] / "active_model.json").write_text(json.dumps(choice), encoding="utf-8")
    env = {"OTKLIK_HOME": str(layout["home"]), "OTKLIK_MODEL_DIRS": str(layout["extra"])}
    try:
        with running_server(env=env) as (process, url, headers):
            yield process, url, headers
    finally:
        (layout["home"] / "active_model.json").unlink(missing_ok=True)


def _classify(url: str, headers: dict) -> httpx.Response:
    return httpx.post(f"{url}/v1/classify", json={"text": LIFT}, headers=headers, timeout=60)


@pytest.mark.slow  # a real server
def test_server_starts_on_default_and_lists_models(served):
    _, url, headers = served
    body = httpx.get(f"{url}/v1/models", headers=headers, timeout=10).json()
    assert body["active"] == "otklik-default"
    names = {m["name"] for m in body["models"]}
    assert {"otklik-default", "otklik-alt", "otklik-alt@broken", "otklik-needs-branch"} <= names
    assert httpx.get(f"{url}/v1/health", timeout=10).json()["active_model"] == "otklik-default"


@pytest.mark.slow  # a real server
def test_server_refuses_unknown_and_broken_models(served):
    _, url, headers = served
    response = httpx.post(f"{url}/v1/models/no-such-model/activate", headers=headers, timeout=60)
    assert response.status_code == 404
    error = response.json()
    assert error["error"] == "unknown_model" and "otklik-alt" in error["message"]
    assert {"name": "otklik-alt"} in error["details"]
    for name, reason in [("otklik-alt@broken", "missing files"), ("otklik-misshapen", "shape")]:
        response = httpx.post(f"{url}/v1/models/{name}/activate", headers=headers, timeout=120)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "model_unusable"
        message = response.json()["message"]
        assert reason in message.lower() and "still 'otklik-default'" in message
    listed = httpx.get(f"{url}/v1/models", headers=headers, timeout=10).json()
    assert listed["active"] == "otklik-default"
    assert _classify(url, headers).json()["model"]["name"] == "otklik-default"


@pytest.mark.slow  # a real server
def test_server_switches_without_restart(served, layout):
    process, url, headers = served
    before = _classify(url, headers).json()["model"]
    assert before["name"] == "otklik-default"

    switched: dict = {}
    thread = threading.Thread(
        target=lambda: switched.update(
            response=httpx.post(
                f"{url}/v1/models/otklik-alt/activate", headers=headers, timeout=120
            )
        )
    )
    thread.start()
    answered = []
    while thread.is_alive():  # the server keeps answering while it loads the new model
        response = _classify(url, headers)
        assert response.status_code == 200
        answered.append(response.json()["model"]["name"])
    thread.join()
    assert set(answered) <= {"otklik-default", "otklik-alt"}

    response = switched["response"]
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["version"]) == ("otklik-alt", "2.0.0-test")
    answered_by = _classify(url, headers).json()["model"]
    assert answered_by == {"name": "otklik-alt", "version": "2.0.0-test"}
    listed = httpx.get(f"{url}/v1/models", headers=headers, timeout=10).json()["models"]
    models = {m["name"]: m for m in listed}
    assert models["otklik-alt"]["active"] and models["otklik-alt"]["loaded"]
    assert not models["otklik-default"]["loaded"]  # only the active model stays loaded
    assert httpx.get(f"{url}/v1/model", headers=headers, timeout=10).json()["name"] == "otklik-alt"
    assert process.poll() is None  # the same process: no restart
    choice = json.loads((layout["home"] / "active_model.json").read_text("utf-8"))
    assert choice["name"] == "otklik-alt"  # the next `otklik serve` starts on it

    response = httpx.post(f"{url}/v1/models/otklik-default/activate", headers=headers, timeout=120)
    assert response.status_code == 200
    assert _classify(url, headers).json()["model"]["name"] == "otklik-default"
