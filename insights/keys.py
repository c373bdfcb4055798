"""API keys in the message store: a name, roles, and a salted hash of the key (never the key).

A key reads ``otk_<id>_<secret>``: the id finds the row, the secret is checked against
``sha256(salt + secret)``. The secret has 256 random bits, so a fast salted hash is enough
(no password to stretch). The plaintext is returned once, by `create_key`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import Mapped, mapped_column

from insights.store import Base

ROLES = ("system", "analyst", "press", "admin")
PREFIX = "otk"
MAX_NAME_CHARS = 100
LAST_USED_EVERY_S = 60.0  # last_used_at is written at most this often per key


class KeyProblem(ValueError):
    """A key cannot be created as asked; the message is for a person."""


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_CHARS))
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated, sorted
    salt: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    roles: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        id=row.id,
        name=row.name,
        roles=tuple(r for r in row.roles.split(",") if r),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def check_roles(roles: Sequence[str]) -> tuple[str, ...]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise KeyProblem(
            f"unknown role(s): {', '.join(unknown)}" if unknown else "a key needs a role"
        )
    return tuple(sorted(set(roles), key=ROLES.index))


def create_key(store, name: str, roles: Sequence[str]) -> tuple[str, KeyInfo]:
    """A new key for `name` with `roles`: (the plaintext key, shown once; its KeyInfo)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise KeyProblem(f"a key name is 1..{MAX_NAME_CHARS} characters")
    roles = check_roles(roles)
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    row = ApiKey(
        id=key_id,
        name=name,
        roles=",".join(roles),
        salt=salt,
        key_hash=_hash(salt, secret),
        created_at=_now(),
    )
    with store.session() as session, session.begin():
        session.add(row)
    return f"{PREFIX}_{key_id}_{secret}", _info(row)


def list_keys(store) -> list[KeyInfo]:
    with store.session() as session:
        rows = session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))
        return [_info(row) for row in rows]


def revoke_key(store, key_id: str) -> bool:
    """Revoke `key_id`; False when there is no such key or it was revoked already."""
    with store.session() as session, session.begin():
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = _now()
    return True


_last_used: dict[str, float] = {}


def authenticate(store, key: str) -> KeyInfo | None:
    """The KeyInfo of a valid, unrevoked `key`; None otherwise."""
    parts = key.split("_", 2) if isinstance(key, str) else []
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isalnum() or len(parts[1]) > 32:
        return None
    key_id, secret = parts[1], parts[2]
    with store.session() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.key_hash, _hash(row.salt, secret)):
            return None
        info = _info(row)
    now = time.monotonic()
    if now - _last_used.get(key_id, -LAST_USED_EVERY_S) >= LAST_USED_EVERY_S:
        _last_used[key_id] = now
        with store.session() as session, session.begin():
            row = session.get(ApiKey, key_id)
            if row is not None:
                row.last_used_at = _now()
    return info
