"""`otklik suggest`: which unlabelled rows an analyst should label next (messages in Russian).

    otklik suggest [--model DIR] DATA -n 200 -o FILE.xlsx [--text-col text] [--task topic]
                   [--label-col label]

The output holds the chosen rows as they are in DATA (the analyst owns that file), their row
numbers, the model's guess and runner-up, and an empty label column to fill in. Texts are never
printed or logged, only counts.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli_support import UserError, load_classifier
from models.constants import TAXONOMY_SECTIONS
from nlp.tables import RowWriter, file_format, read_rows, require_column

BATCH_SIZE = 64
DEFAULT_N = 200
ROW_COLUMN = "номер_строки"

if TYPE_CHECKING:
    import numpy as np


def register(commands) -> None:
    """Add `suggest` to `otklik`'s subparsers (it sets `handler`)."""
    suggest = commands.add_parser(
        "suggest", help="что разметить дальше: строки, в которых модель сомневается больше всего"
    )
    suggest.add_argument(
        "input", type=Path, metavar="DATA", help="неразмеченные данные: CSV, XLSX или JSONL"
    )
    suggest.add_argument(
        "-n", type=int, default=DEFAULT_N, help=f"сколько строк отобрать ({DEFAULT_N})"
    )
    suggest.add_argument(
        "-o", "--output", type=Path, required=True, help="выходной файл: CSV или XLSX"
    )
    suggest.add_argument("--model", type=Path, default=None, help="каталог модели")
    suggest.add_argument("--text-col", default="text", help="столбец с текстом (text)")
    suggest.add_argument(
        "--task",
        default=None,
        help="задача (голова модели): topic, sentiment, type, aspects, urgency;"
        " по умолчанию — задача модели или topic",
    )
    suggest.add_argument(
        "--label-col",
        default="label",
        help="столбец для разметки (label); уже размеченные строки не предлагаются",
    )
    suggest.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    suggest.set_defaults(handler=run_suggest)


@dataclass
class Candidates:
    """The unlabelled rows of DATA and what was left out of them."""

    rows: list[tuple[int, dict, str]] = field(default_factory=list)  # number, row, clean text
    labelled: int = 0
    same_as_labelled: int = 0
    problems: list[str] = field(default_factory=list)


def run_suggest(args: argparse.Namespace) -> int:
    if args.n <= 0:
        raise UserError(f"-n должно быть положительным числом, получено {args.n}")
    file_format(args.output)
    if args.output.resolve() == args.input.resolve():
        raise UserError("Выходной файл совпадает с входным: укажите другой через -o")
    rows = list(read_rows(args.input))
    require_column(rows, args.text_col)
    classifier = load_classifier(args.model)
    task = args.task or classifier.config.extra.get("task") or "topic"
    if task not in classifier.heads:
        raise UserError(
            f"У модели нет задачи «{task}»; есть: {', '.join(classifier.heads)}. Укажите --task"
        )
    candidates = collect_candidates(rows, args.text_col, args.label_col)
    for problem in candidates.problems:
        print(problem, file=sys.stderr)
    if not candidates.rows:
        raise UserError(
            "Нет неразмеченных строк с текстом: все строки пустые или уже размечены"
            f" (столбец «{args.label_col}»)"
        )
    probs, embeddings = encode(classifier, task, [text for _, _, text in candidates.rows])
    plan = _plan(classifier, task, probs, embeddings, candidates, args)
    write_suggestions(args.output, classifier, task, plan.selected, candidates, args.label_col)
    _summary(args, task, plan, candidates)
    return 0


def _is_filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def collect_candidates(rows: list, text_col: str, label_col: str) -> Candidates:
    """Rows with a text and an empty label; rows whose text repeats a labelled one are dropped."""
    from nlp.clean import clean_text
    from training.suggest import normalise_text

    out = Candidates()
    labelled_keys: set[str] = set()
    for number, row, error in rows:
        if row is None:
            out.problems.append(f"строка {number}: {error}; пропущена")
            continue
        value = row.get(text_col)
        text = clean_text("" if value is None else str(value))
        if not text:
            out.problems.append(f"строка {number}: пустой текст; пропущена")
            continue
        if _is_filled(row.get(label_col)):
            out.labelled += 1
            labelled_keys.add(normalise_text(text))
            continue
        out.rows.append((number, row, text))
    if labelled_keys:
        kept = [r for r in out.rows if normalise_text(r[2]) not in labelled_keys]
        out.same_as_labelled = len(out.rows) - len(kept)
        out.rows = kept
    return out


def encode(classifier, task: str, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The task head's probabilities and the base embeddings of `texts`, with a progress bar."""
    import numpy as np
    from tqdm import tqdm

    head = classifier.heads[task]
    probs: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    with tqdm(total=len(texts), desc="Кодирование", unit="стр") as progress:
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start : start + BATCH_SIZE]
            dense, lexical = classifier.features(batch)
            probs.append(
                head.predict_proba(dense[head.input], classifier.lexical_for(head, lexical))
            )
            vectors.append(dense["base"])
            progress.update(len(batch))
    return np.vstack(probs), np.vstack(vectors)


def _plan(classifier, task, probs, embeddings, candidates: Candidates, args):
    from training.suggest import plan_selection

    head = classifier.heads[task]
    return plan_selection(
        probs,
        embeddings,
        args.n,
        kind=head.kind,
        thresholds=head.decision_thresholds() if head.kind == "sigmoid" else None,
        keys=[text for _, _, text in candidates.rows],
        seed=args.seed,
    )


def label_names(classifier, task: str) -> dict[str, str]:
    section = TAXONOMY_SECTIONS.get(task)
    if section is None or not hasattr(classifier.taxonomy, section):
        return {}
    return classifier.taxonomy.names(section)


def write_suggestions(output: Path, classifier, task, selected, candidates, label_col) -> None:
    labels = classifier.heads[task].labels
    names = label_names(classifier, task)

    def ids(indices) -> str:
        return "; ".join(labels[i] for i in indices)

    def titles(indices) -> str:
        return "; ".join(names.get(labels[i], labels[i]) for i in indices)

    writer = RowWriter(output)
    for item in selected:
        number, row, _ = candidates.rows[item.index]
        second = () if item.runner_up is None else (item.runner_up,)
        writer.write(
            {
                **row,
                ROW_COLUMN: number,
                "предсказание": ids(item.predicted),
                "предсказание_название": titles(item.predicted),
                "уверенность": round(item.confidence, 3),
                "второй_вариант": ids(second),
                "второй_вариант_название": titles(second),
                "второй_вариант_вероятность": (
                    None
                    if item.runner_up_probability is None
                    else round(item.runner_up_probability, 3)
                ),
                label_col: "",
            }
        )
    writer.close()


def _summary(args: argparse.Namespace, task: str, plan, candidates: Candidates) -> None:
    dropped = []
    if plan.exact_duplicates:
        dropped.append(f"повторов текста: {plan.exact_duplicates}")
    if plan.near_duplicates:
        dropped.append(f"почти одинаковых текстов: {plan.near_duplicates}")
    if candidates.same_as_labelled:
        dropped.append(f"совпадают с уже размеченными: {candidates.same_as_labelled}")
    print(
        f"Отобрано {len(plan.selected)} из {len(candidates.rows)} неразмеченных строк"
        f" (задача {task}): те, в которых модель сомневается больше всего, по одной из разных"
        " групп похожих обращений."
    )
    if candidates.labelled:
        print(f"Уже размечено в файле (не предлагаются): {candidates.labelled}.")
    if dropped:
        print("Не предложены как дубликаты: " + "; ".join(dropped) + ".")
    if candidates.problems:
        print(f"Пропущено строк (пустые или нечитаемые): {len(candidates.problems)}.")
    print(f"Файл: {args.output}")
    base = f" --base {args.model}" if args.model is not None else ""
    print(
        f"Дальше: заполните столбец «{args.label_col}» (в столбцах «предсказание» и"
        " «второй_вариант» — догадки модели), добавьте строки к уже размеченным (или обучите"
        f" на этом файле) и запустите: otklik train {args.output} --task {task}"
        f" --label-col {args.label_col}{base} -o КАТАЛОГ_НОВОЙ_МОДЕЛИ"
    )
