"""Names shared by every layer: model directory files, the built-in model, task names.

No heavy imports here (no torch): the store, the CLI and the catalog read it cheaply.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO = PACKAGE_DIR.parent
DEFAULT_MODEL_DIR = PACKAGE_DIR / "default"  # the built-in model shipped with the package
PROJECT_DATASETS = REPO / "datasets"  # the project's own data (third-party: settings.datasets)
EXAMPLES_DIR = PROJECT_DATASETS / "examples"
TAXONOMY_DIR = PROJECT_DATASETS / "taxonomy"
DEFAULT_TAXONOMY_FILE = TAXONOMY_DIR / "default.json"
DEMO_DIR = PROJECT_DATASETS / "demo"
DEMO_FILE = DEMO_DIR / "messages.jsonl"

# Files of a model directory.
CONFIG_FILE = "config.json"
TAXONOMY_FILE = "taxonomy.json"
HEADS_FILE = "heads.json"
HEADS_WEIGHTS_FILE = "heads.safetensors"
DELTA_FILE = "encoder_delta.safetensors"  # fine-tuned encoder layers (models.branch)
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"
REQUIRED_FILES = (CONFIG_FILE, TAXONOMY_FILE, HEADS_FILE, HEADS_WEIGHTS_FILE)

# The model directory format this code reads and writes (config.json "format_version").
MODEL_FORMAT_VERSION = 1

# Tasks: one head each. The taxonomy section that names a task's labels.
TASKS = ("topic", "sentiment", "type", "aspects", "urgency")
TRAINABLE_TASKS = ("topic", "sentiment", "type", "aspects")
TAXONOMY_SECTIONS = {
    "topic": "topics",
    "sentiment": "sentiments",
    "type": "types",
    "aspects": "aspects",
    "urgency": "urgency",
}
TASK_NAMES_RU = {
    "topic": "тема",
    "sentiment": "тональность",
    "type": "тип обращения",
    "aspects": "боли (аспекты)",
    "urgency": "срочность",
}
