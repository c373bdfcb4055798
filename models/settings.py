"""Every environment variable otklik reads, read in one place (README, «Настройки»).

`settings()` reads the environment once per process and keeps the result; `reload()` reads it
again (tests that change the environment). Paths derived from the settings are properties.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.constants import REPO

TRUE_WORDS = frozenset({"1", "true", "yes"})


@dataclass(frozen=True)
class Settings:
    home: Path  # OTKLIK_HOME
    model_dirs: tuple[Path, ...]  # OTKLIK_MODEL_DIRS (os.pathsep-separated)
    topics_dir: Path  # OTKLIK_TOPICS_DIR
    database_url: str | None  # OTKLIK_DATABASE_URL (None: a SQLite file in home)
    store_raw_text: bool  # OTKLIK_STORE_RAW_TEXT
    faq_kb: Path | None  # OTKLIK_FAQ_KB
    datasets: Path  # OTKLIK_DATASETS: third-party data for training and benchmarks
    author_salt: str | None  # OTKLIK_AUTHOR_SALT (None: a random salt kept in home)
    triage_config: Path | None  # OTKLIK_TRIAGE_CONFIG: answer deadlines, working hours (JSON)
    rate_limit: float = 20.0  # OTKLIK_RATE_LIMIT: requests per second per API key (0: none)
    rate_burst: int = 40  # OTKLIK_RATE_BURST: requests a key may send at once
    request_deadline_s: float = 300.0  # OTKLIK_REQUEST_DEADLINE_S: unanswered after → 503

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)

        def text(name: str) -> str:
            return env.get(name, "").strip()

        home = Path(text("OTKLIK_HOME") or Path.home() / ".cache" / "otklik").expanduser()
        return cls(
            home=home,
            model_dirs=tuple(
                Path(p).expanduser() for p in text("OTKLIK_MODEL_DIRS").split(os.pathsep) if p
            ),
            topics_dir=Path(text("OTKLIK_TOPICS_DIR") or home / "topics").expanduser(),
            database_url=text("OTKLIK_DATABASE_URL") or None,
            store_raw_text=text("OTKLIK_STORE_RAW_TEXT").lower() in TRUE_WORDS,
            faq_kb=Path(text("OTKLIK_FAQ_KB")).expanduser() if text("OTKLIK_FAQ_KB") else None,
            datasets=Path(text("OTKLIK_DATASETS") or REPO.parent / "shared" / "datasets"),
            author_salt=text("OTKLIK_AUTHOR_SALT") or None,
            triage_config=(
                Path(text("OTKLIK_TRIAGE_CONFIG")).expanduser()
                if text("OTKLIK_TRIAGE_CONFIG")
                else None
            ),
            rate_limit=_number(text("OTKLIK_RATE_LIMIT"), 20.0, "OTKLIK_RATE_LIMIT"),
            rate_burst=int(_number(text("OTKLIK_RATE_BURST"), 40, "OTKLIK_RATE_BURST")),
            request_deadline_s=_number(
                text("OTKLIK_REQUEST_DEADLINE_S"), 300.0, "OTKLIK_REQUEST_DEADLINE_S"
            ),
        )

    @property
    def encoders_dir(self) -> Path:
        return self.home / "encoders"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def author_salt_file(self) -> Path:
        return self.home / "author_salt"

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{self.home / 'otklik.db'}"


def _number(value: str, default: float, name: str) -> float:
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not number >= 0 or number == float("inf"):
        raise ValueError(f"{name} must be a finite number ≥ 0, not {value!r}")
    return number


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings.from_env()


def reload() -> Settings:
    """Forget the settings read so far and read the environment again."""
    settings.cache_clear()
    return settings()
