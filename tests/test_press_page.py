"""The desk page in Debian's headless Chromium against a real server on loopback: log in with a
key, see the alert and the queue, take the most urgent item, answer it from a filled template,
see the counts change; with demo data, the pain map, the FAQ, the metrics, a pasted text
explained word by word."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
import webdriver
from store_fixtures import insert_rows

from api.app import create_app
from api.cli import main
from api.insights_cli import PRESS_STREAM
from insights import templates
from insights.fields import utcnow
from insights.keys import create_key
from insights.store import Store
from models.constants import DEMO_FILE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not webdriver.available(), reason="chromium and chromedriver: .ci/run"),
]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def desk(tmp_path):
    url = f"sqlite:///{tmp_path / 'page.db'}"
    store = Store(url)
    now = utcnow()
    rows = [{"external_id": f"n{i}", "url": f"https://vk.com/wall-1_{i}", "channel": "social_vk",
             "kind": "mention", "received_at": now - timedelta(minutes=10 + i),
             "topic": "roads", "masked_text": f"Ямы во дворе дома {i}, когда отремонтируют?"}
            for i in range(5)]  # fmt: skip
    rows.append({"external_id": "urgent", "url": "https://vk.com/wall-1_99",
                 "channel": "social_vk", "kind": "comment", "official": True,
                 "received_at": now - timedelta(minutes=100), "topic": "housing_utilities",
                 "type": "complaint", "masked_text": "Обращение № 77-31: на улице Мира "
                 "нет отопления третий день!"})  # fmt: skip
    rows += [{"external_id": f"s{i}", "received_at": now - timedelta(minutes=2 * i),
              "channel": "telegram", "topic": "housing_utilities", "sentiment": "negative",
              "city": "Ленинский район", "masked_text": f"Холодно в квартире, батареи {i}"}
             for i in range(20)]  # fmt: skip
    insert_rows(store, rows)
    body = "По обращению {номер обращения} на {адрес} бригада уже работает."
    templates.create(store, title="Отопление", topic="housing_utilities", body=body)
    key, _ = create_key(store, "Иванова (пресс-служба)", ["press"])
    with _serving(url) as base:
        yield base, key
    store.close()


@contextlib.contextmanager
def _serving(url: str):
    port = _port()
    server = uvicorn.Server(uvicorn.Config(create_app(database_url=url), host="127.0.0.1",
                                           port=port, log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def demo_desk(tmp_path):
    """`otklik demo` on the third quarter's questions and complaints (a slice, to stay quick)
    and the press stream dated from now; a key with the analyst and press roles."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    lines = [line for line in DEMO_FILE.read_text("utf-8").splitlines(keepends=True)
             if '"received_at": "2026-0' in line and '"survey' not in line]  # fmt: skip
    q3 = [line for line in lines if '"received_at": "2026-07' in line
          or '"received_at": "2026-08' in line or '"received_at": "2026-09' in line]  # fmt: skip
    q2 = [line for line in lines if line not in q3]
    (tmp_path / "demo.jsonl").write_text("".join(q3[::4] + q2[::8]), "utf-8")
    stream = DEMO_FILE.with_name(PRESS_STREAM).read_text("utf-8")
    (tmp_path / PRESS_STREAM).write_text(stream, "utf-8")
    assert main(["demo", "--db", url, "--file", str(tmp_path / "demo.jsonl")]) == 0
    store = Store(url)
    key, _ = create_key(store, "Петров (аналитик)", ["analyst", "press"])
    with _serving(url) as base:
        yield base, key
    store.close()


def _log_in(browser, base: str, key: str) -> None:
    browser.get(base)
    browser.type("#key", key)
    browser.click("#login-form button[type=submit]")


def test_a_press_officer_answers_the_most_urgent_item(desk, tmp_path):
    base, key = desk
    shots = Path(os.environ.get("OTKLIK_SCREENSHOTS", tmp_path))
    with webdriver.chromium() as browser:
        _log_in(browser, base, key)
        browser.wait("return document.querySelector('#c-new') !== null")
        new_before = int(browser.js("return document.querySelector('#c-new').innerText"))
        assert "Всплеск" in browser.js("return document.querySelector('#alerts').innerText")
        assert "Ленинский район" in browser.js("return document.querySelector('#alerts').innerText")
        first = browser.wait("return document.querySelector('#items tbody tr')?.innerText")
        assert "Обращение № 77-31" in first  # the official comment is the most urgent
        browser.wait("return document.querySelector('#take') !== null")  # opened by itself
        (shots / "queue.png").write_bytes(base64.b64decode(browser.screenshot()))
        browser.click("#take")  # click 1
        browser.wait("return document.querySelector('#d-status')?.innerText === 'в работе'")
        browser.click("#detail .use")  # click 2
        answer = browser.js("return document.querySelector('#answer').value")
        assert "77-31" in answer and "улице Мира" in answer and "⟦" not in answer
        browser.click("#answered")  # click 3
        browser.wait("return document.querySelector('#d-status')?.innerText === 'отвечено'")
        browser.wait("return document.querySelector('#c-answered')?.innerText === '1'")
        new_after = int(browser.js("return document.querySelector('#c-new').innerText"))
        assert new_after == new_before - 1
        assert browser.js("return document.querySelector('#error').hidden") is True
        (shots / "answered.png").write_bytes(base64.b64decode(browser.screenshot()))
        browser.click("[data-tab=templates]")
        browser.wait("return document.querySelector('#tpl-list tbody tr')?.innerText")


def test_a_wrong_key_is_told_in_russian(desk):
    base, _ = desk
    with webdriver.chromium() as browser:
        _log_in(browser, base, "no-such-key")
        text = browser.wait("return !document.querySelector('#error').hidden && "
                            "document.querySelector('#error').innerText")  # fmt: skip
        assert "Ключ API не подошёл" in text


def test_an_analyst_sees_the_pain_map_the_faq_and_a_text_explained(demo_desk, tmp_path):
    base, key = demo_desk
    shots = Path(os.environ.get("OTKLIK_SCREENSHOTS", tmp_path))
    with webdriver.chromium() as browser:
        _log_in(browser, base, key)
        alerts = browser.wait("return document.querySelector('#alerts .alert')?.innerText", 60)
        assert "Железнодорожный район" in alerts  # the planted spike of the demo stream
        browser.click("[data-tab=painmap]")
        browser.js("document.querySelector('#p-from').value = '2026-07-01';"
                   "document.querySelector('#p-to').value = '2026-09-30';")  # fmt: skip
        browser.click("#period button[type=submit]")  # the answer for the default period,
        period = "return document.querySelector('#pm-period').innerText"  # if later, is dropped
        browser.wait(f"{period}.includes('2026-07-01')", 60)
        cells = browser.wait("return document.querySelectorAll('#pm-table td.cell').length")
        assert cells >= 3
        heat = browser.js("return document.querySelector('#pm-table').innerText")
        assert "№1" in heat and "%" in heat
        (shots / "painmap.png").write_bytes(base64.b64decode(browser.screenshot()))
        browser.click("[data-tab=faq]")
        rows = browser.wait("return document.querySelectorAll('#faq-table tbody td').length > 5 &&"
                            " document.querySelector('#faq-table').innerText", timeout=60)
        assert "пособие" in rows.lower()  # the planted growing question group
        assert "%" in rows or "новое" in rows
        summary = browser.js("return document.querySelector('#faq-summary').innerText")
        assert re.match(r"Вопросов за период: \d+, за предыдущий: \d+\. Рост", summary), summary
        (shots / "faq.png").write_bytes(base64.b64decode(browser.screenshot()))
        browser.click("[data-tab=metrics]")
        total = browser.wait("return document.querySelector('#m-cards .card b')?.innerText", 60)
        assert int(total) > 100
        (shots / "metrics.png").write_bytes(base64.b64decode(browser.screenshot()))
        browser.click("[data-tab=explain]")
        browser.type("#ex-text", "Третий день нет горячей воды в доме, управляющая компания "
                                 "не отвечает на звонки.")  # fmt: skip
        browser.click("#explain-form button[type=submit]")
        topic = browser.wait("return document.querySelector('#ex-topic')?.innerText", timeout=60)
        assert topic == "ЖКХ" or "жкх" in topic.lower() or "коммун" in topic.lower(), topic
        marked = browser.js("return [...document.querySelectorAll('#ex-text-marked mark.top')]"
                            ".map((m) => m.innerText)")  # fmt: skip
        assert marked and set(marked) & {"горячей", "воды", "управляющая", "компания", "доме"}
        assert browser.js("return document.querySelector('#error').hidden") is True
        (shots / "explain.png").write_bytes(base64.b64decode(browser.screenshot()))
        table = tmp_path / "обращения.csv"
        table.write_text("id;text\n1;В подъезде не работает лифт уже неделю\n", "utf-8")
        browser.click("[data-tab=upload]")
        browser.type("#up-file", str(table))
        browser.click("#upload-form button[type=submit]")
        status = browser.wait("return document.querySelector('#up-link') && "
                              "document.querySelector('#up-status').innerText", timeout=60)
        assert "классифицировано строк — 1" in status and "обращения.otklik.csv" in status
