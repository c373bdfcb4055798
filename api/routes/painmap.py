"""GET /v1/painmap?from=&to=&group_by=&region=&format=json|html|png|xlsx: the pain map."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.auth import require
from api.dependencies import From, NamesDep, Region, StoreDep, To
from api.safe_json import SafeJsonRoute
from api.schemas import ErrorOut

router = APIRouter(tags=["insights"], route_class=SafeJsonRoute)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/v1/painmap",
    responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
    dependencies=[Depends(require("analyst"))],
)
def painmap(
    store: StoreDep,
    names: NamesDep,
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
    from insights.filters import period_for
    from insights.painmap import build_painmap, parse_group_by
    from insights.painmap_render import heatmap_png, to_html, write_xlsx

    dims = parse_group_by(group_by)
    period = period_for(store, start, end, region)
    pm = build_painmap(store, period, group_by=dims, region=region, names=names, quotes=quotes)
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
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="painmap.xlsx"'},
        )
    return JSONResponse(pm.to_dict())
