"""An analyst's labelled file → texts and labels a model can learn from, with plain-Russian notes.

Everything that can be wrong with a spreadsheet ends here with a `TrainingError` (a message for
a person), not a traceback: a missing column, one class, no texts, a file too big to train on
this machine. What is merely untidy (empty labels, duplicates, rare classes) is fixed and
reported in `notes`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from models.constants import TRAINABLE_TASKS
from nlp.clean import clean_text
from nlp.tables import TableError, file_format, read_rows

MAX_XLSX_MB = 20
MAX_FILE_MB = 500
MAX_ROWS = 50_000
MIN_PER_CLASS = 3
NO_ASPECTS = {"-", "нет", "none", "no"}
_SPLIT = re.compile(r"[;,]")


class TrainingError(ValueError):
    """A problem with the training request; the message is for a person (in Russian)."""


@dataclass
class LabelledData:
    texts: list[str]  # cleaned, as the model sees them
    targets: list  # str per row, or list[str] for aspects
    rows: list[int]  # row numbers in the source file
    labels: list[str]  # the label set, most frequent first
    notes: list[str] = field(default_factory=list)

    @property
    def multilabel(self) -> bool:
        return bool(self.targets) and isinstance(self.targets[0], list)

    def counts(self) -> Counter:
        if self.multilabel:
            return Counter(label for t in self.targets for label in t)
        return Counter(self.targets)


def _check_size(path: Path, max_rows: int) -> None:
    if not path.exists():
        raise TrainingError(f"Файл не найден: {path}")
    fmt = file_format(path)
    size_mb = path.stat().st_size / 2**20
    if fmt == ".xlsx" and size_mb > MAX_XLSX_MB:
        raise TrainingError(
            f"Файл XLSX «{path.name}» весит {size_mb:.0f} МБ — больше {MAX_XLSX_MB} МБ, которые"
            " otklik читает из XLSX для обучения. Сохраните лист как CSV (UTF-8) или возьмите"
            f" выборку: для обучения достаточно нескольких тысяч строк (предел — {max_rows})."
        )
    if size_mb > MAX_FILE_MB:
        raise TrainingError(
            f"Файл «{path.name}» весит {size_mb:.0f} МБ — больше {MAX_FILE_MB} МБ. Возьмите"
            f" выборку: для обучения достаточно нескольких тысяч строк (предел — {max_rows})."
        )


def _label_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _aspects(value: str) -> list[str] | None:
    if value.lower() in NO_ASPECTS:
        return []
    parts = sorted({p.strip() for p in _SPLIT.split(value) if p.strip()})
    return parts or None


def read_labelled(
    path: Path,
    *,
    text_col: str = "text",
    label_col: str,
    task: str = "topic",
    max_rows: int = MAX_ROWS,
    min_per_class: int = MIN_PER_CLASS,
    min_classes: int = 2,
) -> LabelledData:
    if task not in TRAINABLE_TASKS:
        choices = ", ".join(TRAINABLE_TASKS)
        raise TrainingError(f"Неизвестная задача «{task}»: выберите одну из {choices}")
    _check_size(path, max_rows)
    notes: list[str] = []
    seen: dict[str, dict[str, int]] = {}  # text -> label key -> count
    first_row: dict[str, int] = {}
    parsed: dict[str, object] = {}
    columns: list[str] = []
    empty_text = empty_label = broken = total = 0
    try:
        for number, row, error in read_rows(path):
            if row is None:
                broken += 1
                if broken <= 3:
                    notes.append(f"строка {number}: {error}; пропущена")
                continue
            total += 1
            if total > max_rows:
                raise TrainingError(
                    f"В файле больше {max_rows} строк — это предел обучения на этой машине."
                    " Возьмите выборку (несколько тысяч строк на класс достаточно) или укажите"
                    " --max-rows, если готовы ждать дольше."
                )
            if not columns:
                columns = [str(c) for c in row]
            if text_col not in row or label_col not in row:
                continue
            text = clean_text("" if row[text_col] is None else str(row[text_col]))
            label = _label_value(row[label_col])
            if not text:
                empty_text += 1
                continue
            if not label:
                empty_label += 1
                continue
            target: object = label
            if task == "aspects":
                target = _aspects(label)
                if target is None:
                    empty_label += 1
                    continue
            key = "|".join(target) if isinstance(target, list) else str(target)
            parsed[key] = target
            seen.setdefault(text, {})
            seen[text][key] = seen[text].get(key, 0) + 1
            first_row.setdefault(text, number)
    except TableError as exc:
        raise TrainingError(str(exc)) from exc
    for column, kind in ((text_col, "с текстом"), (label_col, "с метками")):
        if total and column not in columns:
            raise TrainingError(
                f"Столбец {kind} «{column}» не найден; в файле есть: {', '.join(columns)}."
                f" Укажите нужный через {'--text-col' if column == text_col else '--label-col'}"
            )
    if not total:
        raise TrainingError(f"В файле «{path.name}» нет ни одной строки с данными")

    texts, targets, rows = [], [], []
    duplicates = conflicts = 0
    for text, by_label in seen.items():
        duplicates += sum(by_label.values()) - 1
        ranked = sorted(by_label.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1:
            conflicts += 1
            if ranked[0][1] == ranked[1][1]:
                continue  # a tie: no way to tell which label is right
        texts.append(text)
        targets.append(parsed[ranked[0][0]])
        rows.append(first_row[text])
    if empty_text:
        notes.append(f"пустой текст: {empty_text} строк пропущено")
    if empty_label:
        notes.append(f"без метки: {empty_label} строк пропущено (не размечены)")
    if broken > 3:
        notes.append(f"ещё {broken - 3} нечитаемых строк пропущено")
    if duplicates:
        notes.append(
            f"повторы: {duplicates} строк повторяют уже встреченный текст и учтены один раз"
            + (f"; у {conflicts} текстов разные метки — взята частая, ничьи исключены"
               if conflicts else "")  # fmt: skip
        )
    if not texts:
        raise TrainingError(
            f"Нет ни одной строки с текстом («{text_col}») и меткой («{label_col}»)"
        )

    data = LabelledData(texts, targets, rows, [], notes)
    counts = data.counts()
    rare = sorted(label for label, n in counts.items() if n < min_per_class)
    if rare and task != "aspects":
        keep = [i for i, t in enumerate(targets) if t not in rare]
        shown = ", ".join(f"«{r}» ({counts[r]})" for r in rare[:10])
        more = f" и ещё {len(rare) - 10}" if len(rare) > 10 else ""
        notes.append(
            f"редкие классы: {shown}{more} — меньше {min_per_class} примеров, строки исключены;"
            " добавьте примеры, чтобы модель их выучила"
        )
        data = LabelledData(
            [texts[i] for i in keep], [targets[i] for i in keep], [rows[i] for i in keep], [],
            notes,
        )
        counts = data.counts()
    if task == "aspects":
        rare_aspects = [label for label, n in counts.items() if n < min_per_class]
        if rare_aspects:
            notes.append(
                "редкие аспекты (меньше "
                f"{min_per_class} примеров): {', '.join(sorted(rare_aspects)[:10])} — не обучаются"
            )
        counts = Counter({k: v for k, v in counts.items() if v >= min_per_class})
    if len(counts) < min_classes:
        only = ", ".join(f"«{k}»" for k in counts) or "нет"
        raise TrainingError(
            f"Для обучения нужны хотя бы два класса с {min_per_class}+ примерами; есть: {only}"
        )
    data.labels = [label for label, _ in counts.most_common()]
    return data
