"""JSON request bodies with every string made safe before validation: lone surrogates
(``"\\udfff"`` escapes are valid JSON but not valid Unicode) and NUL become U+FFFD, in keys and
values alike, so ids, regions, organisations and topic names can be encoded, stored and echoed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

_UNSAFE = re.compile("[\ud800-\udfff\x00]")


def clean(value: Any) -> Any:
    if isinstance(value, str):
        return _UNSAFE.sub("\ufffd", value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value


class SafeJsonRoute(APIRoute):
    """An APIRoute whose JSON body is parsed once and cleaned (`clean`); a body that does not
    parse is left to FastAPI, which answers 400."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def cleaned(request: Request):
            if request.method in ("POST", "PUT", "PATCH"):
                body = await request.body()
                if body:
                    try:
                        request._json = clean(json.loads(body))
                    except (ValueError, RecursionError):
                        pass
            return await handler(request)

        return cleaned
