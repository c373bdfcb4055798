"""Refuse cross-site state-changing requests (ASGI middleware).

The API has no cookie auth, so a foreign page cannot borrow a session; still, a POST, PUT,
PATCH or DELETE is refused when it comes from another origin (``Origin`` not this host, or
``Sec-Fetch-Site: cross-site``) or carries a body type a browser form or a ``text/plain`` fetch
can send without a preflight: state-changing endpoints take JSON only, and the file upload
``application/octet-stream`` (not a CORS-safelisted type either, so it needs a preflight too).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from api.errors import error_response

STATE_CHANGING = frozenset({b"POST", b"PUT", b"PATCH", b"DELETE"})
BINARY_PATHS = frozenset({"/v1/classify/file"})  # bodies that are files, not JSON


def _headers(scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", ())}


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def refusal(scope) -> tuple[int, str, str] | None:
    """(status, error, message) when the request must be refused, else None."""
    if scope["type"] != "http" or scope["method"].encode() not in STATE_CHANGING:
        return None
    headers = _headers(scope)
    host = headers.get(b"host", b"").decode("latin-1").lower()
    origin = headers.get(b"origin")
    if origin is not None:
        netloc = urlsplit(origin.decode("latin-1").strip()).netloc.lower()
        if not netloc or netloc != host:
            return 403, "cross_site", "cross-site requests are refused"
    if headers.get(b"sec-fetch-site", b"").lower() == b"cross-site":
        return 403, "cross_site", "cross-site requests are refused"
    content_type = headers.get(b"content-type")
    has_body = headers.get(b"content-length", b"0").strip() not in (b"", b"0") or (
        b"transfer-encoding" in headers
    )
    if content_type is not None:
        media = content_type.decode("latin-1").split(";", 1)[0].strip().lower()
        if media == "application/octet-stream" and scope.get("path") in BINARY_PATHS:
            return None
        if not is_json(media):
            return 415, "unsupported_media_type", "send the body as application/json"
    elif has_body:
        return 415, "unsupported_media_type", "send the body as application/json"
    return None


class CrossSiteGuard:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        refused = refusal(scope)
        if refused is None:
            await self.app(scope, receive, send)
            return
        status, error, message = refused
        await error_response(status, error, message)(scope, receive, send)
