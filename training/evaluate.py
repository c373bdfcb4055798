"""`otklik evaluate`: the same report as after training, for any model and labelled file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.classifier import DEFAULT_MODEL_DIR, Classifier
from models.constants import TAXONOMY_SECTIONS
from training.evaluation_report import evaluate_multilabel, evaluate_predictions, write_report
from training.labelled import TrainingError, read_labelled

CHUNK = 256


def predict_head(classifier: Classifier, task: str, texts: list[str]) -> tuple[list, np.ndarray]:
    """The head's own answer (argmax, or the thresholds of a multi-label head)."""
    from tqdm import tqdm

    head = classifier.heads[task]
    parts = []
    for start in tqdm(range(0, len(texts), CHUNK), desc="Оценка", unit="пакет"):
        dense, lexical = classifier.features(texts[start : start + CHUNK])
        parts.append(head.predict_proba(dense[head.input], classifier.lexical_for(head, lexical)))
    probs = np.vstack(parts) if parts else np.zeros((0, len(head.labels)))
    if head.kind == "sigmoid":
        chosen = probs >= head.decision_thresholds()
        return [[head.labels[j] for j in np.flatnonzero(r)] for r in chosen], probs
    return [head.labels[i] for i in probs.argmax(axis=1)], probs


def evaluate_file(
    model_dir: Path | None,
    data_path: Path,
    *,
    text_col: str,
    label_col: str,
    task: str | None,
    report_dir: Path | None,
) -> tuple[dict, list[str]]:
    directory = Path(model_dir or DEFAULT_MODEL_DIR)
    if not (directory / "config.json").exists():
        raise TrainingError(f"Каталог модели не найден или неполон: {directory}")
    classifier = Classifier(directory)
    task = task or classifier.config.extra.get("task", "topic")
    if task not in classifier.heads:
        raise TrainingError(f"У модели нет головы «{task}»; есть: {', '.join(classifier.heads)}")
    data = read_labelled(data_path, text_col=text_col, label_col=label_col, task=task,
                         min_per_class=1, min_classes=1)  # fmt: skip
    head = classifier.heads[task]
    names = classifier.taxonomy.names(TAXONOMY_SECTIONS[task])
    predicted, probs = predict_head(classifier, task, data.texts)
    if task == "aspects":
        report = evaluate_multilabel(data.targets, predicted, head.labels, names, data.texts,
                                     data.rows)  # fmt: skip
    else:
        report = evaluate_predictions(data.targets, predicted, probs.max(axis=1), head.labels,
                                      names, data.texts, data.rows)  # fmt: skip
    report["task"] = task
    report["model"] = {"name": classifier.name, "version": classifier.version}
    if report_dir is not None:
        write_report(Path(report_dir), report, names,
                     f"Оценка модели {classifier.name} на «{data_path.name}»")  # fmt: skip
    return report, data.notes
