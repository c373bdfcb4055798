"""PNG charts (matplotlib, Agg backend, DejaVu Sans: Cyrillic labels render)."""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.titlesize": 12,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100,
    }
)
ACCENT = "#2b6cb0"
MUTED = "#a0aec0"


def _png(fig, tight: bool = True) -> bytes:
    """`tight` crops to the drawn content (a second drawing pass); the heatmap sets its own
    margins instead, to stay within its time budget."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight" if tight else None, dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def wrap(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(label, width, break_long_words=False)) or label


def growth_label(growth: float | None, new: bool = False) -> str:
    if new or growth is None:
        return "новое"
    return f"{growth * 100:+.0f}%"


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: np.ndarray,
    annotations: Sequence[Sequence[str]],
    *,
    title: str,
    subtitle: str = "",
    colorbar: str = "",
) -> bytes:
    """A matrix coloured by `values` (NaN: empty cell), each cell annotated."""
    n_rows, n_cols = max(len(rows), 1), max(len(columns), 1)
    row_labels = [wrap(r, 42) for r in rows]
    label_chars = max((len(line) for r in row_labels for line in r.split("\n")), default=10)
    left = 0.3 + 0.085 * label_chars  # inches for the row labels (9 pt DejaVu Sans, Cyrillic)
    top = 1.55 if subtitle else 1.2  # title, subtitle, column labels
    width = min(left + 0.4 + 1.15 * n_cols + 1.2, 30)
    height = min(top + 0.3 + 0.48 * n_rows, 32)
    heading = title if not subtitle else f"{title}\n{wrap(subtitle, int(width * 12))}"
    if heading.count("\n") > 2:
        top += 0.2 * (heading.count("\n") - 2)
        height += 0.2 * (heading.count("\n") - 2)
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((left / width, 0.3 / height, (width - left - 1.4) / width,
                       (height - top - 0.3) / height))  # fmt: skip
    colorbar_ax = fig.add_axes(((width - 1.1) / width, 0.3 / height, 0.18 / width,
                                (height - top - 0.3) / height))  # fmt: skip
    masked = np.ma.masked_invalid(values.astype(float)) if values.size else np.ma.zeros((1, 1))
    cmap = plt.get_cmap("YlOrRd").with_extremes(bad="#f7fafc")
    image = ax.imshow(masked, cmap=cmap, aspect="auto")
    ax.set_xticks(range(len(columns)), [wrap(c, 14) for c in columns], fontsize=9)
    ax.set_yticks(range(len(rows)), row_labels, fontsize=9)
    ax.tick_params(top=True, bottom=False, labeltop=True, labelbottom=False, length=0)
    ax.set_xticks(np.arange(-0.5, len(columns), 1), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows), 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    finite = values[np.isfinite(values)] if values.size else np.array([])
    high = float(finite.max()) if finite.size else 1.0
    for i in range(len(rows)):
        for j in range(len(columns)):
            text = annotations[i][j]
            if not text:
                continue
            dark = np.isfinite(values[i, j]) and values[i, j] > 0.6 * high
            ax.text(
                j, i, text, ha="center", va="center", fontsize=8,
                color="white" if dark else "#1a202c",
            )  # fmt: skip
    bar = fig.colorbar(image, cax=colorbar_ax)
    if colorbar:
        bar.set_label(colorbar)
    fig.text(0.01, 1 - 0.12 / height, heading, ha="left", va="top", fontsize=11)
    return _png(fig, tight=False)


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    previous: Sequence[float] | None = None,
    xlabel: str = "",
    limit: int = 15,
) -> bytes:
    """Horizontal bars, largest on top; grey bars for the previous period when given."""
    labels, values = list(labels)[:limit], list(values)[:limit]
    n = max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.38 * n))
    y = np.arange(len(labels))
    if previous is not None:
        prev = list(previous)[:limit]
        ax.barh(y + 0.2, prev, height=0.4, color=MUTED, label="Предыдущий период")
        ax.barh(y - 0.2, values, height=0.4, color=ACCENT, label="Отчётный период")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    else:
        ax.barh(y, values, height=0.6, color=ACCENT)
        for i, v in enumerate(values):
            ax.text(v, i, f" {v:g}", va="center", fontsize=8)
    ax.set_yticks(y, [wrap(str(label), 38) for label in labels], fontsize=9)
    ax.invert_yaxis()
    ax.set_title(title, loc="left")
    if xlabel:
        ax.set_xlabel(xlabel)
    return _png(fig)


def lines(
    x: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    ylabel: str = "",
) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 3.2))
    colors = [ACCENT, MUTED, "#dd6b20", "#38a169"]
    for i, (name, values) in enumerate(series.items()):
        ax.plot(range(len(values)), values, marker="o", color=colors[i % 4], label=name)
    step = max(1, len(x) // 12)
    ax.set_xticks(range(0, len(x), step), [x[i] for i in range(0, len(x), step)], fontsize=8)
    ax.set_title(title, loc="left")
    if ylabel:
        ax.set_ylabel(ylabel)
    if len(series) > 1:
        ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", color="#edf2f7")
    return _png(fig)
