"""Access control on a real server: each endpoint with a key of the right role answers 2xx, with
another role 403, without a key 401 (the README role table); `--no-auth` says so at start."""

from __future__ import annotations

import httpx
import pytest
from conftest import key_headers
from test_auth import readme_roles

from api.auth import ROLES

LIFT = "В подъезде уже неделю не работает лифт, управляющая компания не берёт трубку"
TOPIC = {
    "name": "Самокаты",
    "description": "Самокаты на тротуарах",
    "examples": [f"Электросамокаты брошены на тротуаре у дома {i}, не пройти" for i in range(5)],
}
REQUESTS = {  # a valid request for every endpoint of the table: (method, path, json)
    ("POST", "/v1/classify"): ("POST", "/v1/classify", {"text": LIFT}),
    ("GET", "/v1/taxonomy"): ("GET", "/v1/taxonomy", None),
    ("GET", "/v1/model"): ("GET", "/v1/model", None),
    ("GET", "/v1/models"): ("GET", "/v1/models", None),
    ("POST", "/v1/models/{name}/activate"): ("POST", "/v1/models/otklik-default/activate", None),
    ("GET", "/v1/topics"): ("GET", "/v1/topics", None),
    ("POST", "/v1/topics"): ("POST", "/v1/topics", TOPIC),
    ("DELETE", "/v1/topics/{topic_id}"): ("DELETE", "/v1/topics/samokaty", None),
    ("POST", "/v1/messages"): ("POST", "/v1/messages", {"source": "auth", "items": [
        {"id": "a1", "text": LIFT, "received_at": "2026-08-01"},
        {"id": "a2", "text": LIFT, "url": "https://vk.com/wall-1_77", "channel": "social_vk"}]}),
    ("GET", "/v1/messages/{source}/{message_id}"): ("GET", "/v1/messages/auth/a1", None),
    ("GET", "/v1/triage"): ("GET", "/v1/triage", None),
    ("GET", "/v1/triage/{item_id}"): ("GET", "/v1/triage/{item}", None),
    ("POST", "/v1/triage/{item_id}"): ("POST", "/v1/triage/{item}", {"status": "in_work"}),
    ("GET", "/v1/templates"): ("GET", "/v1/templates", None),
    ("GET", "/v1/templates/review"): ("GET", "/v1/templates/review", None),
    ("POST", "/v1/templates"): ("POST", "/v1/templates", {"title": "Т", "body": "Спасибо!"}),
    ("PUT", "/v1/templates/{template_id}"): ("PUT", "/v1/templates/{template}",
                                             {"title": "Т2", "body": "Спасибо, {имя}!"}),
    ("POST", "/v1/templates/{template_id}/retire"): ("POST", "/v1/templates/{template}/retire",
                                                     None),
    ("POST", "/v1/explain"): ("POST", "/v1/explain", {"text": LIFT}),
    ("POST", "/v1/classify/file"): ("POST", "/v1/classify/file?name=a.csv",
                                    f'text\n"{LIFT}"\n'.encode()),
    ("GET", "/"): ("GET", "/", None),
    ("GET", "/web/{name}"): ("GET", "/web/app.js", None),
    ("GET", "/v1/painmap"): ("GET", "/v1/painmap", None),
    ("GET", "/v1/metrics"): ("GET", "/v1/metrics", None),
    ("GET", "/v1/faq"): ("GET", "/v1/faq", None),
    ("GET", "/metrics"): ("GET", "/metrics", None),
    ("GET", "/v1/health"): ("GET", "/v1/health", None),
}  # fmt: skip
ONCE = {("POST", "/v1/triage/{item_id}"), ("POST", "/v1/templates/{template_id}/retire")}


def _send(client, method: str, path: str, body, headers: dict) -> httpx.Response:
    if isinstance(body, bytes):  # a file upload
        headers = {**headers, "Content-Type": "application/octet-stream"}
        return client.request(method, path, content=body, headers=headers)
    return client.request(method, path, json=body, headers=headers)


def test_the_role_table_holds_on_a_real_server(server):
    table = readme_roles()
    assert set(REQUESTS) == set(table)
    keys = {role: key_headers(None, role, name=f"table-{role}") for role in ROLES}
    ids: dict[str, int] = {}
    with httpx.Client(base_url=server, timeout=120) as client:
        for endpoint in REQUESTS:  # dict order: topics are added before they are removed,
            method, path, body = REQUESTS[endpoint]  # messages stored before they are read
            if "{item}" in path and "item" not in ids:
                queued = client.get("/v1/triage", headers=keys["admin"]).json()["items"]
                ids["item"] = next(i["id"] for i in queued if i["url"] == "https://vk.com/wall-1_77")
            if "{template}" in path and "template" not in ids:
                made = client.get("/v1/templates", headers=keys["admin"]).json()["templates"]
                ids["template"] = max(t["id"] for t in made if t["title"] == "Т")  # made above
            path = path.format(**ids)
            allowed = table[endpoint] | {"admin"} if table[endpoint] else set(ROLES)
            for role in ROLES:
                if endpoint[0] == "POST" and endpoint[1] == "/v1/topics" and role != "analyst":
                    continue  # one topic, added by the analyst
                if endpoint[0] == "DELETE" and role != "analyst":
                    continue  # removed once, by the analyst
                if endpoint in ONCE and role == "admin":
                    continue  # a state change made once, by the press officer
                response = _send(client, method, path, body, keys[role])
                expected = "2xx" if role in allowed else "403"
                status = response.status_code
                assert (200 <= status < 300) if role in allowed else status == 403, (
                    endpoint, role, expected, status, response.text[:300]
                )
            if table[endpoint]:
                assert _send(client, method, path, body, {}).status_code == 401


@pytest.mark.slow
def test_no_auth_is_said_loudly_at_start(start_server):
    with start_server(args=("--no-auth",)) as (process, url, _):
        assert httpx.get(f"{url}/v1/models", timeout=30).status_code == 200
        process.output.seek(0)
        output = process.output.read()
    assert "ВНИМАНИЕ: --no-auth" in output and "AUTHENTICATION DISABLED" in output
