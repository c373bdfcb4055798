"""`otklik train`: an analyst's labelled data → a complete model directory with its evaluation.

Two modes:
* ``heads`` — a logistic-regression head on the frozen encoder's embeddings plus word and
  character n-gram TF-IDF fitted on the analyst's texts (minutes). Evaluated out-of-fold
  (5 folds; the TF-IDF vocabulary is fitted once on all texts, labels are never seen).
* ``finetune`` — the top layers of the encoder are trained on the task first (the frozen
  bottom's output is cached, see training/finetune.py), then the same head is fitted on the
  frozen and the tuned embeddings side by side (the tuned ones alone overfit small data).
  Evaluated on a stratified held-out split, then refitted on everything.

The new model is the base model with the trained task's head replaced: its other heads
(sentiment, type, aspects, urgency…) keep working. A fine-tuned model stores only its top
layers (`encoder_delta.safetensors`), which run as a branch beside the base encoder's.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.model_selection import StratifiedKFold, train_test_split

from models.classifier import BOTH, Classifier
from models.constants import (
    DEFAULT_MODEL_DIR,
    DELTA_FILE,
    MODEL_FORMAT_VERSION,
    TAXONOMY_SECTIONS,
    TRAINABLE_TASKS,
)
from models.features import CharTfidf
from models.heads import LinearHead, save_heads
from models.taxonomy import OTHER_TOPIC, Label
from training.evaluation_report import (
    evaluate_multilabel,
    evaluate_predictions,
    summary,
    write_report,
)
from training.finetune import Task, finetune, save_delta
from training.labelled import LabelledData, TrainingError
from training.linear import fit_sigmoid_head, fit_softmax_head
from training.model_card import trained_card, write_card

ENCODE_CHUNK = 256
NOT_COPIED = {"README.md", "metrics.json", "evaluation.json", "evaluation.html", "confusion.png"}
WORD_TFIDF = {"analyzer": "word", "ngram_range": [1, 2], "min_df": 2, "max_features": 30000,
              "sublinear_tf": True, "lowercase": True}  # fmt: skip
CHAR_TFIDF = {"analyzer": "char_wb", "ngram_range": [2, 5], "min_df": 2, "max_features": 50000,
              "sublinear_tf": True, "lowercase": True}  # fmt: skip


@dataclass
class TrainOptions:
    task: str = "topic"
    mode: str = "heads"
    base: Path = DEFAULT_MODEL_DIR
    output: Path = Path("model")
    name: str | None = None
    evaluation: str = "auto"  # auto | kfold | holdout | none
    folds: int = 5
    test_size: float = 0.2
    seed: int = 0
    epochs: float = 3.0
    train_layers: int = 4
    learning_rate: float = 1e-4
    max_length: int = 256
    # Inverse regularisation and the weight of the embeddings against the TF-IDF columns:
    # 2 / 2 against the default model's 4 / 3: +0.5 / +1 points on Kursk categories and
    # RuSentiment, -0.7 / -0.5 on Kursk executors and tweets (benchmarks/retrain.py splits).
    c: float = 2.0
    dense_scale: float = 2.0
    # "sqrt" against "balanced": Kursk category accuracy / macro-F1 0.809 / 0.812 vs 0.800 /
    # 0.810, executors 0.458 vs 0.454, tweets macro-F1 0.676 vs 0.665 (benchmarks/retrain.py);
    # None (plain likelihood) is best for weighted F1: RuSentiment 0.730 vs 0.722
    class_weight: str | None = "sqrt"
    overwrite: bool = False
    taxonomy: dict[str, dict] = field(default_factory=dict)  # label -> {name, description}
    source: str = ""

    def evaluation_method(self) -> str:
        if self.evaluation != "auto":
            return self.evaluation
        return "kfold" if self.mode == "heads" else "holdout"


def read_taxonomy_file(path: Path, task: str) -> dict[str, dict]:
    """Label names: {"id": "name"}, or a taxonomy JSON with a section of {id, name, …}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrainingError(f"Не удалось прочитать таксономию «{path}»: {exc}") from exc
    if isinstance(data, dict) and TAXONOMY_SECTIONS[task] in data:
        items = data[TAXONOMY_SECTIONS[task]]
        return {str(i["id"]): {k: v for k, v in i.items() if k != "id"} for i in items}
    if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        return {str(k): {"name": v} for k, v in data.items()}
    raise TrainingError(
        f"Таксономия «{path.name}»: ожидается {{\"метка\": \"название\"}} или JSON с разделом"
        f" «{TAXONOMY_SECTIONS[task]}» из объектов {{id, name, description}}"
    )


class Trainer:
    def __init__(
        self,
        options: TrainOptions,
        base: Classifier | None = None,
        encode_base: Callable[[list[str]], np.ndarray] | None = None,
    ) -> None:
        """`encode_base` replaces the frozen encoder's embedding (a cache, in benchmarks)."""
        self.options = options
        self.encode_base = encode_base
        if options.task not in TRAINABLE_TASKS:
            raise TrainingError(f"Неизвестная задача «{options.task}»")
        if options.mode not in ("heads", "finetune"):
            raise TrainingError(f"Неизвестный режим «{options.mode}»: heads или finetune")
        if not (Path(options.base) / "config.json").exists():
            raise TrainingError(f"Базовая модель не найдена: {options.base}")
        if options.mode == "finetune" and options.task == "aspects":
            raise TrainingError(
                "Режим finetune — для задач с одной меткой (topic, sentiment, type); для аспектов"
                " используйте --mode heads"
            )
        if options.mode == "finetune" and (Path(options.base) / DELTA_FILE).exists():
            raise TrainingError(
                "Базовая модель уже дообучена (encoder_delta.safetensors): дообучение строится от"
                " модели без дельты, например --base models/default"
            )
        self.base = base or Classifier(Path(options.base))
        self.dense_scale = float(options.dense_scale)
        self._base_dense: tuple | None = None
        self.lexicon: dict[str, CharTfidf] = {}

    # ------------------------------------------------------------------ features

    def _fit_lexicon(self, texts: list[str]) -> None:
        """Word and character n-gram TF-IDF of the analyst's own texts (their place names,
        institutions and jargon are what the base vocabulary lacks)."""
        self.lexicon = {
            f"{self.options.task}_words": CharTfidf(WORD_TFIDF).fit(texts),
            f"{self.options.task}_chars": CharTfidf(CHAR_TFIDF).fit(texts),
        }

    def _lexical(self, texts: list[str]):
        return sparse.hstack([v.transform(texts) for v in self.lexicon.values()], format="csr")

    def _encode(self, texts: list[str], branch=None, desc: str = "Эмбеддинги") -> np.ndarray:
        from tqdm import tqdm

        width = self.base.encoder.dim * (1 if branch is None else 2)
        out = np.zeros((len(texts), width), dtype=np.float32)
        for start in tqdm(range(0, len(texts), ENCODE_CHUNK), desc=desc, unit="пакет"):
            chunk = texts[start : start + ENCODE_CHUNK]
            if branch is None:
                out[start : start + len(chunk)] = self.base.encoder.encode(chunk)
            else:
                out[start : start + len(chunk)] = np.hstack(
                    self.base.encoder.encode_branches(chunk, branch)
                )
        return out

    def _finetune(self, texts: list[str], targets: list[str], labels: list[str]) -> dict:
        from models.encoders import load_encoder

        o = self.options
        trainable = load_encoder(self.base.config.encoder, precision="fp32",
                                 max_length=o.max_length)  # fmt: skip
        delta = finetune(
            trainable.model,
            trainable.tokenizer,
            [Task(o.task, texts, targets, labels)],
            prefix=trainable.prefix,
            train_layers=o.train_layers,
            epochs=o.epochs,
            max_length=o.max_length,
            learning_rate=o.learning_rate,
            seed=o.seed,
        )
        del trainable
        return delta

    def _fit(self, dense, lexical, targets, labels, folds: int):
        o = self.options
        if o.task == "aspects":
            Y = np.array([[int(label in t) for label in labels] for t in targets])
            return fit_sigmoid_head(o.task, dense, lexical, Y, labels,
                                    dense_scale=self.dense_scale, c=o.c, folds=folds,
                                    seed=o.seed)  # fmt: skip
        return fit_softmax_head(o.task, dense, lexical, targets, labels,
                                dense_scale=self.dense_scale, c=o.c, folds=folds,
                                seed=o.seed, class_weight=o.class_weight)  # fmt: skip

    def _features(self, texts: list[str], delta: dict | None):
        """Embeddings (frozen or tuned) and the TF-IDF of the lexicon fitted last."""
        if delta is None:
            if self._base_dense is None or self._base_dense[0] != texts:
                encode = self.encode_base or self._encode
                self._base_dense = (list(texts), encode(texts))
            return self._base_dense[1], self._lexical(texts)
        branch = self.base.encoder.tuned_branch(delta)
        return self._encode(texts, branch, "Эмбеддинги (дообученные слои)"), self._lexical(texts)

    # ------------------------------------------------------------------ evaluation

    def _predict(self, head: LinearHead, dense, lexical) -> tuple[list, np.ndarray]:
        probs = head.predict_proba(dense, lexical if head.uses_sparse else None)
        if head.kind == "sigmoid":
            chosen = probs >= head.decision_thresholds()
            return [[head.labels[j] for j in np.flatnonzero(row)] for row in chosen], probs
        return [head.labels[i] for i in probs.argmax(axis=1)], probs

    def _report(self, data: LabelledData, idx, predicted, probs, names) -> dict:
        truth = [data.targets[i] for i in idx]
        texts = [data.texts[i] for i in idx]
        rows = [data.rows[i] for i in idx]
        if self.options.task == "aspects":
            return evaluate_multilabel(truth, predicted, data.labels, names, texts, rows)
        return evaluate_predictions(truth, predicted, probs.max(axis=1), data.labels, names,
                                    texts, rows, seed=self.options.seed)  # fmt: skip

    def _evaluate(self, data: LabelledData, names: dict[str, str]) -> tuple[dict | None, dict]:
        """(report, what was done) before the final fit; heads k-fold reuses the final fit."""
        o = self.options
        method = o.evaluation_method()
        if method == "none":
            return None, {"method": "none"}
        n = len(data.texts)
        strat = None if data.multilabel else data.targets
        if method == "holdout":
            train_idx, test_idx = train_test_split(
                np.arange(n), test_size=o.test_size, random_state=o.seed, stratify=strat
            )
            splits = [(train_idx, test_idx)]
        elif o.mode == "heads":
            return None, {"method": "kfold", "folds": o.folds}  # out-of-fold from the final fit
        else:
            splitter = StratifiedKFold(n_splits=o.folds, shuffle=True, random_state=o.seed)
            splits = list(splitter.split(np.zeros(n), data.targets))
        order, predicted, probs = [], [], []
        for fold, (train_idx, test_idx) in enumerate(splits, start=1):
            if len(splits) > 1:
                print(f"Оценка: блок {fold} из {len(splits)}")
            fold_pred, fold_probs = self.fit_predict(
                [data.texts[i] for i in train_idx],
                [data.targets[i] for i in train_idx],
                data.labels,
                [data.texts[i] for i in test_idx],
            )
            order.extend(int(i) for i in test_idx)
            predicted.extend(fold_pred)
            probs.append(fold_probs)
        report = self._report(data, order, predicted, np.vstack(probs), names)
        info = {"method": method, "test_size": o.test_size} if method == "holdout" else {
            "method": method, "folds": o.folds}  # fmt: skip
        return report, info

    def fit_predict(
        self, train_texts: list[str], train_targets: list, labels: list[str], test_texts: list[str]
    ) -> tuple[list, np.ndarray]:
        """Train as the final model would be trained, on a part of the data; predict the rest."""
        delta = None
        if self.options.mode == "finetune":
            delta = self._finetune(train_texts, train_targets, labels)
        self._fit_lexicon(train_texts)
        texts = list(train_texts) + list(test_texts)
        dense, lexical = self._features(texts, delta)
        train_idx = np.arange(len(train_texts))
        test_idx = np.arange(len(train_texts), len(texts))
        head, _ = self._fit(dense[train_idx], _rows(lexical, train_idx), train_targets, labels,
                            folds=3)  # fmt: skip
        return self._predict(head, dense[test_idx], _rows(lexical, test_idx))

    # ------------------------------------------------------------------ the whole run

    def label_names(self, labels: list[str]) -> dict[str, dict]:
        section = TAXONOMY_SECTIONS[self.options.task]
        known = {label.id: label for label in getattr(self.base.taxonomy, section)}
        out = {}
        for label in labels:
            given = self.options.taxonomy.get(label)
            if given:
                out[label] = {"name": str(given.get("name", label)),
                              "description": str(given.get("description", ""))}  # fmt: skip
            elif label in known:
                out[label] = {"name": known[label].name, "description": known[label].description}
            else:
                out[label] = {"name": label, "description": ""}
        return out

    def train(self, data: LabelledData) -> dict:
        o = self.options
        started = time.time()
        output = Path(o.output)
        if (output / "config.json").exists() and not o.overwrite:
            raise TrainingError(f"В «{output}» уже есть модель: укажите другой --output или"
                                " --overwrite")  # fmt: skip
        label_info = self.label_names(data.labels)
        names = {label: info["name"] for label, info in label_info.items()}
        report, evaluation = self._evaluate(data, names)

        delta = None
        if o.mode == "finetune":
            print("Итоговая модель: дообучение на всех данных")
            delta = self._finetune(data.texts, data.targets, data.labels)
        self._fit_lexicon(data.texts)
        dense, lexical = self._features(data.texts, delta)
        head, oof = self._fit(dense, lexical, data.targets, data.labels, folds=o.folds)
        head.input = BOTH if delta is not None else "base"
        head.lexical = tuple(self.lexicon)
        if report is None and evaluation["method"] == "kfold":
            if o.task == "aspects":
                chosen = oof >= head.decision_thresholds()
                predicted = [[head.labels[j] for j in np.flatnonzero(r)] for r in chosen]
            else:
                predicted = [head.labels[i] for i in oof.argmax(axis=1)]
            report = self._report(data, range(len(data.texts)), predicted, oof, names)
        head.metrics = summary(report) if report else {}
        elapsed = time.time() - started
        self._write(output, head, delta, data, label_info, report, evaluation, elapsed)
        return {"report": report, "evaluation": evaluation, "seconds": round(elapsed, 1)}

    def _write(self, output, head, delta, data, label_info, report, evaluation, elapsed) -> None:
        o = self.options
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
        try:
            base_dir = Path(o.base)
            for path in base_dir.iterdir():
                if path.is_file() and path.name not in NOT_COPIED and not (
                    path.name == DELTA_FILE and delta is not None
                ):
                    shutil.copy2(path, staging / path.name)
            for stem, lexicon in self.lexicon.items():
                lexicon.save(staging, stem)
            if delta is not None:
                if any(h.input != "base" for k, h in self.base.heads.items() if k != o.task):
                    raise TrainingError("Базовая модель использует другую дельту кодировщика")
                save_delta(delta, staging)
            heads = dict(self.base.heads)
            heads[o.task] = head
            save_heads(staging, heads)
            self._write_taxonomy(staging, label_info)
            config = json.loads((staging / "config.json").read_text("utf-8"))
            now = datetime.now(UTC)
            config.update({
                "format_version": MODEL_FORMAT_VERSION,
                "name": o.name or output.name,
                "version": now.strftime("%Y.%m.%d-%H%M%S"),
                "task": o.task,
                "mode": o.mode,
                "base": f"{self.base.name} {self.base.version}",
                "trained_at": now.isoformat(timespec="seconds"),
                "training_seconds": round(elapsed, 1),
            })  # fmt: skip
            if o.task == "topic":
                config["other_threshold"] = 0.0  # the analyst's label set is closed
            (staging / "config.json").write_text(
                json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            metrics = {
                "task": o.task,
                "mode": o.mode,
                "evaluation": {**evaluation, **(summary(report) if report else {})},
                "training": self._training_info(data, elapsed),
            }
            (staging / "metrics.json").write_text(
                json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            names = {label: info["name"] for label, info in label_info.items()}
            if report is not None:
                write_report(staging, report, names, f"Оценка модели {config['name']}")
            write_card(staging, trained_card(config, metrics, report, names))
            if output.exists():
                shutil.rmtree(output)
            staging.rename(output)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def _training_info(self, data: LabelledData, elapsed: float) -> dict:
        o = self.options
        return {
            "source": o.source,
            "rows": len(data.texts),
            "classes": dict(data.counts().most_common()),
            "notes": data.notes,
            "seed": o.seed,
            "params": {"c": o.c, "dense_scale": self.dense_scale,
                       "class_weight": o.class_weight or "none", **(
                {"epochs": o.epochs, "train_layers": o.train_layers,
                 "learning_rate": o.learning_rate, "max_length": o.max_length}
                if o.mode == "finetune" else {})},  # fmt: skip
            "seconds": round(elapsed, 1),
        }

    def _write_taxonomy(self, directory: Path, label_info: dict[str, dict]) -> None:
        section = TAXONOMY_SECTIONS[self.options.task]
        labels = [Label(id=k, name=v["name"], description=v["description"])
                  for k, v in label_info.items()]  # fmt: skip
        if self.options.task == "topic" and OTHER_TOPIC not in label_info:
            labels.append(Label(id=OTHER_TOPIC, name="Другое"))
        replace(self.base.taxonomy, **{section: labels}).save(directory / "taxonomy.json")


def _rows(matrix, idx):
    return None if matrix is None else matrix[idx]
