"""Who may call what: API keys with roles, checked by a FastAPI dependency per endpoint.

    principal: Principal = Depends(require("press"))

401 when the key is missing, unknown or revoked; 403 when it has none of the roles (`admin`
passes every check). The key comes as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.
With ``otklik serve --no-auth`` (loopback only) every request is the local user with all roles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request

from api.dependencies import open_store
from api.errors import AuthError
from insights.keys import ROLES, authenticate

log = logging.getLogger("otklik.api.auth")
audit = logging.getLogger("otklik.audit")

__all__ = ["ROLES", "Principal", "AuthError", "require", "LOCAL", "log_raw_read"]


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    roles: frozenset[str]

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or bool(self.roles & set(roles))


LOCAL = Principal("local", "local", frozenset(ROLES))


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


def principal_of(request: Request) -> Principal:
    """The caller, authenticated once per request (kept in request.state)."""
    known = getattr(request.state, "principal", None)
    if known is not None:
        return known
    if getattr(request.app.state, "no_auth", False):
        request.state.principal = LOCAL
        return LOCAL
    key = presented_key(request)
    if key is None:
        raise AuthError(
            401, "unauthorized", "an API key is required: send 'Authorization: Bearer <key>'"
        )
    info = authenticate(open_store(request.app), key)
    if info is None:
        raise AuthError(401, "unauthorized", "the API key is unknown or revoked")
    principal = Principal(info.id, info.name, frozenset(info.roles))
    request.state.principal = principal
    limiter = getattr(request.app.state, "rate_limiter", None)
    if limiter is not None:
        limiter.take(principal.key_id)  # RateLimited → 429 with Retry-After
    return principal


def require(*roles: str):
    """A dependency returning the caller's Principal when it has one of `roles` (or admin)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    async def dependency(request: Request) -> Principal:  # one indexed read: no thread hop
        principal = principal_of(request)
        if not principal.has(*roles):
            wanted = " or ".join(roles) if roles else "admin"
            raise AuthError(
                403, "forbidden", f"this key has no role for this endpoint (needs {wanted})"
            )
        return principal

    dependency.roles = roles  # the README role table and its test read it
    return dependency


def log_raw_read(principal: Principal, source: str, message_id: str) -> None:
    """Who read which message's raw text, and when (the log record's time); never the text."""
    audit.info(
        "raw_text_read key_id=%s key_name=%r source=%r message_id=%r",
        principal.key_id,
        principal.name,
        source,
        message_id,
    )
