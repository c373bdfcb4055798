"""Reading and writing the analysts' files: CSV, XLSX, JSONL (chosen by extension)."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

SUPPORTED = (".csv", ".xlsx", ".jsonl")


class TableError(ValueError):
    """A file that cannot be read as a table; the message is for a person."""


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise TableError(
            f"Неподдерживаемый формат файла «{path.name}»: ожидается CSV, XLSX или JSONL"
        )
    return suffix


def read_rows(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """Yield (row number, row, error). A row that cannot be parsed has row=None."""
    fmt = file_format(path)
    if not path.exists():
        raise TableError(f"Файл не найден: {path}")
    if fmt == ".jsonl":
        yield from _read_jsonl(path)
    elif fmt == ".csv":
        yield from _read_csv(path)
    else:
        yield from _read_xlsx(path)


def row_count(path: Path) -> int:
    """How many rows `read_rows(path)` yields (JSONL lines are counted, not parsed)."""
    if file_format(path) == ".jsonl":
        with path.open("rb") as handle:
            return sum(1 for raw in handle if raw.strip())
    return sum(1 for _ in read_rows(path))


def read_rows_slice(
    path: Path, start: int, stop: int
) -> Iterator[tuple[int, dict | None, str | None]]:
    """Rows start..stop (0-based, in reading order) of `read_rows(path)`; JSONL lines before
    `start` are counted, not parsed."""
    if file_format(path) != ".jsonl":
        yield from itertools.islice(read_rows(path), start, stop)
        return
    yield from itertools.islice(_read_jsonl(path, skip=start), stop - start)


def _read_jsonl(path: Path, skip: int = 0) -> Iterator[tuple[int, dict | None, str | None]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            if skip:
                skip -= 1
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield number, None, "строка не в кодировке UTF-8"
                continue
            except json.JSONDecodeError as exc:
                yield number, None, f"некорректный JSON ({exc.msg})"
                continue
            if not isinstance(row, dict):
                yield number, None, "ожидается JSON-объект"
                continue
            yield number, row, None


def _read_csv(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes any byte string
        raise TableError("Файл CSV не в кодировке UTF-8 или Windows-1251")
    sample = text[:10000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(keepends=True), dialect=dialect)
    for number, row in enumerate(reader, start=2):
        if None in row:
            extra = row.pop(None)
            yield number, None, f"лишние поля в строке ({len(extra)})"
            continue
        yield number, dict(row), None


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TableError(f"Не удалось открыть XLSX «{path.name}»: {exc}") from exc
    sheet = book.active
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    names = [str(h) if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None for v in values):
            continue
        yield number, dict(zip(names, values, strict=False)), None
    book.close()


def require_column(rows: list[tuple[int, dict | None, str | None]], column: str) -> None:
    """TableError unless some row of a non-empty table has `column` (given by --text-col)."""
    if rows and not any(row is not None and column in row for _, row, _ in rows):
        columns = next((list(row) for _, row, _ in rows if row is not None), [])
        raise TableError(
            f"Столбец «{column}» не найден; есть: {', '.join(map(str, columns)) or 'нет'}."
            " Укажите нужный через --text-col"
        )


class RowWriter:
    """Streams rows to a CSV, XLSX or JSONL file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.format = file_format(path)
        self._rows: list[dict] = []
        self._handle = None
        self._csv: csv.DictWriter | None = None
        if self.format == ".jsonl":
            self._handle = path.open("w", encoding="utf-8")

    def write(self, row: dict) -> None:
        if self.format == ".jsonl":
            assert self._handle is not None
            self._handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        else:
            self._rows.append(row)

    def close(self) -> None:
        if self.format == ".jsonl":
            assert self._handle is not None
            self._handle.close()
            return
        columns: list[str] = []
        for row in self._rows:
            columns.extend(k for k in row if k not in columns)
        flat = [{k: _cell(row.get(k)) for k in columns} for row in self._rows]
        if self.format == ".csv":
            with self.path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(flat)
        else:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("otklik")
            sheet.append(columns)
            for row in flat:
                sheet.append([row[c] for c in columns])
            book.save(self.path)


def _cell(value: object) -> object:
    if isinstance(value, list | dict):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False)
    return value
