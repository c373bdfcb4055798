"""Synthetic pre-classified messages, as `otklik classify-archive` writes them (fixed seed).

Metadata and labels are drawn with fixed proportions; texts are masked, ~300 characters.
Questions reuse a pool of 240 wordings (as real questions repeat), so the FAQ groups them; two
in three carry their own detail (a case number, a district), so most question texts are
distinct, as in a real stream, and the FAQ has to read each one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

try:  # tests put tests/ on the path; benchmarks import tests.classified_fixtures
    import store_fixtures as base
except ImportError:
    from tests import store_fixtures as base

SUBJECTS = ("пособие на ребёнка", "запись к врачу", "вывоз мусора", "ремонт дороги",
            "отопление", "субсидию на ЖКУ", "школьный автобус", "справку о доходах",
            "капитальный ремонт", "социальную карту")  # fmt: skip
ASKS = ("Как оформить {}?", "Где узнать про {}?", "Какие документы нужны на {}?",
        "Сколько ждать {}?", "Куда обращаться за {}?", "Почему отказали в {}?",
        "Можно ли через Госуслуги получить {}?", "Когда начнут {}?")  # fmt: skip
QUESTIONS = tuple(
    ask.format(subject) + suffix
    for ask in ASKS
    for subject in SUBJECTS
    for suffix in ("", " Заранее спасибо.", " Звонил [ТЕЛЕФОН], не ответили.")
)  # 240 wordings
DETAILS = ("", " Заявление № {number}.", " Пишу из микрорайона {number}.")


def classified_rows(count: int, *, seed: int = 16, start: datetime = datetime(2026, 1, 1),
                    days: int = 365) -> Iterator[dict]:  # fmt: skip
    rng = np.random.default_rng(seed)
    chunk = 10_000
    for offset in range(0, count, chunk):
        n = min(chunk, count - offset)
        drawn = base.draw(rng, n, days)
        outcome = rng.integers(0, len(base.OUTCOMES), n)
        question = rng.integers(0, len(QUESTIONS), n)
        n_aspects = rng.integers(0, 3, n)
        aspect_pick = rng.integers(0, len(base.ASPECTS), (n, 2))
        scores = rng.uniform(0.4, 1.0, (n, 4)).round(4)
        for i in range(n):
            number = offset + i
            received = start + timedelta(seconds=int(drawn["seconds"][i]))
            service = base.SERVICES[drawn["service"][i]]
            region = base.REGIONS[drawn["region"][i]]
            topic = base.TOPICS[drawn["topic"][i]]
            is_question = base.TYPES[drawn["type"][i]] == "question"
            if is_question:
                text = QUESTIONS[question[i]] + DETAILS[number % 3].format(number=number)
            else:
                text = f"Обращение {number}: «{service}», " + base.FILLER
            yield {
                "id": f"a{number}",
                "kind": "question" if is_question else base.KINDS[drawn["kind"][i]],
                "channel": base.CHANNELS[drawn["channel"][i]],
                "received_at": received.isoformat(),
                "answered_at": (
                    received + timedelta(hours=float(drawn["answer_hours"][i]))
                ).isoformat() if drawn["answered"][i] else None,  # fmt: skip
                "region": region[1],
                "service": service,
                "outcome": base.OUTCOMES[outcome[i]],
                "csat": int(1 + number % 5) if number % 4 == 0 else None,
                "nps": int(number % 11) if number % 4 == 1 else None,
                "age": int(18 + number % 70) if number % 3 == 0 else None,
                "gender": ("male", "female")[number % 2] if number % 3 == 0 else None,
                "topic": topic,
                "topic_name": topic,
                "topic_score": float(scores[i, 0]),
                "sentiment": base.SENTIMENTS[drawn["sentiment"][i]],
                "sentiment_score": float(scores[i, 1]),
                "type": base.TYPES[drawn["type"][i]],
                "type_score": float(scores[i, 2]),
                "aspects": sorted({base.ASPECTS[a] for a in aspect_pick[i, : n_aspects[i]]}),
                "urgency": base.URGENCY[drawn["urgency"][i]],
                "urgency_score": float(scores[i, 3]),
                "region_code": region[0],
                "language": "ru",
                "masked_text": text,
            }


def write_parquet_parts(folder: Path, count: int, *, seed: int = 16,
                        part_rows: int = 100_000) -> list[Path]:  # fmt: skip
    """`count` rows in Parquet parts of `part_rows` under `folder` (as classify-archive)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    paths, rows = [], []

    def flush() -> None:
        path = folder / f"part-0000-{len(paths):05d}.parquet"
        pq.write_table(pa.Table.from_pylist(rows), path)
        paths.append(path)
        rows.clear()

    for row in classified_rows(count, seed=seed):
        rows.append(row)
        if len(rows) >= part_rows:
            flush()
    if rows:
        flush()
    return paths
