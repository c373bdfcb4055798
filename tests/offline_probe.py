"""Run inside a network namespace with loopback only (tests/test_offline.py): the API, a
classification, training of a head and the FAQ grouping, each must work with no network.

    unshare --net -- sh -c 'ip link set lo up && python tests/offline_probe.py WORKDIR'
"""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
TOPICS = ("roads", "public_transport", "animals", "healthcare")


def step(name: str) -> None:
    print(f"== {name}", flush=True)


def otklik(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=REPO, check=True, timeout=900)


def main(work: Path) -> None:
    step("only loopback")
    lines = Path("/proc/net/dev").read_text().splitlines()[2:]  # this namespace's own list
    interfaces = sorted(line.split(":")[0].strip() for line in lines)
    assert interfaces == ["lo"], interfaces
    try:
        socket.create_connection(("192.0.2.1", 80), timeout=3)
    except OSError as exc:
        print(f"outside unreachable: {exc}")
    else:
        raise AssertionError("an outside address answered inside the namespace")

    step("API")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(  # one user on loopback: no keys (README, --no-auth)
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--no-auth"], cwd=REPO
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 300
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.time() < deadline, "server did not start"
            time.sleep(0.5)
        text = "На улице Ленина яма на дороге, машины бьют колёса, прошу отремонтировать"
        answer = httpx.post(f"{url}/v1/classify", json={"text": text}, timeout=120)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        item = body["items"][0] if "items" in body else body
        print("classified:", item["topic"]["id"])
    finally:
        server.terminate()
        server.wait(timeout=30)

    step("classify a file")
    demo = [json.loads(line) for line in
            (REPO / "datasets/demo/messages.jsonl").read_text("utf-8").splitlines()]  # fmt: skip
    appeals = work / "appeals.jsonl"
    appeals.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in demo[:20]))
    otklik("classify", str(appeals), "-o", str(work / "classified.jsonl"))
    assert len((work / "classified.jsonl").read_text("utf-8").splitlines()) == 20

    step("train a head")
    rows, taken = [], dict.fromkeys(TOPICS, 0)
    for part in sorted((REPO / "datasets" / "examples").glob("*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["topic"] in taken and taken[row["topic"]] < 12:
                taken[row["topic"]] += 1
                rows.append({"text": row["text"], "label": row["topic"]})
    labelled = work / "labelled.csv"
    with labelled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows(rows)
    otklik("train", str(labelled), "--label-col", "label", "-o", str(work / "model"))
    assert (work / "model" / "heads.safetensors").is_file()

    step("FAQ grouping")
    questions = work / "questions.jsonl"
    asked = [r for r in demo if r.get("kind") == "question"][:80]
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in asked))
    otklik("faq", str(questions), "--kb", str(REPO / "datasets/demo/faq_kb.jsonl"),
           "-o", str(work / "faq.json"))  # fmt: skip
    assert json.loads((work / "faq.json").read_text("utf-8"))["clusters"]
    print("OFFLINE OK", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
