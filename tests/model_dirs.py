"""Model directories for tests: copies of the built-in model, temporary OTKLIK_HOMEs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from models.constants import DEFAULT_MODEL_DIR
from models.paths import otklik_home

REAL_HOME = otklik_home()  # before any test points OTKLIK_HOME elsewhere


def write_config(directory: Path, **changes) -> None:
    path = directory / "config.json"
    config = json.loads(path.read_text("utf-8")) if path.exists() else {}
    config.update(changes)
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")


def copy_model(target: Path, link_large: bool = False, **changes) -> Path:
    """A copy of the built-in model (large files as symlinks if asked) with config changes."""
    target.mkdir(parents=True)
    for source in DEFAULT_MODEL_DIR.iterdir():
        if link_large and source.stat().st_size > 100_000:
            (target / source.name).symlink_to(source)
        else:
            shutil.copy2(source, target / source.name)
    write_config(target, **changes)
    return target


def new_home(root: Path) -> Path:
    home = root / "home"
    (home / "models").mkdir(parents=True)
    if (REAL_HOME / "encoders").is_dir():  # the converted encoder, not rebuilt per test
        (home / "encoders").symlink_to(REAL_HOME / "encoders")
    return home
