"""How the default model's topic and sentiment heads are trained: the choices
`benchmarks/generalisation.py` compares across sources, and the ones it picked.

A recipe says how to weigh the training rows (per source, per class), whether the taxonomy's
own descriptions join the training rows, and the regularisation of the logistic regression.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.taxonomy import Taxonomy
from training.data import Example

# the words that send a subject to another topic: "… относите к «X»", "… — «X»", "… — к «X»"
_CONNECTOR = re.compile(r"\s*(?:относ\w*|—|\bк|выбирайте)(?:\s+(?:относ\w*|—|к))*\s*$")


@dataclass(frozen=True)
class Recipe:
    name: str
    c: float = 4.0
    dense_scale: float = 3.0
    class_weight: str | None = "balanced"
    # 0: every row weighs 1; 1: every source weighs the same in total; between: n_source^-x
    source_balance: float = 0.0
    # weight of each row made from the taxonomy's descriptions (0: not used)
    descriptions: float = 0.0
    # sources left out of training (source_of names)
    exclude: tuple[str, ...] = ()
    # (source, factor): rows of a source weigh that much more or less (weak labels weigh less)
    source_factors: tuple[tuple[str, float], ...] = ()
    # share of the nearest training examples' vote in the probabilities (0: the head alone)
    neighbours: float = 0.0
    k: int = 10


TOPIC = Recipe("topic", source_balance=0.5, descriptions=2.0)
# CEDR at half weight; sources balanced by the square root of their size: balancing them fully
# scores best across sources (0.541) but costs the bank/telecom tweets 1.3 points in-domain.
SENTIMENT = Recipe(
    "sentiment", class_weight=None, source_balance=0.5, source_factors=(("cedr_emotions", 0.5),)
)


def neighbour_vote(
    query: np.ndarray, examples: np.ndarray, labels: np.ndarray, n_labels: int, k: int
) -> np.ndarray:
    """Label distribution of each query's k most similar examples, weighted by similarity."""
    similarity = query @ examples.T
    top = np.argpartition(-similarity, min(k, len(examples) - 1), axis=1)[:, :k]
    votes = np.zeros((len(query), n_labels))
    rows = np.arange(len(query))[:, None]
    np.add.at(votes, (rows, labels[top]), np.maximum(similarity[rows, top], 0.0))
    return votes / np.maximum(votes.sum(axis=1, keepdims=True), 1e-12)


def source_of(example: Example) -> str:
    """The source a row is balanced and held out by (a dataset, or a block of our examples)."""
    return example.source.split(":")[0] if "project:" not in example.source else example.source


def sample_weights(rows: Sequence[Example], recipe: Recipe) -> np.ndarray:
    """Row weights by the recipe's source balance, scaled to a mean of 1."""
    sources = [source_of(e) for e in rows]
    counts = Counter(sources)
    weights = np.array([counts[s] ** -recipe.source_balance for s in sources], dtype=np.float64)
    factors = dict(recipe.source_factors)
    weights *= np.array([factors.get(s, 1.0) for s in sources])
    description = np.array([s == "taxonomy" for s in sources])
    if description.any():
        weights[description] = recipe.descriptions * weights[~description].mean()
    return weights * len(weights) / weights.sum()


def _topic_by_name(taxonomy: Taxonomy) -> dict[str, str]:
    """Word stems of each topic's name → its id (quoted names are declined)."""
    stems = {}
    for topic in taxonomy.topics:
        for word in re.findall(r"\w+", topic.name.lower()):
            if len(word) >= 3:
                stems.setdefault(word[:5], topic.id)
    return stems


def description_rows(taxonomy: Taxonomy) -> list[Example]:
    """Training rows from the taxonomy's descriptions.

    Each topic's list of subjects gives one row per item; a sentence that sends a subject to
    another topic ("Уборку снега … относите к «Благоустройству»", "Ремонт покрытия —
    «Дороги»") gives a row for that other topic, so the boundary the description draws is the
    boundary the head learns.
    """
    stems = _topic_by_name(taxonomy)
    rows = []

    def add(text: str, topic: str) -> None:
        for item in re.split(r",\s+", text.replace("(", ", ").replace(")", "")):
            item = _CONNECTOR.sub("", item.strip(" .;,:")).strip(" .;,:—")
            if len(item) >= 5 and not item.endswith("-"):
                rows.append(Example(text=item, source="taxonomy", topic=topic))

    for topic in taxonomy.topics:
        if not topic.description or topic.id == "other":
            continue
        for sentence in re.split(r"(?<=\.)\s+", topic.description):
            if "«" not in sentence:
                add(sentence, topic.id)
                continue
            for chunk in re.split(r"»[,;.]?\s*", sentence):
                if "«" not in chunk:
                    continue
                what, target = chunk.split("«", 1)
                word = (re.findall(r"\w+", target.lower()) or [""])[0]
                if word[:5] in stems:
                    add(what, stems[word[:5]])
        rows.append(Example(text=topic.name, source="taxonomy", topic=topic.id))
    return rows
