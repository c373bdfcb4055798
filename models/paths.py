"""Where otklik keeps files it builds at run time (converted encoders and the like)."""

from __future__ import annotations

from pathlib import Path

from models.settings import settings

__all__ = ["encoder_cache_dir", "otklik_home"]


def otklik_home() -> Path:
    """Root of otklik's cache: ``$OTKLIK_HOME`` if set, else ``~/.cache/otklik``."""
    return settings().home


def encoder_cache_dir(name: str) -> Path:
    """Directory holding the encoder checkpoint ``name`` (not created here)."""
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"invalid encoder name: {name!r}")
    return settings().encoders_dir / name
