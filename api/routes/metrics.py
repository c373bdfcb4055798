"""GET /v1/metrics?from=&to=&group_by=&region=: counts, response times, satisfaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from api.auth import require
from api.dependencies import From, NamesDep, Region, StoreDep, To
from api.safe_json import SafeJsonRoute
from api.schemas import ErrorOut

router = APIRouter(tags=["insights"], route_class=SafeJsonRoute)


@router.get(
    "/v1/metrics",
    responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
    dependencies=[Depends(require("analyst"))],
)
def metrics(
    store: StoreDep,
    names: NamesDep,
    start: From = None,
    end: To = None,
    group_by: Annotated[
        str | None,
        Query(description="channel|topic|region|type|kind|service|organization"),
    ] = None,
    region: Region = None,
) -> JSONResponse:
    from insights.filters import period_for
    from insights.metrics import build_metrics, check_group_by

    dimension = check_group_by(group_by)
    period = period_for(store, start, end, region)
    data = build_metrics(store, period, group_by=dimension, region=region, names=names)
    return JSONResponse(data)
