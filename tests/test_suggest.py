"""What to label next: `training.suggest` on synthetic data, `otklik suggest` on a small file."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from api.cli import main
from training.suggest import normalise_text, plan_selection, select_for_labelling, uncertainty

REPO = Path(__file__).resolve().parent.parent
DIM = 64


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def margin_probs(u: np.ndarray, classes: int = 4) -> np.ndarray:
    """Softmax-like rows whose margin uncertainty 1 - (p1 - p2) equals u."""
    p1 = (1 + (1 - u)) / 2  # p1 - p2 = 1 - u with p1 + p2 = 1
    probs = np.zeros((len(u), classes))
    probs[:, 0], probs[:, 1] = p1, 1 - p1
    return probs


def clustered(sizes: list[int], seed: int = 0, spread: float = 0.6) -> tuple[np.ndarray, list]:
    """Well separated clusters; members differ enough (cosine ~0.7) not to be near-duplicates."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(DIM, len(sizes))))[0].T
    rows, owner = [], []
    for c, size in enumerate(sizes):
        for _ in range(size):
            rows.append(centres[c] + spread * unit(rng.normal(size=DIM)))
            owner.append(c)
    return unit(np.array(rows)), owner


def test_margin_and_threshold_uncertainty():
    probs = np.array([[0.45, 0.45, 0.1], [0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3]])
    assert uncertainty(probs) == pytest.approx([1.0, 0.15, 1.0])
    # margin prefers a 2-way confusion over a sure top label with a long thin tail
    tail = np.array([[0.45, 0.45] + [0.1 / 20] * 20, [0.6] + [0.4 / 20] * 20 + [0.0]])
    assert uncertainty(tail)[0] > uncertainty(tail)[1]
    sig = np.array([[0.9, 0.05], [0.35, 0.0], [0.3, 0.95]])
    scores = uncertainty(sig, "sigmoid", np.array([0.3, 0.5]))
    assert scores[1] == pytest.approx(1 - 0.05 / 0.7)  # 0.35 just over its 0.3 threshold
    assert scores[2] == pytest.approx(1.0)  # exactly on the threshold
    assert scores[1] > scores[0]


def test_most_uncertain_of_each_cluster():
    sizes = [10, 10, 10, 10]
    embeddings, owner = clustered(sizes)
    u = np.random.default_rng(1).uniform(0.05, 0.95, size=len(owner))
    chosen = select_for_labelling(margin_probs(u), embeddings, 4)
    expected = {
        max((i for i in range(len(u)) if owner[i] == c), key=u.__getitem__) for c in range(4)
    }
    assert {s.index for s in chosen} == expected
    assert [s.uncertainty for s in chosen] == sorted((s.uncertainty for s in chosen), reverse=True)
    assert len({owner[s.index] for s in chosen}) == 4


def test_spread_beats_top_uncertainty():
    """One cluster holds all the most uncertain rows: plain top-n would take 5 of it."""
    embeddings, owner = clustered([20, 5, 5, 5, 5])
    u = np.where(np.array(owner) == 0, 0.9, 0.5) + np.linspace(0, 0.01, len(owner))
    chosen = select_for_labelling(margin_probs(u), embeddings, 5)
    assert sorted(owner[s.index] for s in chosen) == [0, 1, 2, 3, 4]


def test_near_and_exact_duplicates_not_both_selected():
    embeddings, owner = clustered([6, 6, 6])
    rng = np.random.default_rng(2)
    near = unit(embeddings[0] + 0.05 * unit(rng.normal(size=DIM)))
    assert float(near @ embeddings[0]) >= 0.97
    embeddings = np.vstack([embeddings, near, embeddings[7]])
    u = np.full(len(embeddings), 0.3)
    u[[0, 18]] = 0.99  # the row and its near-duplicate are both the most uncertain
    u[[7, 19]] = 0.98  # an exact duplicate text (same key)
    keys = [f"текст {i}" for i in range(18)] + ["другой", "Текст 7!"]
    plan = plan_selection(margin_probs(u), embeddings, 100, keys=keys)
    chosen = {s.index for s in plan.selected}
    assert 0 in chosen and 18 not in chosen
    assert 7 in chosen and 19 not in chosen
    assert plan.near_duplicates == 1 and plan.exact_duplicates == 1
    assert len(chosen) == 18
    assert normalise_text("Ёлка,  ЕЛКА!") == "елка елка"


def test_deterministic_and_seed_matters_only_through_kmeans():
    embeddings, _ = clustered([30] * 8, seed=3)
    u = np.random.default_rng(3).uniform(size=len(embeddings))
    probs = margin_probs(u)
    first = select_for_labelling(probs, embeddings, 12, seed=5)
    again = select_for_labelling(probs, embeddings, 12, seed=5)
    assert first == again
    assert len({s.index for s in first}) == 12


def test_n_at_least_rows_returns_all_by_uncertainty():
    embeddings, _ = clustered([4, 4])
    u = np.random.default_rng(4).uniform(size=8)
    chosen = select_for_labelling(margin_probs(u), embeddings, 8)
    assert [s.index for s in chosen] == list(np.argsort(-u))
    assert [s.index for s in select_for_labelling(margin_probs(u), embeddings, 50)] == [
        s.index for s in chosen
    ]
    first = chosen[0]
    assert first.predicted == (0,) and first.runner_up == 1
    assert first.confidence + first.runner_up_probability == pytest.approx(1.0)
    with pytest.raises(ValueError):
        select_for_labelling(margin_probs(u), embeddings, 0)


def test_sigmoid_head_reports_labels_and_the_doubtful_one():
    embeddings, _ = clustered([3, 3])
    probs = np.array([[0.9, 0.1, 0.52]] * 3 + [[0.1, 0.1, 0.1]] * 3)
    chosen = select_for_labelling(probs, embeddings, 1, kind="sigmoid")
    assert chosen[0].index == 0
    assert chosen[0].predicted == (0, 2) and chosen[0].runner_up == 2


# ---------------------------------------------------------------- the command


def run_cli(*args: str) -> subprocess.CompletedProcess:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def sample_rows() -> list[dict]:
    """50 distinct appeals, 4 repeats (one re-typed), 2 empty texts, 3 already labelled."""
    source = REPO / "datasets" / "examples" / "part1.jsonl"
    texts = [json.loads(line)["text"] for line in source.read_text("utf-8").splitlines()[:53]]
    rows = [{"id": f"a{i}", "text": t, "label": ""} for i, t in enumerate(texts[:50])]
    rows += [{"id": f"dup{i}", "text": texts[i], "label": ""} for i in (3, 10, 20)]
    rows.append({"id": "dup-typed", "text": texts[5].upper() + " !!", "label": ""})
    rows += [{"id": "empty1", "text": "", "label": ""}, {"id": "empty2", "text": "  ", "label": ""}]
    rows += [{"id": f"done{i}", "text": t, "label": "roads"} for i, t in enumerate(texts[50:])]
    rows.append({"id": "done-copy", "text": texts[50], "label": ""})  # repeats a labelled text
    return rows


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text", "label"])
        writer.writeheader()
        writer.writerows(rows)


OUR_COLUMNS = [
    "номер_строки",
    "предсказание",
    "предсказание_название",
    "уверенность",
    "второй_вариант",
    "второй_вариант_название",
]


@pytest.mark.slow  # loads the encoder
def test_suggest_command(tmp_path: Path):
    source = tmp_path / "data.csv"
    rows = sample_rows()
    write_csv(source, rows)
    text_of = {r["id"]: r["text"] for r in rows}

    out_xlsx = tmp_path / "next.xlsx"
    result = run_cli("suggest", str(source), "-n", "10", "-o", str(out_xlsx))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(out_xlsx).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["id", "text", "label"] and set(OUR_COLUMNS) <= set(header)
    picked = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(2)]
    assert len(picked) == 10
    assert all(not r["label"] for r in picked)
    assert all(r["text"] == text_of[r["id"]] for r in picked)  # the text as in the input
    assert all(r["предсказание_название"] and 0 < r["уверенность"] <= 1 for r in picked)
    assert "Отобрано 10 из" in result.stdout and str(out_xlsx) in result.stdout
    assert "строка 56: пустой текст" in result.stderr
    assert "Кодирование" in result.stderr  # the progress bar

    # n over the number of rows: every distinct unlabelled text once
    out_csv = tmp_path / "next.csv"
    result = run_cli("suggest", str(source), "-n", "500", "-o", str(out_csv), "--task", "topic")
    assert result.returncode == 0, result.stderr
    with out_csv.open(encoding="utf-8-sig") as handle:
        picked = list(csv.DictReader(handle))
    keys = [normalise_text(r["text"]) for r in picked]
    assert len(keys) == len(set(keys)) <= 50
    ids = {r["id"] for r in picked}
    assert not ids & {"dup3", "dup10", "dup20", "done0", "done1", "done2"}
    assert not {"a5", "dup-typed"} <= ids  # the same text re-typed: at most one of them
    assert "done-copy" not in ids and "empty1" not in ids
    assert all(r["номер_строки"] == str(int(r["id"][1:]) + 2) for r in picked if r["id"][0] == "a")
    assert "совпадают с уже размеченными: 1" in result.stdout
    assert "Уже размечено в файле (не предлагаются): 3" in result.stdout
    assert "--label-col label" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text-col", "body"], "Столбец «body» не найден; есть: id, text, label"),
        (["-n", "0"], "-n должно быть положительным"),
        pytest.param(["--task", "nope"], "У модели нет задачи «nope»", marks=pytest.mark.slow),
    ],
)
def test_suggest_clear_errors(tmp_path: Path, args: list[str], message: str):
    source = tmp_path / "data.csv"
    write_csv(source, sample_rows()[:3])
    result = run_cli("suggest", str(source), "-o", str(tmp_path / "out.csv"), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
