"""Evaluation of a trained head: the scores, a confusion matrix (PNG and HTML) and its errors.

`evaluate_predictions` computes everything as JSON-ready data; `write_report` puts it in a
directory as `evaluation.json`, `confusion.png` and `evaluation.html` — a page in Russian an
analyst opens in a browser.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from nlp.pii import mask_pii

ERROR_SAMPLE = 30


def evaluate_predictions(
    truth: Sequence[str],
    predicted: Sequence[str],
    confidence: Sequence[float],
    labels: Sequence[str],
    names: dict[str, str],
    texts: Sequence[str],
    rows: Sequence[int] | None = None,
    *,
    seed: int = 0,
) -> dict:
    """Single-label scores; `labels` orders the per-class table and the confusion matrix."""
    truth, predicted = [str(t) for t in truth], [str(p) for p in predicted]
    order = list(labels) + sorted(set(truth) - set(labels))
    p, r, f, support = precision_recall_fscore_support(
        truth, predicted, labels=order, zero_division=0
    )
    per_class = [
        {
            "label": label,
            "name": names.get(label, label),
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(order)
    ]
    present = [label for label, s in zip(order, support, strict=True) if s > 0]
    matrix = confusion_matrix(truth, predicted, labels=order)
    wrong = [i for i, (t, q) in enumerate(zip(truth, predicted, strict=True)) if t != q]
    rng = np.random.default_rng(seed)
    confident = sorted(wrong, key=lambda i: -float(confidence[i]))[: ERROR_SAMPLE // 2]
    rest = [i for i in wrong if i not in set(confident)]
    sampled = list(rng.choice(rest, size=min(len(rest), ERROR_SAMPLE - len(confident)),
                              replace=False)) if rest else []  # fmt: skip
    errors = [
        {
            "row": int(rows[i]) if rows is not None else i + 1,
            "text": mask_pii(texts[i]).masked_text[:600],
            "truth": truth[i],
            "predicted": predicted[i],
            "confidence": round(float(confidence[i]), 3),
        }
        for i in confident + [int(j) for j in sampled]
    ]
    unknown = sorted(set(truth) - set(labels))
    return {
        "kind": "single_label",
        "n": len(truth),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0)), 4
        ),
        "weighted_f1": round(
            float(f1_score(truth, predicted, labels=present, average="weighted", zero_division=0)),
            4,
        ),
        "per_class": per_class,
        "confusion": {"labels": order, "matrix": matrix.tolist()},
        "errors": errors,
        "error_count": len(wrong),
        "unknown_labels": unknown,
    }


def evaluate_multilabel(
    truth: Sequence[Sequence[str]],
    predicted: Sequence[Sequence[str]],
    labels: Sequence[str],
    names: dict[str, str],
    texts: Sequence[str],
    rows: Sequence[int] | None = None,
) -> dict:
    index = {label: j for j, label in enumerate(labels)}
    Y = np.zeros((len(truth), len(labels)), dtype=int)
    P = np.zeros_like(Y)
    for i, (t, q) in enumerate(zip(truth, predicted, strict=True)):
        Y[i, [index[x] for x in t if x in index]] = 1
        P[i, [index[x] for x in q if x in index]] = 1
    p, r, f, support = precision_recall_fscore_support(Y, P, zero_division=0)
    wrong = [i for i in range(len(truth)) if set(truth[i]) != set(predicted[i])]
    return {
        "kind": "multi_label",
        "n": len(truth),
        "exact_match": round(float((Y == P).all(axis=1).mean()), 4),
        "micro_f1": round(float(f1_score(Y, P, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(f1_score(Y, P, average="macro", zero_division=0)), 4),
        "weighted_f1": round(float(f1_score(Y, P, average="weighted", zero_division=0)), 4),
        "per_class": [
            {"label": label, "name": names.get(label, label), "precision": round(float(p[j]), 4),
             "recall": round(float(r[j]), 4), "f1": round(float(f[j]), 4),
             "support": int(support[j])}  # fmt: skip
            for j, label in enumerate(labels)
        ],
        "errors": [
            {"row": int(rows[i]) if rows is not None else i + 1,
             "text": mask_pii(texts[i]).masked_text[:600], "truth": "; ".join(truth[i]),
             "predicted": "; ".join(predicted[i]), "confidence": None}  # fmt: skip
            for i in wrong[:ERROR_SAMPLE]
        ],
        "error_count": len(wrong),
        "unknown_labels": sorted({x for t in truth for x in t} - set(labels)),
    }


def summary(report: dict) -> dict:
    keys = ("n", "accuracy", "macro_f1", "weighted_f1", "micro_f1", "exact_match")
    return {k: report[k] for k in keys if k in report}


def write_report(directory: Path, report: dict, names: dict[str, str], title: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "evaluation.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    if "confusion" in report:
        _confusion_png(directory / "confusion.png", report["confusion"], names)
    (directory / "evaluation.html").write_text(_html(report, names, title), encoding="utf-8")


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _confusion_png(path: Path, confusion: dict, names: dict[str, str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = confusion["labels"]
    matrix = np.array(confusion["matrix"], dtype=float)
    rows = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, rows, out=np.zeros_like(matrix), where=rows > 0)
    size = min(4 + 0.45 * len(labels), 40)
    fig, ax = plt.subplots(figsize=(size + 2, size))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ticks = [_short(names.get(label, label)) for label in labels]
    ax.set_xticks(range(len(labels)), ticks, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), ticks, fontsize=8)
    ax.set_xlabel("Предсказано моделью")
    ax.set_ylabel("Верная метка")
    ax.set_title("Матрица ошибок (доля строк верной метки)")
    if len(labels) <= 30:
        for i in range(len(labels)):
            for j in range(len(labels)):
                if matrix[i, j]:
                    color = "white" if share[i, j] > 0.5 else "black"
                    ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=7,
                            color=color)  # fmt: skip
    fig.colorbar(image, ax=ax, fraction=0.03)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt(value: object) -> str:
    return "—" if value is None else html.escape(str(value))


def _html(report: dict, names: dict[str, str], title: str) -> str:
    metric_names = {
        "n": "строк в оценке", "accuracy": "доля верных (accuracy)",
        "macro_f1": "macro-F1 (среднее по классам)",
        "weighted_f1": "weighted-F1 (с весом по числу строк)",
        "micro_f1": "micro-F1", "exact_match": "точное совпадение набора меток",
    }  # fmt: skip
    parts = [
        "<!doctype html><html lang='ru'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>",
        "body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}"
        "th{background:#f3f3f3}td.n{text-align:right}.low{background:#fde2e2}",
        "</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Итог</h2><table>",
    ]
    for key, name in metric_names.items():
        if key in report:
            parts.append(f"<tr><th>{name}</th><td class='n'>{_fmt(report[key])}</td></tr>")
    parts.append("</table>")
    if report.get("unknown_labels"):
        parts.append(
            "<p>Метки, которых модель не знает (всегда ошибка): "
            + html.escape(", ".join(report["unknown_labels"]))
            + "</p>"
        )
    parts.append(
        "<h2>По классам</h2><table><tr><th>метка</th><th>название</th><th>точность"
        " (precision)</th><th>полнота (recall)</th><th>F1</th><th>строк</th></tr>"
    )
    for c in sorted(report["per_class"], key=lambda c: -c["support"]):
        low = " class='low'" if c["support"] and c["f1"] < 0.5 else ""
        parts.append(
            f"<tr{low}><td>{_fmt(c['label'])}</td><td>{_fmt(c['name'])}</td>"
            f"<td class='n'>{c['precision']:.3f}</td><td class='n'>{c['recall']:.3f}</td>"
            f"<td class='n'>{c['f1']:.3f}</td><td class='n'>{c['support']}</td></tr>"
        )
    parts.append("</table>")
    if "confusion" in report:
        labels = report["confusion"]["labels"]
        matrix = report["confusion"]["matrix"]
        parts.append(
            "<h2>Матрица ошибок</h2><p>Строки — верная метка, столбцы — ответ модели."
            " Картинка: <a href='confusion.png'>confusion.png</a>.</p><table><tr><th></th>"
        )
        parts += [f"<th title='{_fmt(names.get(x, x))}'>{_fmt(x)}</th>" for x in labels]
        parts.append("</tr>")
        for label, row in zip(labels, matrix, strict=True):
            total = sum(row) or 1
            cells = []
            for j, value in enumerate(row):
                alpha = value / total
                hue = "40,110,200" if labels[j] == label else "210,60,60"
                style = f" style='background:rgba({hue},{alpha:.2f})'" if value else ""
                cells.append(f"<td class='n'{style}>{value or ''}</td>")
            parts.append(
                f"<tr><th title='{_fmt(names.get(label, label))}'>{_fmt(label)}</th>"
                + "".join(cells) + "</tr>"
            )
        parts.append("</table>")
    parts.append(
        f"<h2>Примеры ошибок</h2><p>Всего ошибок: {report['error_count']}. Ниже — самые уверенные"
        " ошибки и случайная выборка остальных; персональные данные скрыты.</p>"
        "<table><tr><th>строка</th><th>текст</th><th>верно</th><th>модель</th>"
        "<th>уверенность</th></tr>"
    )
    for e in report["errors"]:
        parts.append(
            f"<tr><td class='n'>{e['row']}</td><td>{_fmt(e['text'])}</td>"
            f"<td>{_fmt(names.get(e['truth'], e['truth']))}</td>"
            f"<td>{_fmt(names.get(e['predicted'], e['predicted']))}</td>"
            f"<td class='n'>{_fmt(e['confidence'])}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)
