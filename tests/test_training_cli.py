"""`otklik train` and `otklik evaluate` end to end on small files, with the real encoder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from api.cli import main
from training.labelled import TrainingError, read_labelled

pytestmark = pytest.mark.slow  # trains models on the encoder

REPO = Path(__file__).resolve().parent.parent
CUSTOM = {"roads": "дороги", "public_transport": "транспорт", "animals": "животные",
          "healthcare": "медицина"}  # fmt: skip


def _examples(per_label: int) -> list[dict]:
    rows, taken = [], dict.fromkeys(CUSTOM, 0)
    for part in sorted((REPO / "datasets" / "examples").glob("*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["topic"] in CUSTOM and taken[row["topic"]] < per_label:
                taken[row["topic"]] += 1
                rows.append({"id": row["id"], "Текст": row["text"], "метка": CUSTOM[row["topic"]]})
    return rows


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory) -> Path:
    rows = _examples(per_label=24)
    rows.append({**rows[0], "id": "dup"})  # a duplicate text
    rows.append({"id": "empty", "Текст": "  ", "метка": "дороги"})
    rows.append({"id": "unlabelled", "Текст": "Когда уберут снег во дворе?", "метка": ""})
    return _write_csv(tmp_path_factory.mktemp("data") / "labelled.csv", rows)


@pytest.fixture(scope="module")
def trained(labelled_csv, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("models") / "my-topics"
    taxonomy = labelled_csv.with_name("names.json")
    taxonomy.write_text(json.dumps({"дороги": "Дороги и тротуары"}, ensure_ascii=False), "utf-8")
    code = main(["train", str(labelled_csv), "--text-col", "Текст", "--label-col", "метка",
                 "--taxonomy", str(taxonomy), "--output", str(output)])  # fmt: skip
    assert code == 0
    return output


def test_train_writes_a_complete_model_directory(trained, capsys):
    for name in ("config.json", "heads.safetensors", "heads.json", "taxonomy.json",
                 "metrics.json", "README.md", "evaluation.html", "confusion.png",
                 "evaluation.json"):  # fmt: skip
        assert (trained / name).is_file(), name
    assert not list(trained.glob("*.pkl")) and not list(trained.glob("*.pickle"))
    config = json.loads((trained / "config.json").read_text("utf-8"))
    assert config["name"] == "my-topics" and config["task"] == "topic"
    assert config["mode"] == "heads"
    metrics = json.loads((trained / "metrics.json").read_text("utf-8"))
    evaluation = metrics["evaluation"]
    assert evaluation["method"] == "kfold" and evaluation["n"] == 96
    assert 0.6 <= evaluation["accuracy"] <= 1.0
    assert metrics["training"]["classes"] == dict.fromkeys(
        ["дороги", "транспорт", "животные", "медицина"], 24
    )
    notes = " ".join(metrics["training"]["notes"])
    assert "пустой текст: 1" in notes and "без метки: 1" in notes and "повторы: 1" in notes
    report = json.loads((trained / "evaluation.json").read_text("utf-8"))
    assert {c["label"] for c in report["per_class"]} == set(CUSTOM.values())
    assert sum(map(sum, report["confusion"]["matrix"])) == 96
    page = (trained / "evaluation.html").read_text("utf-8")
    assert "Матрица ошибок" in page and "Дороги и тротуары" in page
    card = (trained / "README.md").read_text("utf-8")
    assert "labelled.csv" in card and "macro-F1" in card


def test_trained_model_classifies_with_the_analysts_labels(trained):
    from models.classifier import Classifier

    model = Classifier(trained)
    result = model.classify(["На улице Ленина огромные ямы на дороге, асфальт разбит."])[0]
    assert result.topic.id == "дороги" and result.topic.name == "Дороги и тротуары"
    assert set(model.heads) == {"topic", "sentiment", "type", "aspects", "urgency"}
    assert result.sentiment.id == "negative"


def test_evaluate_prints_json_metrics(trained, labelled_csv, capsys, tmp_path):
    code = main(["evaluate", "--model", str(trained), str(labelled_csv), "--text-col", "Текст",
                 "--label-col", "метка", "--json", "--report", str(tmp_path / "r")])  # fmt: skip
    assert code == 0
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert metrics["n"] == 96 and metrics["accuracy"] >= 0.9  # seen in training
    assert metrics["model"]["name"] == "my-topics"
    assert (tmp_path / "r" / "evaluation.html").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--label-col", "нет_такого", "--text-col", "Текст"],
         "Столбец с метками «нет_такого» не найден"),
        (["--label-col", "метка", "--text-col", "text"], "Столбец с текстом «text» не найден"),
    ],
)
def test_missing_columns_are_named(labelled_csv, tmp_path, capsys, args, message):
    code = main(["train", str(labelled_csv), *args, "--output", str(tmp_path / "m")])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Текст" in err and "Traceback" not in err


def test_one_class_and_empty_files_get_clear_messages(tmp_path, capsys):
    one = _write_csv(tmp_path / "one.csv", [{"text": f"Яма на дороге {i}", "label": "дороги"}
                                            for i in range(10)])  # fmt: skip
    assert main(["train", str(one), "--label-col", "label", "-o", str(tmp_path / "m")]) == 2
    assert "хотя бы два класса" in capsys.readouterr().err
    blank = _write_csv(tmp_path / "blank.csv", [{"text": " ", "label": "a"}] * 5)
    assert main(["train", str(blank), "--label-col", "label", "-o", str(tmp_path / "m")]) == 2
    assert "Нет ни одной строки с текстом" in capsys.readouterr().err


def test_a_huge_xlsx_is_refused_with_advice(tmp_path, capsys):
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(50 * 2**20)
    assert main(["train", str(big), "--label-col", "label", "-o", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "50 МБ" in err and "CSV" in err


def test_existing_model_is_not_overwritten_silently(trained, labelled_csv, capsys):
    code = main(["train", str(labelled_csv), "--text-col", "Текст", "--label-col", "метка",
                 "--output", str(trained)])  # fmt: skip
    assert code == 2 and "--overwrite" in capsys.readouterr().err


def test_rare_classes_and_conflicting_duplicates_are_reported(tmp_path):
    rows = [{"text": f"Жалоба номер {i} на дорогу", "label": "дороги"} for i in range(5)]
    rows += [{"text": f"Вопрос {i} про автобус", "label": "транспорт"} for i in range(5)]
    rows += [{"text": "Один пример", "label": "редкий"}]
    rows += [{"text": "Спорный текст", "label": "дороги"},
             {"text": "Спорный текст", "label": "транспорт"}]  # fmt: skip
    data = read_labelled(_write_csv(tmp_path / "d.csv", rows), label_col="label")
    assert data.labels == ["дороги", "транспорт"]
    assert "Спорный текст" not in data.texts  # a tie: dropped
    notes = " ".join(data.notes)
    assert "«редкий» (1)" in notes and "разные метки" in notes
    with pytest.raises(TrainingError, match="Неизвестная задача"):
        read_labelled(tmp_path / "d.csv", label_col="label", task="emotion")


def test_finetune_mode_stores_a_tuned_branch(labelled_csv, tmp_path):
    from models.branch import DELTA_FILE
    from models.classifier import Classifier

    output = tmp_path / "tuned"
    code = main(["train", str(labelled_csv), "--text-col", "Текст", "--label-col", "метка",
                 "--mode", "finetune", "--train-layers", "1", "--epochs", "1", "--eval", "none",
                 "--class-weight", "none", "--output", str(output)])  # fmt: skip
    assert code == 0
    params = json.loads((output / "metrics.json").read_text("utf-8"))["training"]["params"]
    assert params["class_weight"] == "none" and params["train_layers"] == 1
    assert (output / DELTA_FILE).is_file()
    heads = json.loads((output / "heads.json").read_text("utf-8"))
    assert heads["topic"]["input"] == "base+tuned" and heads["sentiment"]["input"] == "base"
    model = Classifier(output)
    assert model.branch is not None
    result = model.classify(["Автобус номер 5 не пришёл, ждали на остановке час."])[0]
    assert result.topic.id == "транспорт"


def test_a_trained_model_goes_into_service_through_the_registry(trained):
    from models.registry import ModelRegistry

    registry = ModelRegistry(roots=[trained.parent])
    listed = {m["name"]: m for m in registry.list()}
    assert listed["my-topics"]["task"] == "topic" and listed["my-topics"]["mode"] == "heads"
    model = registry.activate("my-topics", persist=False)
    assert registry.name_of(model) == "my-topics"
    result = model.classify(["Собаки без хозяина бегают стаей у школы, кусают детей."])[0]
    assert result.topic.id == "животные"
