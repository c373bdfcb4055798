"""POST /v1/explain (the words behind a topic, by occlusion) and POST /v1/classify/file (a
table in, the classified table back) through a real server on loopback."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from api.routes.classify_file import MAX_FILE_BYTES

pytestmark = pytest.mark.slow
LIFT = "В подъезде уже неделю не работает лифт, управляющая компания не берёт трубку"


def _explain(server, auth, body) -> httpx.Response:
    return httpx.post(f"{server}/v1/explain", json=body, headers=auth, timeout=120)


def test_the_words_behind_the_topic(server, auth):
    response = _explain(server, auth, {"text": LIFT})
    assert response.status_code == 200, response.text
    body = response.json()
    topic = body["explained_topic"]
    assert body["topic"]["id"] == topic["id"] == "housing_utilities"
    assert topic["name"] and 0 < topic["score"] <= 1
    words = body["words"]
    assert [w["word"] for w in words][:3] == ["В", "подъезде", "уже"]
    assert body["explained_text"] == body["masked_text"]
    for w in words:
        start, end = w["spans"][0]
        assert LIFT[start:end] == w["word"]
    top = max(words, key=lambda w: w["score"])
    assert top["word"] in {"подъезде", "лифт", "управляющая", "компания"}, words
    assert top["score"] > 0
    # the score is the fall of the probability when the word is gone, asked on its own
    start, end = top["spans"][0]
    alone = _explain(server, auth, {"text": LIFT[:start] + LIFT[end:], "topic": topic["id"]})
    assert alone.status_code == 200
    assert alone.json()["explained_topic"]["score"] == pytest.approx(
        topic["score"] - top["score"], abs=2e-3
    )


def test_personal_data_is_not_a_word(server, auth):
    text = "Меня зовут Петров Иван, тел. +7 (912) 345-67-89, в доме нет отопления"
    body = _explain(server, auth, {"text": text}).json()
    words = {w["word"] for w in body["words"]}
    assert "Петров" not in words and "345" not in words and "912" not in words
    assert "отопления" in words and "Петров" not in body["explained_text"]


def test_explain_refuses_bad_input(server, auth):
    assert _explain(server, auth, {"text": "   "}).status_code == 422
    unknown = _explain(server, auth, {"text": LIFT, "topic": "no_such_topic"})
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_topic"


def _upload(server, auth, name: str, data: bytes, **params) -> httpx.Response:
    return httpx.post(
        f"{server}/v1/classify/file", params={"name": name, **params}, content=data,
        headers={**auth, "Content-Type": "application/octet-stream"}, timeout=120,
    )  # fmt: skip


def test_a_csv_comes_back_classified(server, auth):
    cattle = "Подскажите, какие документы нужны для субсидии на скот?"
    data = f"id;текст\n1;{LIFT}\n2;{cattle}\n3;\n"
    response = _upload(server, auth, "обращения.csv", data.encode("utf-8"), text_col="текст")
    assert response.status_code == 200, response.text
    assert response.headers["x-otklik-rows"] == "2" and response.headers["x-otklik-skipped"] == "1"
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["topic"] == "housing_utilities" and rows[1]["topic"] == "agriculture"


def test_a_jsonl_comes_back_as_jsonl(server, auth):
    data = json.dumps({"text": LIFT, "n": 5}, ensure_ascii=False).encode()
    response = _upload(server, auth, "a.jsonl", data)
    assert response.status_code == 200, response.text
    row = json.loads(response.content.decode().splitlines()[0])
    assert row["n"] == 5 and row["topic"] == "housing_utilities"


def test_bad_files_are_4xx(server, auth):
    assert _upload(server, auth, "a.pdf", b"x").json()["error"] == "unsupported_file"
    missing = _upload(server, auth, "a.csv", b"id;body\n1;x\n")
    assert missing.status_code == 422 and "Столбец «text» не найден" in missing.json()["message"]
    big = _upload(server, auth, "a.csv", b"text\n" + b"x" * (MAX_FILE_BYTES + 1))
    assert big.status_code == 413 and big.json()["error"] == "file_too_large"
    broken = _upload(server, auth, "a.xlsx", b"not a workbook")
    assert broken.status_code == 422
    as_form = httpx.post(f"{server}/v1/classify/file", params={"name": "a.csv"},
                         content=b"text\nx", headers={**auth, "Content-Type": "text/plain"})
    assert as_form.status_code == 415  # a type a foreign page could send without a preflight
