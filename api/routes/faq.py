"""GET /v1/faq?from=&to=&region=&top=10: the period's questions grouped into FAQ candidates."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from api.auth import require
from api.dependencies import ActiveModel, From, Region, StoreDep, To
from api.errors import error_response
from api.safe_json import SafeJsonRoute
from api.schemas import ErrorOut

log = logging.getLogger("otklik.api.insights")
router = APIRouter(tags=["insights"], route_class=SafeJsonRoute)


@router.get(
    "/v1/faq",
    responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
    dependencies=[Depends(require("analyst"))],
)
def faq(
    store: StoreDep,
    model: ActiveModel,
    start: From = None,
    end: To = None,
    region: Region = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> JSONResponse:
    from sqlalchemy.exc import SQLAlchemyError

    from insights.faq_store import build_faq, load_kb
    from insights.filters import period_for

    period = period_for(store, start, end, region)
    try:
        kb = load_kb()
    except Exception as exc:  # a misconfigured OTKLIK_FAQ_KB: answer without the KB
        log.warning("FAQ knowledge base not loaded: %s", exc)
        kb = None
    try:
        data = build_faq(store, model.encoder, period, region=region, top=top, kb=kb)
    except SQLAlchemyError:
        raise
    except Exception as exc:  # the grouping on unexpected input: a clear 503, not a 500
        log.error("FAQ grouping failed: %s", type(exc).__name__)
        return error_response(503, "faq_failed", "FAQ grouping failed on this period's questions")
    return JSONResponse(data)
