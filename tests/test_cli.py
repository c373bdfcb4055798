"""`otklik classify` on small files: every format, bad rows reported and skipped."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from api.cli import main

REPO = Path(__file__).resolve().parent.parent

ROWS = [
    {"id": "1", "text": "На улице Ленина огромные ямы на дороге, машины ломаются"},
    {"id": "2", "text": ""},
    {"id": "3", "text": "Спасибо врачам поликлиники №2 за внимательное отношение!"},
    {"id": "4", "text": "Как встать на учёт в центр занятости и какое пособие положено?"},
]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI in this process (the model loads once per session) and capture its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_console_script_help():
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "classify" in result.stdout and "serve" in result.stdout


@pytest.mark.slow  # loads the encoder
def test_jsonl_with_bad_rows(tmp_path: Path):
    source = tmp_path / "in.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in ROWS] + ["{broken json", "[1, 2]"]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = run_cli("classify", str(source), "-o", str(output))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "3", "4"]
    for key in (
        "topic",
        "topic_score",
        "sentiment",
        "sentiment_score",
        "type",
        "aspects",
        "urgency",
        "region",
        "masked_text",
    ):
        assert key in rows[0]
    assert rows[0]["topic"] == "roads"
    assert rows[1]["sentiment"] == "positive"
    assert "строка 2: пустой текст" in result.stderr
    assert "строка 5: некорректный JSON" in result.stderr
    assert "строка 6: ожидается JSON-объект" in result.stderr
    assert "Классификация" in result.stderr  # the progress bar


@pytest.mark.slow  # loads the encoder
def test_csv_semicolon_and_custom_column(tmp_path: Path):
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["num", "Текст обращения"])
        for row in ROWS:
            writer.writerow([row["id"], row["text"]])
    output = tmp_path / "out.csv"
    result = run_cli("classify", str(source), "-o", str(output), "--text-col", "Текст обращения")
    assert result.returncode == 0, result.stderr
    with output.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["num"] for r in rows] == ["1", "3", "4"]
    assert rows[2]["type"] == "question"


@pytest.mark.slow  # loads the encoder
def test_xlsx_round_trip(tmp_path: Path):
    source = tmp_path / "in.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "text"])
    for row in ROWS:
        sheet.append([int(row["id"]), row["text"] or None])
    book.save(source)
    output = tmp_path / "out.xlsx"
    result = run_cli("classify", str(source), "-o", str(output))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(output).active
    header = [c.value for c in sheet[1]]
    assert {"id", "text", "topic", "sentiment", "masked_text"} <= set(header)
    assert sheet.max_row == 4  # header + three good rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text-col", "body"], "Столбец «body» не найден"),
        (["-o", "out.txt"], "Неподдерживаемый формат"),
    ],
)
def test_clear_errors(tmp_path: Path, args: list[str], message: str):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_cli(
        "classify", str(source), *[a if a != "out.txt" else str(tmp_path / a) for a in args]
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_input_file(tmp_path: Path):
    result = run_cli("classify", str(tmp_path / "nope.csv"))
    assert result.returncode == 2
    assert "Файл не найден" in result.stderr


@pytest.mark.slow  # loads the encoder
def test_faq_command(tmp_path: Path):
    questions = [
        "Как оформить единое пособие на ребёнка?",
        "Какие документы нужны для единого пособия на детей?",
        "Где подать заявление на единое пособие?",
        "Когда отремонтируют дорогу на улице Ленина?",
    ]
    source = tmp_path / "q.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": str(i), "text": q, "region": "RU-03"}, ensure_ascii=False) + "\n"
            for i, q in enumerate(questions)
        )
        + json.dumps({"id": "9", "text": ""})
        + "\n",
        encoding="utf-8",
    )
    output = tmp_path / "faq.json"
    result = run_cli("faq", str(source), "-o", str(output))
    assert result.returncode == 0, result.stderr
    clusters = json.loads(output.read_text(encoding="utf-8"))["clusters"]
    members = sorted(m for c in clusters for m in c["members"])
    assert members == ["0", "1", "2", "3"]  # every question in exactly one group
    assert "строка 5" in result.stderr


@pytest.mark.slow  # loads the encoder
def test_same_rows_same_answers_whatever_the_file(tmp_path: Path):
    """Short appeals classified on their own and inside a file of long ones: identical rows."""
    from test_batch_invariance import LONG, SHORT

    def classify(rows: list[dict], name: str) -> dict[str, dict]:
        source, output = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.out.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        assert run_cli("classify", str(source), "-o", str(output)).returncode == 0
        lines = output.read_text(encoding="utf-8").splitlines()
        return {row["id"]: row for row in map(json.loads, lines)}

    short = [{"id": f"s{i}", "text": t} for i, t in enumerate(SHORT)]
    long = [{"id": f"l{i}", "text": t} for i, t in enumerate(LONG * 10)]
    alone = classify(short, "short")
    mixed = classify(long[:15] + short + long[15:], "mixed")
    for key, row in alone.items():
        for field, value in row.items():
            if field.endswith("_score"):
                assert abs(value - mixed[key][field]) <= 1e-4, (key, field)
            else:
                assert value == mixed[key][field], (key, field)
