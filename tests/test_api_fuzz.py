"""Hostile input never gives a 5xx: a seeded, bounded schemathesis run over the OpenAPI schema
of a real server (every operation, valid and invalid inputs, an admin key), plus the cases
the issue names: lone surrogates in any field, control characters, NaN and huge numbers,
deep nesting, broken JSON. Every error is JSON with a message."""

from __future__ import annotations

import json

import httpx
import pytest
import schemathesis
from conftest import running_server
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

CASES_PER_OPERATION = 100  # × 2 modes × every operation: ≥ 1 000 cases in all (small
# operations run out of distinct inputs sooner)
MIN_CASES = 1_000
SKIP = {("POST", "/v1/models/{name}/activate")}  # switching models: covered by its own tests


@pytest.fixture(scope="module")
def fuzzed():
    """A server of its own without the per-key rate limit (else most cases would get 429)."""
    with running_server({"OTKLIK_RATE_LIMIT": "0"}) as (_, url, headers):
        yield url, headers


def check(response_status: int, body: bytes, content_type: str, where: str) -> None:
    assert response_status < 500, f"{where}: {response_status} {body[:300]!r}"
    if response_status >= 400:
        payload = json.loads(body)
        assert payload["message"], where


@pytest.mark.slow
def test_schemathesis_finds_no_5xx(fuzzed):
    server, auth = fuzzed
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    calls = {"n": 0, "by_status": {}}
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run_cases(operation, mode, server, auth, calls)
    print(f"\nschemathesis: {calls['n']} cases, statuses {sorted(calls['by_status'].items())}")
    assert calls["n"] >= MIN_CASES
    assert not any(status >= 500 for status in calls["by_status"])


def run_cases(operation, mode, server: str, auth: dict, calls: dict) -> None:
    """One operation in one generation mode: seeded, CASES_PER_OPERATION cases."""

    @seed(14)
    @hypothesis_settings(
        max_examples=CASES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(base_url=server, headers=auth, timeout=120)
        calls["n"] += 1
        calls["by_status"][response.status_code] = (
            calls["by_status"].get(response.status_code, 0) + 1
        )
        check(
            response.status_code,
            response.content,
            response.headers.get("content-type", ""),
            f"{operation.method.upper()} {operation.path}",
        )

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid input exists for an operation without parameters
        pass


SURROGATE = "x\udfff y"


def _raw_json(value) -> bytes:
    """JSON with lone surrogates written as \\u escapes (valid JSON, invalid Unicode)."""
    return json.dumps(value, ensure_ascii=True).encode()


HOSTILE = [
    ("POST", "/v1/classify", {"text": SURROGATE}),
    ("POST", "/v1/classify", {"text": "\ud800"}),
    ("POST", "/v1/classify", {"items": [{"id": SURROGATE, "text": "ок", "region": SURROGATE}]}),
    ("POST", "/v1/classify", {"text": "\x00\x01\x1b[31m\u202e\ufeff жалоба"}),
    ("POST", "/v1/classify", {"items": [{"id": 1e308, "text": "ок"}]}),
    ("POST", "/v1/classify", {"items": [{"id": 10**400, "text": "ок"}]}),
    ("POST", "/v1/messages", {"source": SURROGATE, "items": [
        {"id": SURROGATE, "text": SURROGATE, "region": SURROGATE, "organization": SURROGATE,
         "csat": 1e309, "nps": -(10**30), "received_at": SURROGATE}]}),
    ("POST", "/v1/messages", {"items": [{"text": "ок", "csat": float("nan")}]}),
    ("POST", "/v1/topics", {"name": SURROGATE, "description": SURROGATE,
                            "examples": [SURROGATE] * 5, "id": SURROGATE}),
    ("GET", "/v1/painmap?region=x%ED%BF%BF&group_by=%00", None),
    ("GET", "/v1/messages/%ED%BF%BF/%00", None),
    ("GET", "/v1/metrics?region=%ED%BF%BF", None),
    ("DELETE", "/v1/topics/%ED%BF%BF", None),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "body"), HOSTILE)
def test_hostile_values_are_answered_without_5xx(fuzzed, method, path, body):
    server, auth = fuzzed
    content = None if body is None else _raw_json(body)
    headers = {**auth, "content-type": "application/json"} if body is not None else auth
    response = httpx.request(method, f"{server}{path}", content=content, headers=headers,
                             timeout=120)  # fmt: skip
    check(response.status_code, response.content, response.headers.get("content-type", ""), path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deep nesting
        b'{"text": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
        b'{"text": "ok"',  # truncated
        b'{"text": NaN}',
        b'{"text": 1e999999}',
        b'{"items": [' + b'{"text": "a"},' * 300_000 + b'{"text": "a"}]}',  # ≈ 4 MB
        b"\xff\xfe\x00",  # not UTF-8
    ],
)
def test_broken_json_is_a_json_4xx(fuzzed, content):
    server, auth = fuzzed
    for path in ("/v1/classify", "/v1/messages", "/v1/topics"):
        response = httpx.post(f"{server}{path}", content=content, timeout=120,
                              headers={**auth, "content-type": "application/json"})  # fmt: skip
        check(response.status_code, response.content, "", path)
        assert 400 <= response.status_code < 500
