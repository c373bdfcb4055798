"""`otklik classify-archive` in local Ray: the labels of `otklik classify`, rejects, resuming."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="Ray is not installed (pip install -e '.[scale]')")
pq = pytest.importorskip("pyarrow.parquet")

pytestmark = pytest.mark.slow  # starts Ray and loads the model in each actor

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "datasets" / "demo" / "messages.jsonl"
COMPARED = ("topic", "sentiment", "type", "aspects", "urgency", "region_code", "masked_text")
MALFORMED = [
    "{broken json",
    '"a string, not an object"',
    '{"id": "m3", "text": ""}',
    '{"id": "m4", "text": "   "}',
    '{"id": "m5"}',
    '{"id": "m6", "text": null}',
    "[1, 2, 3]",
    '{"id": "m8", "text": "без кавычки}',
    r'{"id": "m9", "text": "\t\n"}',
    "{'id': 'm10'}",
]


def otklik(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], cwd=REPO, capture_output=True, text=True,
        timeout=600, **kwargs,
    )  # fmt: skip


def archive_rows(output: Path) -> list[dict]:
    rows = []
    for path in sorted(output.glob("part-*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """90 demo appeals with 10 malformed lines among them."""
    folder = tmp_path_factory.mktemp("archive")
    lines = DEMO.read_text(encoding="utf-8").splitlines()[:90]
    for i, bad in enumerate(MALFORMED):
        lines.insert(5 + i * 9, bad)
    path = folder / "appeals.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def archived(archive, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("out") / "scored"
    done = otklik("classify-archive", str(archive), "-o", str(output), "--workers", "2",
                  "--part-rows", "25")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "отклонено строк: 10" in done.stdout
    return output


def test_the_archive_gets_the_labels_of_otklik_classify_row_for_row(archive, archived, tmp_path):
    plain = tmp_path / "plain.jsonl"
    done = otklik("classify", str(archive), "-o", str(plain))
    assert done.returncode == 0, done.stderr[-3000:]
    expected = [json.loads(line) for line in plain.read_text(encoding="utf-8").splitlines()]
    got = archive_rows(archived)
    assert len(got) == len(expected) == 90
    for mine, theirs in zip(got, expected, strict=True):
        assert mine["id"] == theirs["id"]
        assert set(theirs) <= set(mine)  # the same fields as `otklik classify`
        assert {k: mine[k] for k in COMPARED} == {k: theirs[k] for k in COMPARED}
        assert mine["topic_score"] == pytest.approx(theirs["topic_score"], abs=1e-5)


def test_malformed_rows_go_to_the_rejects_file_with_their_reason(archive, archived):
    rejects = [json.loads(line) for line in (archived / "rejects.jsonl").read_text().splitlines()]
    assert len(rejects) == 10
    lines = archive.read_text(encoding="utf-8").splitlines()
    assert sorted(lines[r["row"] - 1] for r in rejects) == sorted(MALFORMED)
    reasons = " ".join(r["reason"] for r in rejects)
    assert "некорректный JSON" in reasons and "пустой текст" in reasons
    assert all(r["file"] == str(archive.resolve()) for r in rejects)


def test_a_rerun_after_a_kill_skips_the_finished_parts(archive, archived, tmp_path):
    output = tmp_path / "scored"
    command = [sys.executable, "-m", "api.cli", "classify-archive", str(archive), "-o",
               str(output), "--workers", "1", "--part-rows", "10"]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True,
                               stdout=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.time() + 300
    finished = 0
    for line in process.stderr:  # kill the whole job once two parts are on disk
        finished += "готова" in line
        if finished >= 2 or time.time() > deadline:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert finished >= 2, "no part finished before the deadline"
    before = {p.name: p.stat().st_mtime_ns for p in output.glob("part-*.parquet")}
    assert 2 <= len(before) < 10  # killed in the middle: some parts done, not all

    done = otklik(*command[3:])
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"пропущено готовых частей: {len(before)}" in done.stdout
    after = {p.name: p.stat().st_mtime_ns for p in output.glob("part-*.parquet")}
    assert {name: after[name] for name in before} == before  # not redone
    assert len(after) == 10
    resumed = archive_rows(output)
    whole = archive_rows(archived)
    assert [r["id"] for r in resumed] == [r["id"] for r in whole]
    assert [r["topic"] for r in resumed] == [r["topic"] for r in whole]
    assert len((output / "rejects.jsonl").read_text().splitlines()) == 10


def test_another_job_in_the_same_output_folder_is_refused(archived, tmp_path):
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "1", "text": "Когда починят дорогу?"}\n', encoding="utf-8")
    done = otklik("classify-archive", str(other), "-o", str(archived))
    assert done.returncode == 2 and "другого задания" in done.stderr
