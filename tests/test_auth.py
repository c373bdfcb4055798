"""Access control: keys, roles on every endpoint (as the README table says), cross-site refusal,
--no-auth only on loopback, no server paths. In-process, no encoder: no route gets past auth
here unless the model is not needed; the 2xx side is in tests/test_auth_server.py."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import ROUTERS, create_app
from api.auth import ROLES
from api.cli import main
from api.cross_site import refusal
from insights.keys import authenticate, create_key, list_keys, revoke_key
from insights.store import Store
from models.registry import ModelRegistry

REPO = Path(__file__).resolve().parent.parent
OPEN = {("GET", "/v1/health"), ("GET", "/"), ("GET", "/web/{name}")}  # the page asks with a key


@pytest.fixture()
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'otklik.db'}")
    yield store
    store.close()


@pytest.fixture()
def client(store):
    registry = ModelRegistry()
    registry.select(registry.chosen_entry())  # not loaded: nothing here loads the encoder
    app = create_app(registry=registry)
    app.state.store = store
    with TestClient(app) as client:
        yield client


def readme_roles() -> dict[tuple[str, str], set[str]]:
    table = REPO.joinpath("README.md").read_text("utf-8").split("<!-- role table:", 1)[1]
    rows = {}
    for line in table.splitlines()[3:]:
        if not line.startswith("|"):
            break
        method, path, roles = (c.strip() for c in line.strip("|").split("|"))
        names = set(re.findall(r"\b(system|analyst|press|admin)\b", roles.split("(")[0]))
        rows[(method, path.strip("`"))] = names
    return rows


def route_roles() -> dict[tuple[str, str], set[str]]:
    out = {}
    for route in (r for module in ROUTERS for r in module.router.routes):
        roles: set[str] = set()
        stack = list(route.dependant.dependencies)
        while stack:
            dependency = stack.pop()
            roles |= set(getattr(dependency.call, "roles", ()))
            stack.extend(dependency.dependencies)
        for method in route.methods:
            out[(method, route.path)] = roles
    return out


def test_every_route_has_the_roles_the_readme_lists():
    routes = route_roles()
    assert routes == readme_roles()
    for key, roles in routes.items():
        assert roles or key in OPEN, f"{key} has no role check"


def test_keys_are_hashed_shown_once_and_revocable(store):
    key, info = create_key(store, "crm", ["system"])
    assert key.startswith("otk_") and info.roles == ("system",)
    with store.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM api_keys")) for v in row)
    assert key.split("_", 2)[2] not in dump and key not in dump
    assert authenticate(store, key).id == info.id
    assert authenticate(store, key + "x") is None
    assert authenticate(store, "otk_" + info.id + "_wrong") is None
    assert authenticate(store, "garbage") is None
    assert [k.id for k in list_keys(store)] == [info.id]
    assert revoke_key(store, info.id) and not revoke_key(store, info.id)
    assert authenticate(store, key) is None
    assert list_keys(store)[0].revoked_at is not None


def _request(client, method: str, path: str, **kwargs):
    if path == "/web/{name}":
        path = "/web/app.js"
    path = path.replace("{name}", "otklik-default").replace("{topic_id}", "x")
    path = path.replace("{source}", "crm").replace("{message_id}", "1")
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return client.request(method, path, **body, **kwargs)


@pytest.mark.parametrize("method, path", sorted(readme_roles()))
def test_no_key_is_401_and_a_wrong_role_is_403(client, store, method, path):
    allowed = readme_roles()[(method, path)]
    response = _request(client, method, path)
    if (method, path) in OPEN:
        assert response.status_code == 200
        return
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized" and response.json()["message"]
    assert response.headers["www-authenticate"] == "Bearer"
    unknown = _request(client, method, path, headers={"X-API-Key": "otk_0000_nope"})
    assert unknown.status_code == 401
    for role in sorted(set(ROLES) - allowed - {"admin"}):
        key, _ = create_key(store, f"wrong-{role}", [role])
        for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
            response = _request(client, method, path, headers=headers)
            assert response.status_code == 403, (role, response.text)
            assert response.json()["error"] == "forbidden"


def test_a_revoked_key_is_401(client, store):
    key, info = create_key(store, "analytics", ["analyst"])
    headers = {"X-API-Key": key}
    assert client.get("/v1/models", headers=headers).status_code == 200
    revoke_key(store, info.id)
    assert client.get("/v1/models", headers=headers).status_code == 401


def test_models_list_names_no_server_path(client, store):
    key, _ = create_key(store, "analytics", ["analyst"])
    response = client.get("/v1/models", headers={"X-API-Key": key})
    assert response.status_code == 200
    body = response.text
    assert all("path" not in m for m in response.json()["models"])
    for root in (str(REPO), str(Path.home()), "/tmp/", "/home/", "/root/"):
        assert root not in body


def test_cross_site_state_changes_are_refused(client, store):
    key, _ = create_key(store, "root", ["admin"])
    activate = "/v1/models/otklik-default/activate"
    auth = {"X-API-Key": key}
    plain = client.post(activate, content=b"x", headers={**auth, "content-type": "text/plain"})
    assert plain.status_code == 415 and plain.json()["message"]
    for kind in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = client.post("/v1/topics", content=b"a=b", headers={**auth, "content-type": kind})
        assert response.status_code == 415
    foreign = {**auth, "origin": "https://evil.example", "content-type": "application/json"}
    response = client.post(activate, headers=foreign)
    assert response.status_code == 403 and response.json()["error"] == "cross_site"
    assert client.delete("/v1/topics/x", headers={**auth, "origin": "null"}).status_code == 403
    fetch = {**auth, "sec-fetch-site": "cross-site"}
    assert client.post("/v1/classify", json={"text": "x"}, headers=fetch).status_code == 403
    untyped = client.post("/v1/topics", content=b"{}", headers=auth)
    assert untyped.status_code == 415
    same = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000"),
            (b"content-type", b"application/json; charset=utf-8"), (b"content-length", b"2")]
    assert refusal({"type": "http", "method": "POST", "headers": same}) is None
    assert refusal({"type": "http", "method": "GET", "headers": [(b"origin", b"x")]}) is None


def test_no_auth_makes_the_local_user_admin(store):
    app = create_app(registry=ModelRegistry(), no_auth=True)
    app.state.store = store
    with TestClient(app) as client:
        assert client.get("/v1/models").status_code == 200


def test_raw_text_is_for_admin_and_each_read_is_logged(client, store, caplog):
    from store_fixtures import insert_rows

    from insights.store import Message, MessageBody

    insert_rows(store, [{"topic": "roads", "received_at": datetime(2026, 8, 1)}])
    with store.session() as session, session.begin():
        message = session.query(Message).one()
        source, external_id = message.source, message.external_id
        session.query(MessageBody).update({"text": "Иванов Иван, тел. 89123456789"})
    press, _ = create_key(store, "desk", ["press"])
    admin, admin_info = create_key(store, "root", ["admin"])
    path = f"/v1/messages/{source}/{external_id}"
    masked = client.get(path, headers={"X-API-Key": press})
    assert masked.status_code == 200 and "text" not in masked.json()
    assert client.get(path, params={"raw": "true"}, headers={"X-API-Key": press}).status_code == 403
    with caplog.at_level(logging.INFO, logger="otklik.audit"):
        raw = client.get(path, params={"raw": "true"}, headers={"X-API-Key": admin})
    assert raw.status_code == 200 and raw.json()["text"].startswith("Иванов")
    records = [r.getMessage() for r in caplog.records if r.name == "otklik.audit"]
    assert len(records) == 1 and admin_info.id in records[0] and external_id in records[0]
    assert "Иванов" not in records[0] and "8912" not in records[0]
    missing = client.get(f"/v1/messages/{source}/nope", headers={"X-API-Key": press})
    assert missing.status_code == 404


def test_keys_cli(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    assert main(["keys", "create", "--name", "crm", "--role", "system", "--db", url]) == 0
    out = capsys.readouterr().out
    key = next(line for line in out.splitlines() if line.startswith("otk_"))
    key_id = key.split("_")[1]
    assert main(["keys", "list", "--db", url]) == 0
    listed = capsys.readouterr().out
    assert key_id in listed and "crm" in listed and key not in listed
    assert main(["keys", "revoke", key_id, "--db", url]) == 0
    assert main(["keys", "revoke", key_id, "--db", url]) == 2
    assert "не найден" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["keys", "create", "--name", "x", "--role", "root", "--db", url])


def test_no_auth_refuses_a_public_address(capsys):
    assert main(["serve", "--host", "0.0.0.0", "--no-auth"]) == 2
    assert "--no-auth" in capsys.readouterr().err
