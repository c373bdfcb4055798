"""A few W3C WebDriver calls to Debian's chromedriver over HTTP (httpx): enough to drive the
page in headless Chromium without another dependency."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C web element identifier
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1366,768"]  # fmt: skip


def available() -> bool:
    return bool(shutil.which("chromedriver") and shutil.which("chromium"))


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self, base: str, session: str) -> None:
        self.http = httpx.Client(base_url=f"{base}/session/{session}", timeout=60)

    def call(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(method, path, json=body)
        value = response.json()["value"]
        if response.status_code >= 400:
            raise RuntimeError(f"webdriver {path}: {value}")
        return value

    def get(self, url: str) -> None:
        self.call("POST", "/url", {"url": url})

    def find(self, css: str, timeout: float = 15) -> str:
        deadline = time.time() + timeout
        while True:
            response = self.http.post("/element", json={"using": "css selector", "value": css})
            if response.status_code == 200:
                value = response.json()["value"]
                if ELEMENT not in value:
                    raise RuntimeError(f"webdriver /element: {value}")
                return value[ELEMENT]
            if time.time() > deadline:
                raise AssertionError(f"no element {css}")
            time.sleep(0.2)

    def click(self, css: str) -> None:
        self.call("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        self.call("POST", f"/element/{self.find(css)}/value", {"text": text})

    def js(self, script: str, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait(self, script: str, timeout: float = 15):
        deadline = time.time() + timeout
        while True:
            value = self.js(script)
            if value:
                return value
            if time.time() > deadline:
                raise AssertionError(f"waited in vain for: {script}")
            time.sleep(0.2)

    def screenshot(self) -> str:
        return self.call("GET", "/screenshot")


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    port = _port()
    # its own process group: the browsers it starts go with it, even one that outlives the
    # session's end
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/status", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        capabilities = {"browserName": "chrome", "goog:chromeOptions": {
            "binary": shutil.which("chromium"), "args": FLAGS}}  # fmt: skip
        created = httpx.post(f"{base}/session", json={"capabilities": {
            "alwaysMatch": capabilities}}, timeout=60).json()["value"]  # fmt: skip
        browser = Browser(base, created["sessionId"])
        try:
            yield browser
        finally:
            with contextlib.suppress(httpx.HTTPError):
                browser.http.delete("")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGTERM)
        driver.wait(10)
