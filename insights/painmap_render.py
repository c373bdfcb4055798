"""The pain map as JSON, XLSX, a self-contained HTML page and a PNG heatmap (in Russian)."""

from __future__ import annotations

import io
import json
from html import escape
from pathlib import Path

import numpy as np

from insights import charts
from insights.labels import NO_ASPECT
from insights.painmap import FORMULA_RU, PainMap

HEATMAP_ROWS = 20
TABLE_CELLS = 40
FORMATS = (".json", ".xlsx", ".html", ".png")


class RenderError(ValueError):
    """An output that cannot be written; the message is for a person."""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def matrix(pm: PainMap, limit: int | None = HEATMAP_ROWS):
    """Rows (best ranked first), aspect columns (no «no pain»), priority and annotations."""
    aspects = [a for a in pm.aspects if a != NO_ASPECT]
    rows = [tuple(r["key"]) for r in pm.rows if r["top_rank"] is not None]
    if limit is not None:
        rows = rows[:limit]
    index = {row: i for i, row in enumerate(rows)}
    column = {a: j for j, a in enumerate(aspects)}
    values = np.full((len(rows), len(aspects)), np.nan)
    counts = np.zeros((len(rows), len(aspects)), dtype=int)
    notes = [["" for _ in aspects] for _ in rows]
    for cell in pm.cells:
        i, j = index.get(cell.row), column.get(cell.aspect)
        if i is None or j is None:
            continue
        values[i, j] = cell.priority
        counts[i, j] = cell.negative
        notes[i][j] = f"{cell.negative}\n{charts.growth_label(cell.growth, cell.previous == 0)}"
    return rows, aspects, values, counts, notes


def heatmap_png(pm: PainMap) -> bytes:
    rows, aspects, values, _, notes = matrix(pm)
    names = pm.names
    title = f"Карта болей за {pm.period.label()}"
    if pm.region:
        title += f" · {pm.region}"
    subtitle = (
        "В клетке: число негативных сообщений и изменение к предыдущему периоду "
        f"({pm.previous_period.label()}). Цвет — {FORMULA_RU.split(';')[0]}."
    )
    if not rows:
        subtitle = "Нет негативных сообщений с болями за период."
    return charts.heatmap(
        [pm.row_name(r) for r in rows],
        [names.name("aspect", a) for a in aspects],
        values,
        notes,
        title=title,
        subtitle=subtitle,
        colorbar="Приоритет",
    )


def to_json(pm: PainMap) -> str:
    return json.dumps(pm.to_dict(), ensure_ascii=False, indent=2)


def _cell_rows(pm: PainMap, limit: int | None = None) -> list[list]:
    out = []
    for cell in pm.cells[:limit] if limit else pm.cells:
        out.append(
            [
                cell.rank if cell.rank is not None else "—",
                pm.row_name(cell.row),
                pm.names.name("aspect", cell.aspect),
                cell.negative,
                round(cell.share, 4),
                round(cell.complaint_share, 4),
                cell.previous,
                None if cell.growth is None else round(cell.growth, 4),
                round(cell.severity, 2),
                round(cell.priority, 1),
                *(cell.quotes + ["", "", ""])[:3],
            ]
        )
    return out


CELL_HEADER = [
    "Ранг", "Строка", "Боль", "Негативных", "Доля", "Доля жалоб", "Пред. период", "Рост",
    "Тяжесть", "Приоритет", "Цитата 1", "Цитата 2", "Цитата 3",
]  # fmt: skip


def write_xlsx(pm: PainMap, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "Карта болей"
    bold = Font(bold=True)
    sheet.append([f"Карта болей за {pm.period.label()}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"Предыдущий период: {pm.previous_period.label()}"])
    sheet.append([f"Строки: {' × '.join(pm.to_dict()['group_by_names'])}"])
    sheet.append([f"Формула: {FORMULA_RU}"])
    sheet.append([])
    sheet.append(CELL_HEADER)
    for cell in sheet[6]:
        cell.font = bold
    for row in _cell_rows(pm):
        sheet.append(row)
    for row in sheet.iter_rows(min_row=7, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "0.0%"
    for row in sheet.iter_rows(min_row=7, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = "+0%;-0%;0%"
    widths = [7, 45, 28, 12, 9, 11, 12, 9, 9, 11, 60, 60, 60]
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    for row in sheet.iter_rows(min_row=7, min_col=11, max_col=13):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A7"

    grid = book.create_sheet("Матрица")
    rows, aspects, values, counts, _ = matrix(pm, limit=None)
    grid.append(["Строка", *[pm.names.name("aspect", a) for a in aspects]])
    for cell in grid[1]:
        cell.font = bold
    high = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    for i, row in enumerate(rows):
        grid.append([pm.row_name(row), *[int(c) if c else None for c in counts[i]]])
        for j in range(len(aspects)):
            if np.isfinite(values[i, j]):
                level = values[i, j] / high
                red = 255
                green = int(245 - 170 * level)
                blue = int(230 - 200 * level)
                grid.cell(row=i + 2, column=j + 2).fill = PatternFill(
                    "solid", fgColor=f"{red:02X}{green:02X}{blue:02X}"
                )
    grid.column_dimensions["A"].width = 50
    grid.freeze_panes = "B2"

    picture = book.create_sheet("Тепловая карта")
    image = Image(io.BytesIO(heatmap_png(pm)))
    picture.add_image(image, "A1")

    about = book.create_sheet("Пояснения")
    for line in (
        "Негативное сообщение: тональность «негативная» или жалоба (по типу или виду).",
        "Доля: негативные сообщения с болью / все сообщения строки за период.",
        "Доля жалоб: жалобы среди негативных сообщений клетки.",
        "Рост: (текущее − предыдущее) / предыдущее; «новое» — боли не было в прошлом периоде.",
        "Тяжесть: средняя срочность сообщений клетки (низкая 1, средняя 2, высокая 3).",
        f"Формула приоритета: {FORMULA_RU}.",
        "Ранг 1 — первая очередь реинжиниринга. Цитаты — обезличенные тексты.",
    ):
        about.append([line])
    about.column_dimensions["A"].width = 120
    book.save(path)


STYLE = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#1a202c;max-width:1400px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px}
.muted{color:#718096}.formula{background:#edf2f7;padding:10px 14px;border-radius:6px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #e2e8f0;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#f7fafc}td.n{text-align:right;white-space:nowrap}
img{max-width:100%}.q{font-size:12px;color:#4a5568;max-width:480px}
.q div{margin-bottom:4px}
"""


def painmap_section(
    pm: PainMap, *, heading: str = "h2", limit: int = TABLE_CELLS, heatmap: bytes | None = None
) -> str:
    """The ranked table (with quotes), the heatmap (`heatmap`: drawn already) and the
    matrix, as an HTML fragment."""
    heatmap = heatmap_png(pm) if heatmap is None else heatmap
    parts = [
        f"<p class='formula'><b>Приоритет.</b> {escape(FORMULA_RU)}.</p>",
        f"<img alt='Тепловая карта болей' src='{charts.data_uri(heatmap)}'>",
        f"<{heading}>Очерёдность реинжиниринга</{heading}>",
    ]
    ranked = [c for c in pm.cells if c.rank is not None][:limit]
    if not ranked:
        parts.append("<p>За период нет негативных сообщений с названными болями.</p>")
    else:
        parts.append(
            "<table><tr><th>Ранг</th><th>Строка</th><th>Боль</th><th>Негативных</th>"
            "<th>Доля</th><th>Доля жалоб</th><th>Пред. период</th><th>Рост</th>"
            "<th>Тяжесть</th><th>Приоритет</th><th>Цитаты (обезличены)</th></tr>"
        )
        for c in ranked:
            quotes = "".join(f"<div>«{escape(q)}»</div>" for q in c.quotes)
            parts.append(
                f"<tr><td class='n'>{c.rank}</td><td>{escape(pm.row_name(c.row))}</td>"
                f"<td>{escape(pm.names.name('aspect', c.aspect))}</td>"
                f"<td class='n'>{c.negative}</td><td class='n'>{_pct(c.share)}</td>"
                f"<td class='n'>{_pct(c.complaint_share)}</td><td class='n'>{c.previous}</td>"
                f"<td class='n'>{charts.growth_label(c.growth, c.previous == 0)}</td>"
                f"<td class='n'>{c.severity:.2f}</td><td class='n'>{c.priority:.1f}</td>"
                f"<td class='q'>{quotes}</td></tr>"
            )
        parts.append("</table>")
    rows, aspects, values, counts, _ = matrix(pm, limit=None)
    if rows:
        high = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
        parts.append(f"<{heading}>Матрица: число негативных сообщений</{heading}><table><tr>")
        parts.append("<th>Строка</th>")
        parts.extend(f"<th>{escape(pm.names.name('aspect', a))}</th>" for a in aspects)
        parts.append("</tr>")
        for i, row in enumerate(rows):
            parts.append(f"<tr><td>{escape(pm.row_name(row))}</td>")
            for j in range(len(aspects)):
                if np.isfinite(values[i, j]):
                    level = values[i, j] / high
                    color = f"rgb(255,{int(245 - 170 * level)},{int(230 - 200 * level)})"
                    parts.append(f"<td class='n' style='background:{color}'>{counts[i, j]}</td>")
                else:
                    parts.append("<td></td>")
            parts.append("</tr>")
        parts.append("</table>")
    return "\n".join(parts)


def to_html(pm: PainMap) -> str:
    data = pm.to_dict()
    region = f" · регион: {escape(pm.region)}" if pm.region else ""
    head = (
        f"<h1>Карта болей за {pm.period.label()}</h1>"
        f"<p class='muted'>Сравнение с периодом {pm.previous_period.label()}{region}. "
        f"Строки: {escape(' × '.join(data['group_by_names']))}. Сообщений: {pm.total}, "
        f"из них негативных: {pm.negative}.</p>"
    )
    return (
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>"
        f"<title>Карта болей {pm.period.label()}</title><style>{STYLE}</style></head><body>"
        f"{head}{painmap_section(pm)}</body></html>"
    )


def write_painmap(pm: PainMap, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RenderError(
            f"Неподдерживаемый формат «{path.name}»: ожидается .json, .xlsx, .html или .png"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".json":
            path.write_text(to_json(pm) + "\n", encoding="utf-8")
        elif suffix == ".html":
            path.write_text(to_html(pm), encoding="utf-8")
        elif suffix == ".png":
            path.write_bytes(heatmap_png(pm))
        else:
            write_xlsx(pm, path)
    except OSError as exc:
        raise RenderError(f"Не удалось записать «{path}»: {exc.strerror or exc}") from exc
