"""The layering the README draws, checked on the source: nlp → models → training | insights → api.

Every import (module level or inside a function) must point to the same package or a lower
layer; training and insights do not import each other; no module takes part in a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAYERS = {"nlp": 0, "models": 1, "training": 2, "insights": 2, "api": 3}


def _modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts).removesuffix(".__init__")
            found[name] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports (absolute imports, any depth in the file)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _package(module: str) -> str:
    return module.split(".")[0]


def test_every_import_runs_downward():
    upward = [
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        for target in targets
        if _package(target) != _package(module)
        and LAYERS[_package(target)] >= LAYERS[_package(module)]
    ]
    assert upward == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_settings_and_constants_do_not_import_torch():
    code = (
        "import sys, models.constants, models.settings, models.catalog, nlp.tables;"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_only_the_settings_module_reads_the_environment_and_the_readme_lists_it_all():
    import re

    readers = []
    for package in (*LAYERS, "benchmarks"):
        for path in (REPO / package).rglob("*.py"):
            for line in path.read_text("utf-8").splitlines():
                setting = re.match(r"\s*os\.environ\[[^]]+\]\s*=", line)  # a write, not a read
                if ("os.environ" in line or "getenv" in line) and not setting:
                    readers.append(str(path.relative_to(REPO)))
                    break
    assert readers == ["models/settings.py"]
    read = set(re.findall(r'"(OTKLIK_[A-Z_]+)"', (REPO / "models/settings.py").read_text("utf-8")))
    table = (REPO / "README.md").read_text("utf-8").split("## Настройки", 1)[1].split("\n## ")[0]
    documented = set(re.findall(r"\| `(OTKLIK_[A-Z_]+)` \|", table))
    assert read and read == documented
