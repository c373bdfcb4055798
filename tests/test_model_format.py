"""A model directory states its format version; another version is refused with a clear message."""

from __future__ import annotations

import json

import pytest
from model_dirs import copy_model

from api.cli import main
from models.catalog import ModelFormatError, check_files, read_entry
from models.constants import DEFAULT_MODEL_DIR, MODEL_FORMAT_VERSION


def test_the_built_in_model_states_the_format_it_is_in():
    config = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text("utf-8"))
    assert config["format_version"] == MODEL_FORMAT_VERSION
    check_files(read_entry(DEFAULT_MODEL_DIR, "builtin"))


def test_a_directory_without_the_field_predates_it_and_loads(tmp_path):
    model = copy_model(tmp_path / "old", link_large=True)
    config = json.loads((model / "config.json").read_text("utf-8"))
    del config["format_version"]
    (model / "config.json").write_text(json.dumps(config), "utf-8")
    check_files(read_entry(model, "extra"))


@pytest.mark.parametrize("found", [MODEL_FORMAT_VERSION + 1, 0, "1", True])
def test_another_format_is_refused_by_the_cheap_check_and_by_the_loader(tmp_path, found):
    from models.classifier import ModelConfig

    model = copy_model(tmp_path / "new", link_large=True, format_version=found)
    with pytest.raises(ModelFormatError, match="format"):
        check_files(read_entry(model, "extra"))
    with pytest.raises(ModelFormatError):
        ModelConfig.load(model)


def test_the_cli_says_which_format_and_what_to_do(tmp_path, capsys):
    model = copy_model(tmp_path / "new", link_large=True, format_version=MODEL_FORMAT_VERSION + 1)
    data = tmp_path / "in.jsonl"
    data.write_text('{"text": "Яма на дороге"}\n', "utf-8")
    assert main(["classify", str(data), "--model", str(model), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert f"в формате {MODEL_FORMAT_VERSION + 1}" in err and "обновите otklik" in err
    assert "Traceback" not in err and not (tmp_path / "o.csv").exists()
