"""The monthly report's section on the press desk: answer times against the deadlines, by
channel (seed 003 §2.5: the monthly report on open-resource monitoring)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import select

from insights.deadlines import DeadlinePolicy
from insights.press_store import TriageState
from insights.store import Message, Store, published_moment
from insights.triage import open_resource_clause

OUTCOMES = ("on_time", "late", "overdue", "pending", "no_answer_needed")


def answer_times(
    store: Store, policy: DeadlinePolicy, start: datetime, end: datetime, now: datetime
) -> list[dict]:
    """One row per channel (and «all» last) for items published in [start, end): how many,
    answered on time / late, open past the deadline, open within it, closed without an answer;
    median and 90th-percentile minutes to the answer; the deadline(s) in force."""
    moment = published_moment()
    with store.session() as session:
        rows = session.execute(
            select(Message.channel, Message.kind, Message.official, moment,
                   TriageState.status, TriageState.answered_at, Message.answered_at)  # fmt: skip
            .outerjoin(TriageState, TriageState.message_pk == Message.pk)
            .where(open_resource_clause(), moment >= start, moment < end)
        ).all()
    groups: dict[str, dict] = defaultdict(lambda: {"counts": Counter(), "minutes": [],
                                                    "deadlines": Counter()})  # fmt: skip
    for channel, kind, official, published, status, answered, msg_answered in rows:
        deadline = policy.deadline(published, channel, kind, bool(official))
        hours = policy.hours_for(channel, kind, bool(official))
        answered = answered or msg_answered
        status = status or ("answered" if answered else "new")
        if status == "answered" and answered is not None:
            outcome = "on_time" if answered <= deadline else "late"
        elif status == "no_answer_needed":
            outcome = "no_answer_needed"
        else:
            outcome = "overdue" if now > deadline else "pending"
        for name in (channel or "—", "all"):
            g = groups[name]
            g["counts"][outcome] += 1
            g["deadlines"][hours] += 1
            if outcome in ("on_time", "late"):
                g["minutes"].append((answered - published).total_seconds() / 60)
    out = []
    for name in sorted(groups, key=lambda n: (n == "all", n)):
        g = groups[name]
        counts = {k: g["counts"][k] for k in OUTCOMES}
        answered_n = counts["on_time"] + counts["late"]
        minutes = sorted(g["minutes"])
        out.append({
            "channel": name,
            "total": sum(counts.values()),
            **counts,
            "on_time_share": counts["on_time"] / answered_n if answered_n else None,
            "median_minutes": statistics.median(minutes) if minutes else None,
            "p90_minutes": minutes[int(0.9 * (len(minutes) - 1))] if minutes else None,
            "deadline_hours": sorted(g["deadlines"]),
        })  # fmt: skip
    return out
