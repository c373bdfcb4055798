"""The press desk's page at «/»: plain HTML, one script, one style sheet, all served from
api/web (no CDN, no build step: it works in a closed network)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)
WEB = Path(__file__).resolve().parent.parent / "web"
FILES = {"app.js": "text/javascript", "style.css": "text/css"}


@router.get("/")
def page() -> FileResponse:
    return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8")


@router.get("/web/{name}")
def asset(name: str) -> FileResponse:
    if name not in FILES:
        raise HTTPException(404, "no such file")
    return FileResponse(WEB / name, media_type=f"{FILES[name]}; charset=utf-8")
