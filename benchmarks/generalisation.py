"""Cross-source evaluation: how the default model's topic and sentiment heads do on a source
they were not trained on — the situation of every new customer.

For every source, the head is trained on all the other sources and scored on that one
(leave one source out). Topic sources: Kursk appeals (accuracy by the category mapping, as the
model card counts it), KZ akimat appeals, and each block of the project's own examples (one
writing style each: part4 is the terse city-portal style). Sentiment sources: bank and telecom
tweets (scored on their test split), bank reviews, restaurant reviews, the project's examples,
and CEDR sentences (weak labels from emotions; only with --cedr). The mean over sources is the
yardstick the default model is chosen by (training/recipes.py).

    python benchmarks/generalisation.py [--task topic|sentiment|both] [--recipes shipped,...]
        [--cedr] [--jobs 2]

Each recipe is a row of the table; the features are the shipped ones (e5 embeddings and
character TF-IDF fitted on the training rows of each split).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.encoders import load_encoder  # noqa: E402
from models.taxonomy import Taxonomy  # noqa: E402
from training import data  # noqa: E402
from training.cross_source import (  # noqa: E402
    Task,
    cross_source_table,
    run_split,
    sentiment_task,
    task_texts,
    topic_task,
)
from training.embeddings import embed_cached  # noqa: E402
from training.recipes import SENTIMENT, TOPIC, Recipe  # noqa: E402

TOPIC_RECIPES = {
    "before (balanced, rows weigh 1)": Recipe("topic"),
    "sqrt class weight": Recipe("topic", class_weight="sqrt"),
    "source balance 0.5": Recipe("topic", source_balance=0.5),
    "source balance 1": Recipe("topic", source_balance=1.0),
    "descriptions ×2": Recipe("topic", descriptions=2.0),
    "neighbours 0.3 (k 10)": dataclasses.replace(TOPIC, neighbours=0.3),
    "neighbours 0.5 (k 10)": dataclasses.replace(TOPIC, neighbours=0.5),
    "C 2": dataclasses.replace(TOPIC, c=2.0),
    "C 8": dataclasses.replace(TOPIC, c=8.0),
    "descriptions ×4": dataclasses.replace(TOPIC, descriptions=4.0),
    "shipped": TOPIC,
}
NO_CEDR = ("cedr_emotions",)
SENTIMENT_RECIPES = {
    "before (no class weight, rows weigh 1)": Recipe(
        "sentiment", class_weight=None, exclude=NO_CEDR
    ),
    "sqrt class weight": Recipe("sentiment", class_weight="sqrt", exclude=NO_CEDR),
    "source balance 0.5": Recipe(
        "sentiment", class_weight=None, source_balance=0.5, exclude=NO_CEDR
    ),
    "source balance 1": Recipe("sentiment", class_weight=None, source_balance=1.0, exclude=NO_CEDR),
    "+ CEDR": Recipe("sentiment", class_weight=None),
    "+ CEDR, source balance 0.5": Recipe("sentiment", class_weight=None, source_balance=0.5),
    "+ CEDR, source balance 1": Recipe("sentiment", class_weight=None, source_balance=1.0),
    "+ CEDR ×0.5, source balance 1": Recipe(
        "sentiment", class_weight=None, source_balance=1.0, source_factors=(("cedr_emotions", 0.5),)
    ),
    "+ CEDR ×0.3, source balance 0.5": Recipe(
        "sentiment", class_weight=None, source_balance=0.5, source_factors=(("cedr_emotions", 0.3),)
    ),
    "+ CEDR, source balance 1, balanced classes": Recipe(
        "sentiment", class_weight="balanced", source_balance=1.0
    ),
    "shipped": SENTIMENT,
}


def long_texts(task: Task, vectors, taxonomy: Taxonomy, encoder, windows: list[int]) -> dict:
    """Kursk appeals past the encoder's window, Kursk held out: first window vs more windows."""
    kursk = "appeals_kursk_2022"
    long = [e for e in task.evaluate[kursk] if len(encoder.tokenize([e.text])[0]) >= 256]
    texts = [e.text for e in long]
    ways = {}
    for count in windows:
        reader = encoder if count == 1 else load_encoder("e5-small", max_chunks=count)
        tag = encoder.name if count == 1 else f"{encoder.name}-windows{count}"
        ways[f" | {count} window(s)"] = dict(
            zip(texts, embed_cached(reader, texts, tag), strict=True)
        )
    scores = run_split(task, kursk, {"shipped": TOPIC}, vectors, taxonomy, long, ways)
    print(f"\nlong texts: {len(long)} Kursk appeals past 256 tokens, Kursk held out (accuracy)")
    for name, value in scores.items():
        print(f"{name:40}{value:8.3f}")
    return scores


def report(task: Task, recipes: dict[str, Recipe], vectors, taxonomy, jobs: int) -> dict:
    table = cross_source_table(task, recipes, vectors, taxonomy, jobs)
    sources = list(table)
    print(f"\n{task.name}: {task.metric} on each source when trained without it")
    width = max(len(s) for s in sources)
    header = "".join(f"{s[:width]:>{width + 2}}" for s in sources)
    core = [s for s in sources if s not in NO_CEDR]  # the mean comparable with and without CEDR
    extra_mean = f"{'mean w/o CEDR':>15}" if len(core) < len(sources) else ""
    print(f"{'recipe':40}{header}{'mean':>8}{extra_mean}")
    summary = {}
    for name in recipes:
        row = [table[s][name] for s in sources]
        summary[name] = {"per_source": dict(zip(sources, row, strict=True)), "mean": np.mean(row)}
        cells = "".join(f"{v:>{width + 2}.3f}" for v in row)
        tail = f"{np.mean([table[s][name] for s in core]):15.3f}" if extra_mean else ""
        print(f"{name:40}{cells}{np.mean(row):8.3f}{tail}")
    counts = ", ".join(f"{s} {len(task.evaluate[s])}" for s in sources)
    print(f"rows scored: {counts}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--task", choices=("topic", "sentiment", "both"), default="both")
    parser.add_argument("--recipes", default="", help="recipe names separated by ; (default: all)")
    parser.add_argument("--cedr", action="store_true", help="CEDR in the sentiment sources")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the tables here")
    parser.add_argument(
        "--long", default="", help="window counts for the long-text check, e.g. 1,2,4 (topic)"
    )
    args = parser.parse_args()

    if not data.kursk_appeals():
        print("../shared/datasets is absent: nothing to measure")
        return
    taxonomy = Taxonomy.load(data.TAXONOMY_DIR / "default.json")
    tasks = []
    if args.task in ("topic", "both"):
        tasks.append((topic_task(taxonomy), TOPIC_RECIPES))
    if args.task in ("sentiment", "both"):
        tasks.append((sentiment_task(taxonomy, args.cedr), SENTIMENT_RECIPES))
    encoder = load_encoder("e5-small")
    out = {}
    for task, recipes in tasks:
        if args.recipes:
            wanted = args.recipes.split(";")
            recipes = {k: v for k, v in recipes.items() if k in wanted}
        texts = task_texts(task, taxonomy)
        vectors = dict(zip(texts, embed_cached(encoder, texts, encoder.name), strict=True))
        if recipes:
            out[task.name] = report(task, recipes, vectors, taxonomy, args.jobs)
        if args.long and task.name == "topic":
            windows = [int(n) for n in args.long.split(",")]
            out["long_texts"] = long_texts(task, vectors, taxonomy, encoder, windows)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=float))


if __name__ == "__main__":
    main()
