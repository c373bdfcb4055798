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
    from store_fixtures import ASPECTS, CHANNELS, FILLER, KINDS, REGIONS, SERVICES, TOPICS
except ImportError:
    from tests.store_fixtures import ASPECTS, CHANNELS, FILLER, KINDS, REGIONS, SERVICES, TOPICS

TYPES = ("complaint", "request", "question", "suggestion", "gratitude", "other")
SENTIMENTS = ("negative", "neutral", "positive")
URGENCY = ("low", "medium", "high")
OUTCOMES = ("satisfied", "unsatisfied", "explained", "forwarded", None)
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
        seconds = rng.integers(0, days * 86400, n)
        topic = rng.integers(0, len(TOPICS), n)
        sentiment = rng.choice(3, n, p=(0.5, 0.35, 0.15))
        mtype = rng.choice(len(TYPES), n, p=(0.35, 0.2, 0.25, 0.08, 0.07, 0.05))
        urgency = rng.choice(3, n, p=(0.6, 0.3, 0.1))
        service = rng.integers(0, len(SERVICES), n)
        channel = rng.integers(0, len(CHANNELS), n)
        region = rng.integers(0, len(REGIONS), n)
        kind = rng.integers(0, len(KINDS), n)
        outcome = rng.integers(0, len(OUTCOMES), n)
        question = rng.integers(0, len(QUESTIONS), n)
        answer_hours = rng.gamma(2.0, 120.0, n)
        answered = rng.random(n) < 0.8
        n_aspects = rng.integers(0, 3, n)
        aspect_pick = rng.integers(0, len(ASPECTS), (n, 2))
        scores = rng.uniform(0.4, 1.0, (n, 4)).round(4)
        for i in range(n):
            number = offset + i
            received = start + timedelta(seconds=int(seconds[i]))
            is_question = TYPES[mtype[i]] == "question"
            if is_question:
                text = QUESTIONS[question[i]] + DETAILS[number % 3].format(number=number)
            else:
                text = f"Обращение {number}: «{SERVICES[service[i]]}», " + FILLER
            yield {
                "id": f"a{number}",
                "kind": "question" if is_question else KINDS[kind[i]],
                "channel": CHANNELS[channel[i]],
                "received_at": received.isoformat(),
                "answered_at": (received + timedelta(hours=float(answer_hours[i]))).isoformat()
                if answered[i] else None,  # fmt: skip
                "region": REGIONS[region[i]][1],
                "service": SERVICES[service[i]],
                "outcome": OUTCOMES[outcome[i]],
                "csat": int(1 + number % 5) if number % 4 == 0 else None,
                "nps": int(number % 11) if number % 4 == 1 else None,
                "age": int(18 + number % 70) if number % 3 == 0 else None,
                "gender": ("male", "female")[number % 2] if number % 3 == 0 else None,
                "topic": TOPICS[topic[i]],
                "topic_name": TOPICS[topic[i]],
                "topic_score": float(scores[i, 0]),
                "sentiment": SENTIMENTS[sentiment[i]],
                "sentiment_score": float(scores[i, 1]),
                "type": TYPES[mtype[i]],
                "type_score": float(scores[i, 2]),
                "aspects": sorted({ASPECTS[a] for a in aspect_pick[i, : n_aspects[i]]}),
                "urgency": URGENCY[urgency[i]],
                "urgency_score": float(scores[i, 3]),
                "region_code": REGIONS[region[i]][0],
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
