"""The periodic справка rendered for a person, in Russian: HTML (charts inline) and XLSX.

Statistical part: counts and shares by channel, topic, region, type; response times and
deadlines; complaints; CSAT / NPS / CES; the social portrait; weekly dynamics.
Analytical part: conclusions, the top pains (pain map), the 10 most asked questions (FAQ
grouping), what grew by more than 30 %, new topics and question groups, and the comparison
with the previous period of equal length. The content comes from insights/report.py.
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from insights import charts
from insights.gc_pause import paused_gc
from insights.painmap_render import STYLE, heatmap_png, painmap_section
from insights.report import TOP_PAINS, Report
from insights.spikes import Rule as SpikeRule

FORMATS = (".html", ".xlsx")


class ReportError(ValueError):
    """A report that cannot be written; the message is for a person."""


# ---------------------------------------------------------------- formatting helpers


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def change(value: float | None) -> str:
    if value is None:
        return "новое"
    return f"{value * 100:+.0f}%"


def num(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:.{digits}f}"


def comparison_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """(indicator, current, previous, change) for the key indicators."""
    c, b = report.current, report.before

    def diff(x, y, percent_points=False):
        if x is None or y is None:
            return "—"
        if percent_points:
            return f"{(x - y) * 100:+.1f} п. п."
        if y == 0:
            return "—"
        return f"{(x - y) / y * 100:+.0f}%"

    negative = {s["id"]: s["share"] for s in c["by_sentiment"]}.get("negative")
    negative_before = {s["id"]: s["share"] for s in b["by_sentiment"]}.get("negative")
    rt, rt_b = c["response_time"]["all"], b["response_time"]["all"]
    cc, cb = c["complaints"], b["complaints"]
    s, sb = c["surveys"], b["surveys"]
    return [
        ("Всего сообщений", num(c["total"]), num(b["total"]), diff(c["total"], b["total"])),
        ("Доля негативных", pct(negative), pct(negative_before),
         diff(negative, negative_before, True)),
        ("Жалоб", num(cc["total"]), num(cb["total"]), diff(cc["total"], cb["total"])),
        ("Доля удовлетворённых жалоб", pct(cc["satisfied_share"]), pct(cb["satisfied_share"]),
         diff(cc["satisfied_share"], cb["satisfied_share"], True)),
        ("Доля неудовлетворённых жалоб", pct(cc["unsatisfied_share"]),
         pct(cb["unsatisfied_share"]),
         diff(cc["unsatisfied_share"], cb["unsatisfied_share"], True)),
        ("Медиана времени ответа, ч", num(rt["median_hours"]), num(rt_b["median_hours"]),
         diff(rt["median_hours"], rt_b["median_hours"])),
        ("90-й перцентиль времени ответа, ч", num(rt["p90_hours"]), num(rt_b["p90_hours"]),
         diff(rt["p90_hours"], rt_b["p90_hours"])),
        ("Доля ответов в срок", pct(rt["within_deadline_share"]),
         pct(rt_b["within_deadline_share"]),
         diff(rt["within_deadline_share"], rt_b["within_deadline_share"], True)),
        ("CSAT", num(s["csat"]["value"]), num(sb["csat"]["value"]),
         diff(s["csat"]["value"], sb["csat"]["value"])),
        ("NPS", num(s["nps"]["value"]), num(sb["nps"]["value"]), "—" if s["nps"]["value"] is None
         or sb["nps"]["value"] is None else f"{s['nps']['value'] - sb['nps']['value']:+.1f}"),
        ("CES", num(s["ces"]["value"], 2), num(sb["ces"]["value"], 2),
         diff(s["ces"]["value"], sb["ces"]["value"])),
    ]  # fmt: skip


def conclusions(report: Report) -> list[str]:
    c, b = report.current, report.before
    out = []
    if c["total"] == 0:
        return ["За отчётный период сообщений не поступало."]
    line = f"За период {report.period.label()} поступило {num(c['total'])} сообщений"
    if b["total"]:
        line += f" ({change((c['total'] - b['total']) / b['total'])} к предыдущему периоду:"
        line += f" {num(b['total'])})."
    else:
        line += "; в предыдущем периоде сообщений нет."
    out.append(line)
    channels = ", ".join(f"{x['name']} ({pct(x['share'])})" for x in c["by_channel"][:3])
    if channels:
        out.append(f"Основные каналы: {channels}.")
    topics = ", ".join(f"{x['name']} ({num(x['count'])})" for x in c["by_topic"][:3])
    if topics:
        out.append(f"Чаще всего обращались по темам: {topics}.")
    growing = report.growing_topics()
    if growing:
        listed = ", ".join(f"{t['name']} ({change(t['growth'])})" for t in growing[:5])
        out.append(
            f"Рост более чем на 30 %: {listed}. По этим темам рекомендуется план "
            "информационно-разъяснительной работы."
        )
    campaign = report.campaign_questions()
    if campaign:
        listed = "; ".join(f"«{q['representative']}» ({change(q.get('growth'))})"
                           for q in campaign[:3])  # fmt: skip
        out.append(
            f"Группы вопросов с ростом более 30 % (нужна информационная кампания): {listed}."
        )
    new = report.new_topics()
    if new:
        out.append("Новые темы, которых не было в предыдущем периоде: "
                   + ", ".join(t["name"] for t in new) + ".")  # fmt: skip
    pains = report.top_pains()
    if pains:
        p = pains[0]
        out.append(
            f"Первая по приоритету боль: «{report.names.name('aspect', p.aspect)}» в строке "
            f"«{report.painmap.row_name(p.row)}» — {p.negative} негативных сообщений, "
            f"доля жалоб {pct(p.complaint_share)}, изменение "
            f"{charts.growth_label(p.growth, p.previous == 0)}."
        )
    rt, rt_b = c["response_time"]["all"], b["response_time"]["all"]
    if rt["within_deadline_share"] is not None:
        line = f"Ответов в установленный срок: {pct(rt['within_deadline_share'])}"
        if rt_b["within_deadline_share"] is not None:
            line += f" (в предыдущем периоде {pct(rt_b['within_deadline_share'])})"
        out.append(line + f"; медиана ожидания ответа — {num(rt['median_days'])} дн.")
    s = c["surveys"]
    scores = [
        f"{name} {num(s[key]['value'], 2 if key == 'ces' else 1)}"
        for key, name in (("csat", "CSAT"), ("nps", "NPS"), ("ces", "CES"))
        if s[key]["value"] is not None
    ]
    if scores:
        out.append("Оценки опросов: " + ", ".join(scores) + ".")
    return out


# ---------------------------------------------------------------- HTML


def _table(header: list[str], rows: list[list], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cls = " class='n'" if i >= numeric_from else ""
            cells.append(f"<td{cls}>{escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _img(png: bytes, alt: str) -> str:
    return f"<img alt='{escape(alt)}' src='{charts.data_uri(png)}'>"


def _breakdown_rows(items: list[dict], limit: int | None = None) -> list[list]:
    return [[x["name"], num(x["count"]), pct(x["share"])] for x in items[:limit]]


def figures(report: Report) -> dict[str, bytes]:
    """The report's charts (PNG by name), drawn once and kept on the report."""
    if report.charts is not None:
        return report.charts
    with paused_gc():
        report.charts = _draw(report)
    return report.charts


def _draw(report: Report) -> dict[str, bytes]:
    c, b = report.current, report.before
    out = {}
    previous_channels = {x["id"]: x["count"] for x in b["by_channel"]}
    out["channels"] = charts.bars(
        [x["name"] for x in c["by_channel"]],
        [x["count"] for x in c["by_channel"]],
        previous=[previous_channels.get(x["id"], 0) for x in c["by_channel"]],
        title="Сообщения по каналам",
    )
    out["topics"] = charts.bars(
        [t["name"] for t in report.topics],
        [t["count"] for t in report.topics],
        previous=[t["previous"] for t in report.topics],
        title="Сообщения по темам",
    )
    labels, now, before = report.weekly
    out["weekly"] = charts.lines(
        [f"нед. {x}" for x in labels],
        {"Отчётный период": now, "Предыдущий период": before},
        title="Динамика по неделям",
        ylabel="сообщений",
    )
    ages = c["portrait"]["age"]
    if c["portrait"]["with_age"]:
        out["age"] = charts.bars(
            [a["band"] for a in ages], [a["count"] for a in ages],
            title="Возраст заявителей", limit=20,
        )  # fmt: skip
    out["painmap"] = heatmap_png(report.painmap)
    return out


def to_html(report: Report) -> str:
    c = report.current
    figs = figures(report)
    region = f" · {escape(report.region)}" if report.region else ""
    parts = [
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>",
        f"<title>Справка за {report.period.label()}</title><style>{STYLE}</style></head><body>",
        f"<h1>Справка по результатам анализа обращений за {report.period.label()}{region}</h1>",
        f"<p class='muted'>Предыдущий период для сравнения: {report.previous.label()}. "
        f"Сформирована {report.generated_at:%d.%m.%Y %H:%M}. "
        f"Модель классификации: {escape(', '.join(report.model_versions) or '—')}. "
        "Тексты в цитатах обезличены.</p>",
        "<h2>Основные выводы</h2><ul>",
        *[f"<li>{escape(line)}</li>" for line in conclusions(report)],
        "</ul>",
        "<h2>I. Статистическая часть</h2>",
        "<h3>1. Количество сообщений</h3>",
        _table(
            ["Показатель", "Отчётный период", "Предыдущий период", "Изменение"],
            [list(r) for r in comparison_rows(report)[:1]],
        ),  # fmt: skip
        _img(figs["weekly"], "Динамика по неделям"),
        "<h3>2. По каналам</h3>",
        _table(["Канал", "Сообщений", "Доля"], _breakdown_rows(c["by_channel"])),
        _img(figs["channels"], "Сообщения по каналам"),
        "<h3>3. По темам</h3>",
        _table(
            ["Тема", "Сообщений", "Доля", "Пред. период", "Изменение"],
            [
                [
                    t["name"],
                    num(t["count"]),
                    pct(t["share"]),
                    num(t["previous"]),
                    change(t["growth"]),
                ]
                for t in report.topics
            ],
        ),  # fmt: skip
        _img(figs["topics"], "Сообщения по темам"),
        "<h3>4. По регионам</h3>",
        _table(["Регион", "Сообщений", "Доля"], _breakdown_rows(c["by_region"], 30)),
        "<h3>5. По типам и видам</h3>",
        _table(["Тип", "Сообщений", "Доля"], _breakdown_rows(c["by_type"])),
        _table(["Вид", "Сообщений", "Доля"], _breakdown_rows(c["by_kind"])),
        "<h3>6. Сроки ответа</h3>",
        "<p class='muted'>Срок по 59-ФЗ — 30 дней, при продлении — до 60; в социальных сетях — "
        "2 часа на обращение или комментарий, 4 часа на упоминание. Доля в срок считается от "
        "сообщений, срок ответа на которые наступил.</p>",
        _response_table(c),
        "<h4>Ответы на публикации и комментарии в открытых источниках</h4>",
        _table(PRESS_HEADER, press_rows(report)),
        "<h3>7. Жалобы</h3>",
        _complaints_table(c),
        "<h3>8. Удовлетворённость (CSAT, NPS, CES)</h3>",
        _surveys_table(report),
        "<h3>9. Социальный портрет заявителя</h3>",
        _portrait_html(c, figs),
        "<h2>II. Аналитическая часть</h2>",
        "<h3>1. Главные боли (карта болей)</h3>",
        painmap_section(
            report.painmap, heading="h4", limit=TOP_PAINS, heatmap=figs["painmap"]
        ),
        "<h3>2. 10 наиболее интересующих граждан вопросов</h3>",
        _faq_html(report),
        "<h3>3. Рост более чем на 30 %</h3>",
        _growth_html(report),
        "<h3>4. Новые темы и вопросы</h3>",
        _new_html(report),
        "<h3>5. Всплески негативных сообщений</h3>",
        _spikes_html(report),
        "<h3>6. Сравнение с предыдущим периодом</h3>",
        _table(
            ["Показатель", "Отчётный период", "Предыдущий период", "Изменение"],
            [list(r) for r in comparison_rows(report)],
        ),  # fmt: skip
        "</body></html>",
    ]
    return "\n".join(parts)


PRESS_HEADER = ["Канал", "Сообщений", "Срок, ч", "Ответ в срок", "С опозданием",
                "Просрочено без ответа", "Ждут ответа", "Ответ не нужен", "Доля в срок",
                "Медиана ответа, мин", "90 % ответов, мин"]  # fmt: skip


def press_rows(report: Report) -> list[list]:
    rows = []
    for r in report.press:
        name = "Все" if r["channel"] == "all" else report.names.name("channel", r["channel"])
        rows.append([name, num(r["total"]), " / ".join(num(h) for h in r["deadline_hours"]),
                     num(r["on_time"]), num(r["late"]), num(r["overdue"]), num(r["pending"]),
                     num(r["no_answer_needed"]), pct(r["on_time_share"]),
                     num(r["median_minutes"]), num(r["p90_minutes"])])  # fmt: skip
    return rows


def spike_rows(report: Report) -> list[list]:
    names = report.names
    return [
        [s["first_at"][:16].replace("T", " "), names.name("topic", s["topic"]) if s["topic"]
         else "все темы", s["place"] or "все места", num(s["count"]), num(s["usual_per_day"])]
        for s in report.spikes
    ]  # fmt: skip


SPIKE_HEADER = ["Начало", "Тема", "Место", "Сообщений в окне", "Обычно в сутки"]


def _spikes_html(report: Report) -> str:
    if not report.spikes:
        return "<p>Всплесков негативных сообщений не было.</p>"
    return f"<p class='muted'>{escape(SpikeRule().describe())}.</p>" + _table(
        SPIKE_HEADER, spike_rows(report), numeric_from=3
    )


def response_rows(metrics: dict) -> list[list]:
    names = {"all": "Все", "appeals": "Обращения (59-ФЗ)", "social_media": "Социальные сети"}
    rows = []
    for key, name in names.items():
        r = metrics["response_time"][key]
        rows.append(
            [
                name,
                num(r["messages"]),
                num(r["answered"]),
                num(r["median_hours"]),
                num(r["p90_hours"]),
                num(r["median_days"]),
                pct(r["within_deadline_share"]),
                num(r["overdue_unanswered"]),
            ]  # fmt: skip
        )
    return rows


RESPONSE_HEADER = ["Группа", "Сообщений", "С ответом", "Медиана, ч", "P90, ч", "Медиана, дн",
                   "В срок", "Просрочено без ответа"]  # fmt: skip


def _response_table(metrics: dict) -> str:
    return _table(RESPONSE_HEADER, response_rows(metrics))


def complaint_rows(metrics: dict) -> list[list]:
    x = metrics["complaints"]
    return [
        ["Всего жалоб", num(x["total"]), "100%" if x["total"] else "—"],
        ["Удовлетворено", num(x["satisfied"]), pct(x["satisfied_share"])],
        ["Не удовлетворено (отказ)", num(x["unsatisfied"]), pct(x["unsatisfied_share"])],
        ["Без результата", num(x["without_outcome"]), "—"],
    ]


def _complaints_table(metrics: dict) -> str:
    return _table(["Жалобы", "Количество", "Доля"], complaint_rows(metrics))


def survey_rows(report: Report) -> list[list]:
    s, b = report.current["surveys"], report.before["surveys"]
    return [
        [
            key.upper(),
            num(s[key]["value"], 2 if key == "ces" else 1),
            num(s[key]["responses"]),
            num(b[key]["value"], 2 if key == "ces" else 1),
            s[key]["formula"],
        ]  # fmt: skip
        for key in ("csat", "nps", "ces")
    ]


def _surveys_table(report: Report) -> str:
    return _table(["Показатель", "Значение", "Ответов", "Пред. период", "Формула"],
                  survey_rows(report))  # fmt: skip


def _portrait_html(metrics: dict, figs: dict) -> str:
    p = metrics["portrait"]
    if not (p["with_age"] or p["with_gender"] or p["with_social_status"]):
        return "<p>Сведений о заявителях (возраст, пол, социальный статус) за период нет.</p>"
    parts = [
        _table(
            ["Возраст", "Человек", "Доля"],
            [[a["band"], num(a["count"]), pct(a["share"])] for a in p["age"]],
        ),  # fmt: skip
    ]
    if "age" in figs:
        parts.append(_img(figs["age"], "Возраст заявителей"))
    parts.append(_table(["Пол", "Человек", "Доля"], _breakdown_rows(p["gender"])))
    parts.append(_table(["Социальный статус", "Человек", "Доля"],
                        _breakdown_rows(p["social_status"])))  # fmt: skip
    return "\n".join(parts)


def faq_rows(clusters: list[dict]) -> list[list]:
    rows = []
    for i, q in enumerate(clusters, start=1):
        kb = q.get("kb_match")
        regions = ", ".join(f"{r} ({n})" for r, n in list((q.get("regions") or {}).items())[:3])
        rows.append(
            [
                i,
                q.get("representative", ""),
                num(q.get("count")),
                change(q.get("growth")) if "growth" in q else "—",
                "да" if q.get("campaign") else "",
                f"есть ({kb.get('faq_id')})" if kb else "нет",
                regions,
            ]  # fmt: skip
        )
    return rows


FAQ_HEADER = ["№", "Вопрос (типичная формулировка)", "Обращений", "Изменение",
              "Нужна кампания", "Ответ в базе знаний", "Регионы"]  # fmt: skip


def faq_summary(faq: dict) -> str:
    """How many questions the period and the previous one have, and which were grouped."""
    grouped, before = faq["questions"], faq["previous_questions"]
    total, total_before = faq["questions_total"], faq["previous_questions_total"]
    text = f"Вопросов за период: {total} (в предыдущем: {total_before})."
    if total > grouped or total_before > before:
        text += (
            f" Сгруппированы последние {grouped} и {before} (не больше"
            f" {faq['questions_limit']} за период); частоты — по ним."
        )
    return text


def _faq_html(report: Report) -> str:
    if report.faq is None:
        return f"<p>Раздел не сформирован: {escape(report.faq_error or '')}.</p>"
    if not report.faq["questions"]:
        return "<p>За период вопросов не поступало.</p>"
    parts = [
        f"<p class='muted'>{escape(faq_summary(report.faq))}</p>",
        _table(FAQ_HEADER, faq_rows(report.faq["top"]), numeric_from=2),
    ]
    by_region = report.faq.get("by_region") or {}
    if len(by_region) > 1:
        parts.append("<h4>В разрезе регионов</h4>")
        for name, items in list(by_region.items())[:20]:
            parts.append(f"<p><b>{escape(name or 'Регион не указан')}</b></p>")
            rows = [[i, d["representative"], d["count"]] for i, d in enumerate(items, start=1)]
            parts.append(_table(["№", "Вопрос", "Обращений"], rows, numeric_from=2))
    return "\n".join(parts)


def _growth_html(report: Report) -> str:
    parts = []
    growing = report.growing_topics()
    if growing:
        parts.append(
            _table(
                ["Тема", "Отчётный период", "Предыдущий", "Рост"],
                [
                    [t["name"], num(t["count"]), num(t["previous"]), change(t["growth"])]
                    for t in growing
                ],
            )  # fmt: skip
        )
        parts.append("<p>По темам с ростом более 30 % рекомендуется разработать план "
                     "информационно-разъяснительной работы (методика, этап 1).</p>")  # fmt: skip
    else:
        parts.append("<p>Тем с ростом более чем на 30 % нет.</p>")
    campaign = report.campaign_questions()
    if campaign:
        parts.append("<p><b>Группы вопросов с ростом более 30 %</b></p>")
        parts.append(_table(FAQ_HEADER, faq_rows(campaign), numeric_from=2))
    return "\n".join(parts)


def _new_html(report: Report) -> str:
    parts = []
    new = report.new_topics()
    if new:
        parts.append(_table(["Тема", "Сообщений"], [[t["name"], num(t["count"])] for t in new]))
    else:
        parts.append("<p>Новых тем (не встречавшихся в предыдущем периоде) нет.</p>")
    questions = report.new_questions()
    if questions:
        parts.append("<p><b>Новые группы вопросов</b></p>")
        parts.append(_table(FAQ_HEADER, faq_rows(questions), numeric_from=2))
    new_pains = [c for c in report.top_pains() if c.previous == 0]
    if new_pains:
        parts.append("<p><b>Новые боли среди главных</b>: " + escape(", ".join(
            f"{report.names.name('aspect', c.aspect)} — {report.painmap.row_name(c.row)}"
            for c in new_pains)) + "</p>")  # fmt: skip
    return "\n".join(parts)


# ---------------------------------------------------------------- XLSX


def write_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font

    c = report.current
    figs = figures(report)
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list], widths=None, first=None):
        ws = book.create_sheet(title)
        if first:
            for line in first:
                ws.append([line])
            ws.append([])
        ws.append(header)
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for i, width in enumerate(widths or [40] + [16] * (len(header) - 1)):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        return ws

    summary = book.active
    summary.title = "Сводка"
    summary.append([f"Справка по результатам анализа обращений за {report.period.label()}"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([f"Предыдущий период: {report.previous.label()}"
                    + (f"; регион: {report.region}" if report.region else "")])  # fmt: skip
    summary.append([f"Сформирована {report.generated_at:%d.%m.%Y %H:%M}"])
    summary.append([])
    summary.append(["Основные выводы"])
    summary["A5"].font = bold
    for line in conclusions(report):
        summary.append([line])
    summary.append([])
    summary.append(["Показатель", "Отчётный период", "Предыдущий период", "Изменение"])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for row in comparison_rows(report):
        summary.append(list(row))
    summary.column_dimensions["A"].width = 110
    for col in "BCD":
        summary.column_dimensions[col].width = 18
    for row in summary.iter_rows(min_row=6, max_row=6 + len(conclusions(report))):
        row[0].alignment = Alignment(wrap_text=True)

    def counts(items):
        return [[x["name"], x["count"], x["share"]] for x in items]

    sheet("Каналы", ["Канал", "Сообщений", "Доля"], counts(c["by_channel"]))
    sheet("Темы", ["Тема", "Сообщений", "Доля", "Пред. период", "Рост"],
          [[t["name"], t["count"], t["share"], t["previous"], t["growth"]]
           for t in report.topics])  # fmt: skip
    sheet("Регионы", ["Регион", "Сообщений", "Доля"], counts(c["by_region"]))
    sheet("Типы и виды", ["Тип / вид", "Сообщений", "Доля"],
          counts(c["by_type"]) + [[]] + counts(c["by_kind"]))  # fmt: skip
    sheet("Боли (аспекты)", ["Боль", "Сообщений", "Из них негативных"],
          [[a["name"], a["count"], a["negative"]] for a in c["by_aspect"]])  # fmt: skip
    sheet("Сроки ответа", RESPONSE_HEADER, response_rows(c))
    sheet("Открытые источники", PRESS_HEADER, press_rows(report))
    sheet("Всплески", SPIKE_HEADER, spike_rows(report))
    sheet("Жалобы", ["Жалобы", "Количество", "Доля"], complaint_rows(c))
    sheet("Опросы", ["Показатель", "Значение", "Ответов", "Пред. период", "Формула"],
          survey_rows(report), widths=[12, 12, 12, 14, 80])  # fmt: skip
    p = c["portrait"]
    sheet("Портрет", ["Группа", "Человек", "Доля"],
          [["Возраст " + a["band"], a["count"], a["share"]] for a in p["age"]]
          + [[]] + counts(p["gender"]) + [[]] + counts(p["social_status"]))  # fmt: skip

    pains = report.top_pains()
    sheet("Главные боли", ["Ранг", "Строка", "Боль", "Негативных", "Доля жалоб", "Рост",
                           "Приоритет", "Цитата 1", "Цитата 2", "Цитата 3"],
          [[x.rank, report.painmap.row_name(x.row), report.names.name("aspect", x.aspect),
            x.negative, round(x.complaint_share, 4), x.growth, round(x.priority, 1),
            *(x.quotes + ["", "", ""])[:3]] for x in pains],
          widths=[7, 45, 28, 12, 12, 10, 12, 60, 60, 60])  # fmt: skip
    if report.faq is not None:
        ws = sheet("Вопросы (топ-10)", FAQ_HEADER, faq_rows(report.faq["top"]),
                   widths=[5, 80, 12, 12, 14, 18, 40])  # fmt: skip
        for name, items in list((report.faq.get("by_region") or {}).items())[:30]:
            ws.append([])
            ws.append([name or "Регион не указан"])
            ws.cell(row=ws.max_row, column=1).font = bold
            for i, d in enumerate(items, start=1):
                ws.append([i, d["representative"], d["count"]])
        ws.append([])
        ws.append([None, faq_summary(report.faq)])
    else:
        sheet("Вопросы (топ-10)", ["Раздел не сформирован"], [[report.faq_error or ""]])
    growth_rows = [[t["name"], t["count"], t["previous"], t["growth"]]
                   for t in report.growing_topics()]  # fmt: skip
    growth_rows += [[f"Вопрос: {q['representative']}", q["count"], None, q.get("growth")]
                    for q in report.campaign_questions()]  # fmt: skip
    sheet("Рост более 30%", ["Тема / группа вопросов", "Отчётный период", "Предыдущий", "Рост"],
          growth_rows, widths=[70, 16, 16, 10])  # fmt: skip
    new_rows = [["Тема", t["name"], t["count"]] for t in report.new_topics()]
    new_rows += [["Группа вопросов", q["representative"], q["count"]]
                 for q in report.new_questions()]  # fmt: skip
    sheet("Новые темы", ["Что", "Название", "Сообщений"], new_rows, widths=[18, 70, 12])

    graphs = book.create_sheet("Графики")
    row = 1
    for key in ("weekly", "channels", "topics", "age", "painmap"):
        if key not in figs:
            continue
        image = Image(io.BytesIO(figs[key]))
        graphs.add_image(image, f"A{row}")
        row += int(image.height / 20) + 2
    book.save(path)


def write_report(report: Report, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"Неподдерживаемый формат «{path.name}»: ожидается .html или .xlsx")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".html":
            path.write_text(to_html(report), encoding="utf-8")
        else:
            write_xlsx(report, path)
    except OSError as exc:
        raise ReportError(f"Не удалось записать «{path}»: {exc.strerror or exc}") from exc
