"""The press desk's page in Debian's headless Chromium against a real server on loopback:
log in with a key, see the alert and the queue, take the most urgent item, answer it from a
filled template, see the counts change."""

from __future__ import annotations

import base64
import os
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
from insights import templates
from insights.fields import utcnow
from insights.keys import create_key
from insights.store import Store

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
    yield base, key
    server.should_exit = True
    thread.join(10)
    store.close()


def test_a_press_officer_answers_the_most_urgent_item(desk, tmp_path):
    base, key = desk
    shots = Path(os.environ.get("OTKLIK_SCREENSHOTS", tmp_path))
    with webdriver.chromium() as browser:
        browser.get(base)
        browser.type("#key", key)
        browser.click("#login-form button[type=submit]")
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
        browser.get(base)
        browser.type("#key", "no-such-key")
        browser.click("#login-form button[type=submit]")
        text = browser.wait("return !document.querySelector('#error').hidden && "
                            "document.querySelector('#error').innerText")  # fmt: skip
        assert "Ключ API не подошёл" in text
