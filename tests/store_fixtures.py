"""Synthetic classified messages inserted straight into the store (benchmarks, tests).

No model runs: topics, sentiments, types, aspects and metadata are drawn at random with fixed
proportions, so that aggregations over 100 000 messages can be timed in seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, insert, select

from insights.store import Message, MessageAspect, MessageBody, Store

TOPICS = ("roads", "housing_utilities", "healthcare", "education", "social_support",
          "public_transport", "landscaping", "public_services", "ecology_waste",
          "other")  # fmt: skip
SERVICES = ("Запись к врачу", "Выдача справок", "Назначение пособий", "Приём заявлений",
            "Ремонт дорог", "Вывоз мусора", "Транспорт", "Консультации")  # fmt: skip
CHANNELS = ("website", "email", "phone", "gosuslugi", "social_vk", "telegram", "hotline",
            "reception")  # fmt: skip
ASPECTS = ("waiting", "staff", "information", "documents", "queues", "digital", "result",
           "reachability", "premises", "cost")  # fmt: skip
REGIONS = (("RU-03", "Республика Бурятия"), ("RU-44", "Костромская область"),
           ("RU-49", "Магаданская область"), ("RU-28", "Амурская область"))  # fmt: skip
KINDS = ("appeal", "complaint", "review", "post", "comment", "mention", "question")
TYPES = ("complaint", "request", "question", "suggestion", "gratitude", "other")
SENTIMENTS = ("negative", "neutral", "positive")
URGENCY = ("low", "medium", "high")
OUTCOMES = ("satisfied", "unsatisfied", "explained", "forwarded", None)
# Bodies of a realistic size: ~400 characters of text, a ~1.5 KB classification record.
FILLER = (
    "обращаюсь уже не первый раз, ответа по существу не получил, сроки рассмотрения нарушены, "
    "прошу разобраться и сообщить о принятых мерах. Проблема касается многих жителей, "
    "ситуация повторяется каждый месяц, объяснений никто не даёт."
)
CLASSIFICATION = {
    "topic": {"id": "healthcare", "name": "Здравоохранение", "score": 0.91},
    "topics": [{"id": t, "name": t, "score": 0.1} for t in TOPICS[:3]],
    "sentiment": {"id": "negative", "name": "Негативная", "score": 0.93},
    "type": {"id": "complaint", "name": "Жалоба", "score": 0.88},
    "aspects": [{"id": "waiting", "name": "Сроки и ожидание", "score": 0.77}],
    "urgency": {"level": "medium", "name": "Средняя", "score": 0.6, "reasons": []},
    "language": "ru",
    "entities": [{"type": "LOC", "text": "Улан-Удэ", "start": 10, "stop": 18, "normal": "Улан-Удэ"}]
    * 6,  # fmt: skip
    "places": {
        "region": {"code": "RU-03", "name": "Республика Бурятия", "country": "RU"},
        "city_or_district": "Улан-Удэ",
        "address": None,
    },  # fmt: skip
    "pii": [{"type": "PHONE", "start": 40, "stop": 56, "placeholder": "[ТЕЛЕФОН]"}] * 3,
    "warnings": [],
}


def draw(rng: np.random.Generator, n: int, days: int) -> dict[str, np.ndarray]:
    """Indices into the tuples above (and times) for `n` messages, in fixed proportions."""
    return {
        "seconds": rng.integers(0, days * 86400, n),
        "topic": rng.integers(0, len(TOPICS), n),
        "sentiment": rng.choice(3, n, p=(0.5, 0.35, 0.15)),
        "type": rng.choice(len(TYPES), n, p=(0.35, 0.2, 0.25, 0.08, 0.07, 0.05)),
        "urgency": rng.choice(3, n, p=(0.6, 0.3, 0.1)),
        "service": rng.integers(0, len(SERVICES), n),
        "channel": rng.integers(0, len(CHANNELS), n),
        "region": rng.integers(0, len(REGIONS), n),
        "kind": rng.integers(0, len(KINDS), n),
        "answer_hours": rng.gamma(2.0, 120.0, n),
        "answered": rng.random(n) < 0.8,
    }


def insert_synthetic(
    store: Store,
    count: int,
    *,
    start: datetime = datetime(2026, 1, 1),
    days: int = 180,
    seed: int = 0,
    source: str = "synthetic",
    chunk: int = 5000,
) -> int:
    """Insert `count` classified messages received over `days` from `start`; returns count."""
    rng = np.random.default_rng(seed)
    now = datetime(2026, 11, 1)
    with store.session() as session:
        offset = session.scalar(
            select(func.count()).select_from(Message).where(Message.source == source)
        )
    done = 0
    while done < count:
        n = min(chunk, count - done)
        drawn = draw(rng, n, days)
        seconds, topic, sentiment = drawn["seconds"], drawn["topic"], drawn["sentiment"]
        mtype, urgency, service = drawn["type"], drawn["urgency"], drawn["service"]
        channel, region, kind = drawn["channel"], drawn["region"], drawn["kind"]
        answer_hours, answered = drawn["answer_hours"], drawn["answered"]
        rows = []
        aspects: list[tuple[int, list[int]]] = []
        for i in range(n):
            received = start + timedelta(seconds=int(seconds[i]))
            external = f"s{offset + done + i}"
            rows.append(
                {
                    "source": source,
                    "external_id": external,
                    "content_hash": external,
                    "kind": KINDS[kind[i]],
                    "channel": CHANNELS[channel[i]],
                    "received_at": received,
                    "answered_at": received + timedelta(hours=float(answer_hours[i]))
                    if answered[i]
                    else None,
                    "extended": False,
                    "region": REGIONS[region[i]][1],
                    "region_code": REGIONS[region[i]][0],
                    "region_name": REGIONS[region[i]][1],
                    "service": SERVICES[service[i]],
                    "outcome": OUTCOMES[int(rng.integers(0, len(OUTCOMES)))],
                    "csat": int(rng.integers(1, 6)) if i % 4 == 0 else None,
                    "nps": int(rng.integers(0, 11)) if i % 4 == 1 else None,
                    "ces": int(rng.integers(1, 6)) if i % 4 == 2 else None,
                    "age": int(rng.integers(18, 90)) if i % 3 == 0 else None,
                    "gender": ("male", "female")[i % 2] if i % 3 == 0 else None,
                    "topic": TOPICS[topic[i]],
                    "topic_score": 0.8,
                    "sentiment": SENTIMENTS[sentiment[i]],
                    "sentiment_score": 0.9,
                    "type": TYPES[mtype[i]],
                    "type_score": 0.8,
                    "urgency": URGENCY[urgency[i]],
                    "urgency_score": 0.7,
                    "model_name": "synthetic",
                    "model_version": "0",
                    "classified_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            picked = rng.choice(len(ASPECTS), int(rng.integers(0, 3)), replace=False)
            aspects.append((i, [int(a) for a in picked]))
        with store.session.begin() as session:
            session.execute(insert(Message), rows)
            pks = dict(
                session.execute(
                    select(Message.external_id, Message.pk).where(
                        Message.source == source,
                        Message.external_id.in_([r["external_id"] for r in rows]),
                    )
                ).all()
            )
            bodies = [
                {
                    "message_pk": pks[row["external_id"]],
                    "text": None,
                    "masked_text": f"Синтетическое сообщение {row['external_id']} о работе"
                    f" услуги «{row['service']}»: " + FILLER,
                    "classification": CLASSIFICATION,
                }
                for row in rows
            ]
            session.execute(insert(MessageBody), bodies)
            links = [
                {"message_pk": pks[rows[i]["external_id"]], "aspect": ASPECTS[a], "score": 0.8}
                for i, picked in aspects
                for a in picked
            ]
            if links:
                session.execute(insert(MessageAspect), links)
        done += n
    return done


DEFAULTS = {
    "source": "test", "kind": None, "channel": None, "answered_at": None, "extended": False,
    "region": None, "region_code": None, "region_name": None, "city": None,
    "organization": None, "service": None, "touchpoint": None, "outcome": None, "client": None,
    "csat": None, "nps": None, "ces": None, "age": None, "gender": None, "social_status": None,
    "topic": "other", "topic_score": 0.9, "sentiment": "neutral", "sentiment_score": 0.9,
    "type": "other", "type_score": 0.9, "urgency": "low", "urgency_score": 0.9,
    "model_name": "synthetic", "model_version": "0",
}  # fmt: skip


def insert_rows(store: Store, rows: list[dict]) -> list[int]:
    """Insert classified messages given field by field (``aspects``: list of ids,
    ``masked_text``: the stored text, ``raw_text``: the raw one, if kept); every other column
    takes a default. Returns pks."""
    now = datetime(2026, 11, 1)
    messages, extras = [], []
    for i, row in enumerate(rows):
        row = dict(row)
        aspects = row.pop("aspects", [])
        text = row.pop("masked_text", f"Сообщение {i}")
        raw = row.pop("raw_text", None)
        values = {**DEFAULTS, **row}
        values.setdefault("external_id", f"r{i}-{values['received_at'].isoformat()}")
        values.setdefault("content_hash", values["external_id"])
        values.update(classified_at=now, created_at=now, updated_at=now)
        messages.append(values)
        extras.append((aspects, text, raw))
    with store.session.begin() as session:
        pks = []
        for values in messages:
            pks.append(session.execute(insert(Message).values(**values)).inserted_primary_key[0])
        session.execute(
            insert(MessageBody),
            [
                {"message_pk": pk, "text": raw, "masked_text": text, "classification": {}}
                for pk, (_, text, raw) in zip(pks, extras, strict=True)
            ],
        )
        links = [
            {"message_pk": pk, "aspect": a, "score": 0.9}
            for pk, (aspects, _, _) in zip(pks, extras, strict=True)
            for a in aspects
        ]
        if links:
            session.execute(insert(MessageAspect), links)
    return pks
