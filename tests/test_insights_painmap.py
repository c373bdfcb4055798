"""Pain map: counts, shares, growth, severity, priority and its rank, quotes; the four
outputs. Classified rows are inserted directly (no model)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from store_fixtures import insert_rows, insert_synthetic

from insights.labels import NO_ASPECT
from insights.painmap import FORMULA, PainMapError, build_painmap, parse_group_by
from insights.painmap_render import RenderError, to_html, write_painmap
from insights.periods import make_period
from insights.store import Store

Q2 = datetime(2026, 4, 10)
Q3 = datetime(2026, 7, 10)


def _negative(when, service, channel, aspects, *, complaint=True, urgency="medium", text=None):
    return {
        "received_at": when,
        "service": service,
        "channel": channel,
        "sentiment": "negative",
        "type": "complaint" if complaint else "other",
        "urgency": urgency,
        "aspects": aspects,
        "masked_text": text or f"Жалоба на {service}: не дозвониться, телефон [ТЕЛЕФОН]",
        "client": "external",
    }


@pytest.fixture()
def store(store_url):
    store = Store(store_url)
    rows = []
    # Запись к врачу · phone · reachability: 2 before, 6 now (4 complaints), urgencies 3,2,2,2,1,1
    for i in range(2):
        rows.append(_negative(Q2 + timedelta(days=i), "Запись к врачу", "phone", ["reachability"]))
    for i, urgency in enumerate(["high", "medium", "medium", "medium", "low", "low"]):
        rows.append(
            _negative(
                Q3 + timedelta(days=i), "Запись к врачу", "phone", ["reachability"],
                complaint=i < 4, urgency=urgency, text=f"Цитата {i}",
            )  # fmt: skip
        )
    # the same row: neutral messages count in the row total only
    for i in range(4):
        rows.append({"received_at": Q3 + timedelta(days=i), "service": "Запись к врачу",
                     "channel": "phone", "sentiment": "neutral", "type": "question"})  # fmt: skip
    # МФЦ · website · queues: 3 now, none before (a new pain), plus a negative without aspect
    for i in range(3):
        rows.append(_negative(Q3 + timedelta(days=i), "МФЦ", "website", ["queues"]))
    rows.append(_negative(Q3, "МФЦ", "website", []))
    # an internal pain on an external client's message is left out
    rows.append(_negative(Q3, "МФЦ", "website", ["colleagues"]))
    # outside both periods
    rows.append(_negative(datetime(2025, 1, 1), "МФЦ", "website", ["queues"]))
    insert_rows(store, rows)
    yield store
    store.close()


def test_cells_follow_the_documented_formula(store):
    pm = build_painmap(store, make_period("2026-07-01", "2026-09-30"),
                       group_by=("service", "channel"))  # fmt: skip
    cells = {(c.row, c.aspect): c for c in pm.cells}
    doctor = cells[(("Запись к врачу", "phone"), "reachability")]
    assert doctor.negative == 6 and doctor.previous == 2 and doctor.growth == pytest.approx(2.0)
    assert doctor.complaints == 4 and doctor.complaint_share == pytest.approx(4 / 6)
    assert doctor.share == pytest.approx(6 / 10)  # of all 10 messages of the row
    assert doctor.severity == pytest.approx((3 + 2 + 2 + 2 + 1 + 1) / 6)
    assert doctor.priority == pytest.approx(6 * (1 + 4 / 6) * (11 / 6) * (1 + 2.0))
    assert len(doctor.quotes) == 3 and doctor.quotes[0] == "Цитата 0"  # the most urgent first

    mfc = cells[(("МФЦ", "website"), "queues")]
    assert mfc.previous == 0 and mfc.growth is None  # new: growth taken as +100 % in priority
    assert mfc.priority == pytest.approx(3 * 2 * 2 * 2)
    assert doctor.rank == 1 and mfc.rank == 2
    none = cells[(("МФЦ", "website"), NO_ASPECT)]
    assert none.negative == 2 and none.rank is None  # counted, not ranked
    assert not any(c.aspect == "colleagues" for c in pm.cells)

    data = pm.to_dict()
    assert data["formula"] == FORMULA and "приоритет" in data["formula_ru"]
    assert data["cells"][0]["row_name"] == "Запись к врачу · Телефон"
    assert data["cells"][0]["aspect_name"] == "Дозвониться и достучаться"
    assert data["total_messages"] == 15 and data["previous_period"]["to"] == "2026-06-30"


def test_group_by_and_region_filter(store):
    period = make_period("2026-07-01", "2026-09-30")
    pm = build_painmap(store, period, group_by=parse_group_by("service"))
    assert {c.row for c in pm.cells} == {("Запись к врачу", ""), ("МФЦ", "")}
    assert pm.row_name(("МФЦ", "")) == "МФЦ"
    assert parse_group_by(None) is None and parse_group_by("topic,touchpoint") == (
        "topic", "touchpoint",
    )  # fmt: skip
    with pytest.raises(PainMapError) as info:
        parse_group_by("weather,channel")
    assert "группировка" in info.value.message_ru
    empty = build_painmap(store, period, region="Магаданская область")
    assert empty.total == 0 and empty.cells == []


def test_the_four_outputs(store, tmp_path):
    pm = build_painmap(store, make_period("2026-07-01", "2026-09-30"))
    for suffix in (".json", ".html", ".png", ".xlsx"):
        write_painmap(pm, tmp_path / f"map{suffix}")
    data = json.loads((tmp_path / "map.json").read_text("utf-8"))
    assert data["cells"][0]["rank"] == 1
    html = (tmp_path / "map.html").read_text("utf-8")
    assert "Карта болей" in html and "Очерёдность реинжиниринга" in html
    assert "data:image/png;base64," in html and "Цитата 0" in html
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    book = load_workbook(tmp_path / "map.xlsx")
    assert book.sheetnames == ["Карта болей", "Матрица", "Тепловая карта", "Пояснения"]
    assert book["Карта болей"]["B7"].value == "Запись к врачу · Телефон"
    with pytest.raises(RenderError, match="формат"):
        write_painmap(pm, tmp_path / "map.pdf")
    assert "<script" not in to_html(pm)


def test_quotes_are_escaped_in_html(store_url):
    store = Store(store_url)
    insert_rows(store, [_negative(Q3, "МФЦ", "website", ["queues"], text="<script>x</script>")])
    html = to_html(build_painmap(store, make_period("2026-07-01", "2026-09-30")))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_synthetic_store_of_a_few_thousand(store_url):
    store = Store(store_url)
    insert_synthetic(store, 3000, start=datetime(2026, 1, 1), days=180)
    pm = build_painmap(store, make_period("2026-04-01", "2026-06-30"))
    assert pm.group_by == ("service", "channel")  # most messages name a service
    ranked = [c for c in pm.cells if c.rank is not None]
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.priority >= b.priority for a, b in zip(ranked, ranked[1:], strict=False))
    assert sum(c.negative for c in pm.cells if c.aspect == NO_ASPECT) > 0
