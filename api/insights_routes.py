"""HTTP endpoints over the message store: ingest, pain map, metrics, FAQ candidates.

    POST /v1/messages   a batch of messages: validated, classified, stored (idempotent)
    GET  /v1/painmap    ?from=&to=&group_by=&region=&format=json|html|png|xlsx
    GET  /v1/metrics    ?from=&to=&group_by=&region=
    GET  /v1/faq        ?from=&to=&region=&top=10

The store opens (and migrates) at startup; if it cannot, these endpoints answer 503 and the
classification endpoints keep working.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.schemas import ErrorOut

log = logging.getLogger("otklik.api.insights")
MAX_INGEST_ITEMS = 10_000
_load_lock = threading.Lock()


@asynccontextmanager
async def lifespan(app: FastAPI):
    try:
        _open_store(app)
    except Exception as exc:  # the classification endpoints still serve
        log.error("message store unavailable at startup: %s", exc)
    yield


router = APIRouter(tags=["insights"], lifespan=lifespan)


class StoreUnavailable(Exception):
    pass


def _open_store(app: FastAPI):
    from insights.store import StoreError, open_store

    state = app.state
    store = getattr(state, "store", None)
    if store is not None:
        return store
    with _load_lock:
        store = getattr(state, "store", None)
        if store is None:
            try:
                store = open_store(getattr(state, "database_url", None))
            except StoreError as exc:
                raise StoreUnavailable(str(exc)) from exc
            state.store = store
            log.info("message store: %s", store.describe())
    return store


def get_store(request: Request):
    return _open_store(request.app)


def get_classifier(request: Request):
    """The active model of the registry (api/models_routes.py), loaded on first use."""
    return request.app.state.registry.current()


def _names(request: Request):
    from insights.labels import Names, taxonomy

    registry = request.app.state.registry
    classifier = registry.loaded()
    if classifier is not None:
        return Names(classifier.taxonomy)
    return Names(taxonomy(str(registry.active.path)))


def _error(status: int, error: str, message: str, details: list | None = None) -> JSONResponse:
    body = ErrorOut(error=error, message=message, details=details or [])
    return JSONResponse(status_code=status, content=body.model_dump())


class IngestRequest(BaseModel):
    """A batch of messages (DESIGN.md «One message in»); only `text` is required per item."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(
        default=None,
        max_length=100,
        description="The sender system; ids are unique within a source (default: «default»).",
    )
    items: list[Any] = Field(
        min_length=1,
        max_length=MAX_INGEST_ITEMS,
        description=(
            "Messages: id, text, kind, channel, received_at, answered_at, extended, region, "
            "organization, service, touchpoint, outcome, csat, nps, ces, age, gender, "
            "social_status, client. Invalid items are reported by index; the others are stored."
        ),
    )


def _with_period(start: str | None, end: str | None, store, region=None):
    from insights.filters import period_for

    return period_for(store, start, end, region)


StoreDep = Annotated[Any, Depends(get_store)]
From = Annotated[str | None, Query(alias="from", description="First day, YYYY-MM-DD")]
To = Annotated[str | None, Query(alias="to", description="Last day (inclusive), YYYY-MM-DD")]
Region = Annotated[str | None, Query(max_length=200, description="Region code or name")]


@router.post(
    "/v1/messages",
    responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
def ingest_messages(body: IngestRequest, request: Request, store: StoreDep) -> JSONResponse:
    from insights.ingest import ingest_batch

    classifier = get_classifier(request)
    started = time.perf_counter()
    result = ingest_batch(store, classifier, body.items, source=body.source or "default")
    log.info(
        "ingested items=%d created=%d updated=%d unchanged=%d rejected=%d ms=%.0f model=%s",
        len(body.items),
        result.count("created"),
        result.count("updated"),
        result.count("unchanged"),
        len(result.rejected),
        (time.perf_counter() - started) * 1000,
        classifier.version,
    )
    if result.rejected and not result.items:
        details = [
            {"field": f"items[{row.index}].{p.field}", "message": p.message}
            for row in result.rejected
            for p in row.problems
        ]
        return _error(422, "invalid_items", "no valid message in the batch", details)
    return JSONResponse(result.to_dict())


@router.get(
    "/v1/painmap",
    responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
def painmap(
    request: Request,
    store: StoreDep,
    start: From = None,
    end: To = None,
    group_by: Annotated[
        str | None, Query(description="ROW[,COL]: service|topic|organization|region × "
                          "channel|touchpoint|kind|none; default: chosen by the data")
    ] = None,  # fmt: skip
    region: Region = None,
    format: Annotated[str, Query(pattern="^(json|html|png|xlsx)$")] = "json",
    quotes: bool = True,
):
    from insights.painmap import build_painmap, parse_group_by
    from insights.painmap_render import heatmap_png, to_html, write_xlsx

    dims = parse_group_by(group_by)
    period = _with_period(start, end, store, region)
    pm = build_painmap(
        store, period, group_by=dims, region=region, names=_names(request), quotes=quotes
    )
    if format == "html":
        return HTMLResponse(to_html(pm))
    if format == "png":
        return Response(heatmap_png(pm), media_type="image/png")
    if format == "xlsx":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "painmap.xlsx"
            write_xlsx(pm, path)
            data = path.read_bytes()
        return Response(
            data,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="painmap.xlsx"'},
        )
    return JSONResponse(pm.to_dict())


@router.get("/v1/metrics", responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def metrics(
    request: Request,
    store: StoreDep,
    start: From = None,
    end: To = None,
    group_by: Annotated[
        str | None,
        Query(description="channel|topic|region|type|kind|service|organization"),
    ] = None,
    region: Region = None,
) -> JSONResponse:
    from insights.metrics import build_metrics, check_group_by

    dimension = check_group_by(group_by)
    period = _with_period(start, end, store, region)
    data = build_metrics(store, period, group_by=dimension, region=region, names=_names(request))
    return JSONResponse(data)


@router.get("/v1/faq", responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def faq(
    request: Request,
    store: StoreDep,
    start: From = None,
    end: To = None,
    region: Region = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> JSONResponse:
    from sqlalchemy.exc import SQLAlchemyError

    from insights.faq_store import FaqUnavailable, build_faq, load_kb

    period = _with_period(start, end, store, region)
    classifier = get_classifier(request)
    try:
        kb = load_kb()
    except Exception as exc:  # a misconfigured OTKLIK_FAQ_KB: answer without the KB
        log.warning("FAQ knowledge base not loaded: %s", exc)
        kb = None
    try:
        data = build_faq(store, classifier.encoder, period, region=region, top=top, kb=kb)
    except (FaqUnavailable, SQLAlchemyError):
        raise
    except Exception as exc:  # the grouping on unexpected input: a clear 503, not a 500
        log.error("FAQ grouping failed: %s", type(exc).__name__)
        return _error(503, "faq_failed", "FAQ grouping failed on this period's questions")
    return JSONResponse(data)


def install_error_handlers(app: FastAPI) -> None:
    """Bad periods and groupings → 422; an unavailable store → 503 (never a 500)."""
    from sqlalchemy.exc import SQLAlchemyError

    from insights.faq_store import FaqUnavailable
    from insights.metrics import MetricsError
    from insights.painmap import PainMapError
    from insights.periods import PeriodError

    async def bad_request(request: Request, exc: Exception) -> JSONResponse:
        return _error(422, "invalid_request", str(exc))

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        return _error(503, "store_unavailable", str(exc))

    async def faq_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return _error(503, "faq_unavailable", "FAQ grouping is not available in this build")

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("database error: %s", type(exc).__name__)
        return _error(503, "store_error", "the message store failed; retry later")

    for kind in (PeriodError, PainMapError, MetricsError):
        app.add_exception_handler(kind, bad_request)
    app.add_exception_handler(StoreUnavailable, unavailable)
    app.add_exception_handler(FaqUnavailable, faq_unavailable)
    app.add_exception_handler(SQLAlchemyError, database_error)


def include(app: FastAPI) -> None:
    """The one call create_app makes: routes, lifespan and error handlers."""
    app.include_router(router)
    install_error_handlers(app)
