"""Open-resource fields of a message: the URL (one item per URL), the author (personal data:
only a salted hash and a masked form are kept, 152-FZ), reach, official.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from models.settings import settings

MAX_URL_CHARS = 1000
TRACKING_PARAMS = ("utm_", "fbclid", "yclid", "gclid")
# Monitoring exports name platforms; the store keeps the channel ids of DESIGN.md.
CHANNEL_ALIASES = {
    "вконтакте": "social_vk", "вк": "social_vk", "vk": "social_vk", "vk.com": "social_vk",
    "одноклассники": "social_ok", "ок": "social_ok", "ok": "social_ok", "ok.ru": "social_ok",
    "телеграм": "telegram", "telegram": "telegram", "t.me": "telegram",
    "отзовик": "open_resource", "яндекс карты": "open_resource", "2гис": "open_resource",
    "сми": "open_resource", "форум": "open_resource", "блог": "open_resource",
}  # fmt: skip
OPEN_RESOURCE_CHANNELS = frozenset({"open_resource", "social_vk", "social_ok", "telegram"})


def normalize_url(value: str) -> str:
    """The same page written two ways is one key: scheme and host in lower case, no «www.» or
    mobile «m.», no fragment, no tracking parameters, no trailing slash; http → https."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    host = parts.hostname.lower()
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    if parts.port:
        host = f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not k.lower().startswith(TRACKING_PARAMS)]  # fmt: skip
    )
    path = parts.path.rstrip("/")
    return urlunsplit(("https", host, path, query, ""))


def _salt() -> bytes:
    configured = settings().author_salt
    if configured:
        return configured.encode("utf-8")
    path = settings().author_salt_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="ascii") as handle:  # the first writer wins
                handle.write(secrets.token_hex(32))
            path.chmod(0o600)
        except FileExistsError:
            pass
    return path.read_text("ascii").strip().encode("ascii")


def author_hash(author: str) -> str:
    """A salted HMAC of the handle: the same author is recognised, the handle is not kept."""
    key = author.strip().lower().lstrip("@")
    return hmac.new(_salt(), key.encode("utf-8"), hashlib.sha256).hexdigest()


def mask_author(author: str) -> str:
    """«@ivan_petrov» → «@iv***»: enough for a person to tell two authors apart on screen."""
    handle = author.strip()
    at = "@" if handle.startswith("@") else ""
    core = handle.lstrip("@")
    return f"{at}{core[:2]}***" if len(core) > 2 else f"{at}***"


def is_open_resource(channel: str | None, url: str | None) -> bool:
    return url is not None or channel in OPEN_RESOURCE_CHANNELS
