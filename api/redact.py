"""Answers name no server path: absolute paths under the places otklik reads models from
(model directories, OTKLIK_HOME, the user's home, the installation) become «…/name»."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from models.settings import settings

_ROOT = Path(__file__).resolve().parent.parent


def _roots(registry) -> list[str]:
    roots = {str(Path.home()), str(_ROOT), sys.prefix, str(settings().home)}
    try:
        roots.update(str(entry.path.parent) for entry in registry.entries())
    except Exception:  # an unreadable model directory: the fixed roots still apply
        pass
    return sorted((r for r in roots if r and r != "/"), key=len, reverse=True)


def scrub(text: str, roots: list[str]) -> str:
    for root in roots:
        text = re.sub(
            re.escape(root) + r"(/[^\s'\"),:;]*)?", lambda m: "…/" + Path(m.group(0)).name, text
        )
    return text


def without_paths(value: Any, registry) -> Any:
    """`value` (JSON-like) with every server path in its strings replaced."""
    roots = _roots(registry)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return scrub(item, roots)
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v) for v in item]
        return item

    return walk(value)
