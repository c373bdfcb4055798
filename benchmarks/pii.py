"""Personal-data masking on a planted test set: recall and precision per kind.

    .venv/bin/python benchmarks/pii.py [--errors] [--no-ner]
    .venv/bin/python benchmarks/pii.py --build   # tests/data/pii_planted.txt → .jsonl

The set (tests/data/pii_planted.jsonl, written for the project: invented people and numbers in
realistic appeals) marks every piece of personal data with its exact character span and kind.
Each text goes through nlp.pii.find_pii, natasha NER included, as the service runs it.

Matching rule (nlp/pii_eval.py), span overlap per kind:
  * recall: a planted item counts when the spans found *with its kind* cover every letter and
    digit of it; a partial mask («Курганов [ФИО]») is a miss;
  * masked: the same with spans of any kind (the data is hidden, maybe under a wrong label);
  * precision: a found span counts as correct when it overlaps a planted item of its kind.
The floors the service promises (tests/test_nlp_pii_planted.py): recall ≥ 0.98 for phones,
e-mails, СНИЛС, passports and cards, ≥ 0.95 for names and street addresses.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nlp.pii import find_pii  # noqa: E402
from nlp.pii_eval import Found, Planted, load_planted, parse_markup, score, total  # noqa: E402

SOURCE = REPO / "tests" / "data" / "pii_planted.txt"
DATASET = REPO / "tests" / "data" / "pii_planted.jsonl"


def build() -> None:
    records = parse_markup(SOURCE.read_text(encoding="utf-8"))
    with DATASET.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    items = sum(len(r["items"]) for r in records)
    print(f"{DATASET.relative_to(REPO)}: {len(records)} обращений, {items} размеченных фрагментов")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", action="store_true", help="пересобрать .jsonl из .txt")
    parser.add_argument("--errors", action="store_true", help="показать пропуски и ложные")
    parser.add_argument("--no-ner", action="store_true", help="без natasha NER (только правила)")
    args = parser.parse_args()
    if args.build:
        build()
        return

    dataset = load_planted(DATASET)

    def find(text: str) -> list[Found]:
        spans = find_pii(text, [] if args.no_ner else None)
        return [Found(s.type, s.start, s.stop) for s in spans]

    started = time.perf_counter()
    scores, errors = score(dataset, find)
    elapsed = time.perf_counter() - started
    print(f"{len(dataset)} обращений, {elapsed:.1f} с")
    print(f"{'вид':<9} {'заложено':>8} {'recall':>7} {'скрыто':>7} {'найдено':>8} {'precision':>9}")
    for s in [*scores.values(), total(scores)]:
        print(
            f"{s.kind:<9} {s.planted:>8} {s.recall:>7.3f} {s.masked_share:>7.3f} "
            f"{s.found:>8} {s.precision:>9.3f}"
        )
    if args.errors:
        for what, item, text in errors:
            context = text[max(0, item.start - 30) : item.stop + 30].replace("\n", " ")
            label = "пропуск" if what == "miss" else "ложное"
            surface = item.text if isinstance(item, Planted) else text[item.start : item.stop]
            print(f"{label:<8} {item.kind:<8} {surface!r:<40} …{context}…")


if __name__ == "__main__":
    main()
