"""POST /v1/classify/file?name=&text_col=: a CSV, XLSX or JSONL file in (the request body),
the same file back with the prediction columns `otklik classify` adds."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.auth import require
from api.dependencies import ActiveModel, Scheduler
from api.errors import error_response
from api.predictions import prediction_columns
from api.safe_json import SafeJsonRoute
from api.schemas import ErrorOut
from models.settings import settings
from nlp.tables import RowWriter, TableError, file_format, read_rows, require_column

router = APIRouter(tags=["classify"], route_class=SafeJsonRoute)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
BATCH = 64
MEDIA = {
    ".csv": "text/csv; charset=utf-8",
    ".jsonl": "application/x-ndjson",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


async def _body(request: Request) -> bytes | None:
    """The request body, or None once it passes MAX_FILE_BYTES."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _read(path: Path, text_col: str) -> tuple[list[tuple[dict, str]], list[str]]:
    rows = list(read_rows(path))
    require_column(rows, text_col)
    good, problems = [], []
    for number, row, error in rows:
        if row is None:
            problems.append(f"строка {number}: {error}")
            continue
        value = row.get(text_col)
        text = "" if value is None else str(value)
        if not text.strip():
            problems.append(f"строка {number}: пустой текст")
            continue
        good.append((row, text))
    return good, problems


@router.post(
    "/v1/classify/file",
    responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    dependencies=[Depends(require("analyst"))],
)
async def classify_file(
    request: Request,
    model: ActiveModel,
    scheduler: Scheduler,
    name: Annotated[str, Query(max_length=200, description="file name: .csv, .xlsx or .jsonl")],
    text_col: Annotated[str, Query(max_length=200)] = "text",
):
    try:
        suffix = file_format(Path(name))
    except TableError as exc:
        return error_response(422, "unsupported_file", str(exc))
    data = await _body(request)
    if data is None:
        return error_response(
            413, "file_too_large", f"the file is over {MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    deadline = time.monotonic() + settings().request_deadline_s
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"in{suffix}"
        source.write_bytes(data)
        try:
            rows, problems = await asyncio.to_thread(_read, source, text_col)
        except (TableError, UnicodeDecodeError, ValueError, OSError) as exc:
            message = str(exc) if isinstance(exc, TableError) else "the file cannot be read"
            return error_response(422, "bad_table", message)
        if not rows:
            return error_response(422, "bad_table", "Нет ни одной строки с текстом.")
        if len(rows) > MAX_ROWS:
            return error_response(422, "too_many_rows", f"the limit is {MAX_ROWS} rows")
        target = Path(tmp) / f"out{suffix}"
        writer = RowWriter(target)
        for start in range(0, len(rows), BATCH):
            part = rows[start : start + BATCH]
            results = await scheduler.classify(model, [text for _, text in part], deadline)
            for (row, _), result in zip(part, results, strict=True):
                writer.write({**row, **prediction_columns(result)})
        writer.close()
        out = target.read_bytes()
    stem = Path(name).stem or "file"
    headers = {
        "Content-Disposition": f'attachment; filename="classified{suffix}"; '
        f"filename*=UTF-8''{_quote(stem)}.otklik{suffix}",
        "X-Otklik-Rows": str(len(rows)),
        "X-Otklik-Skipped": str(len(problems)),
    }
    return Response(out, media_type=MEDIA[suffix], headers=headers)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
