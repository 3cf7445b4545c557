"""What keeps the pages safe: the signing key, CSRF tokens, the Origin check, the headers.

A CSRF token is HMAC-SHA256(key, hash of the session token): it is tied to one session, needs
no storage, and tells nothing about the token. The key comes from settings.secret_key, or is
generated once and kept in data_dir/secret-key (mode 0600), so every server process and every
restart signs alike.
"""

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.errors import Forbidden
from app.private import open_private, private_dir
from app.users.tokens import token_hash

SECRET_FILE = "secret-key"
SECRET_BYTES = 32
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HTML_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class CsrfRefused(Forbidden):
    """A state-changing request without this session's CSRF token, or from another origin."""


def secret_key(settings: Settings) -> bytes:
    """The key that signs CSRF tokens: the setting, else the one kept in the data directory."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode("utf-8")
    return _stored_key((settings.data_dir / SECRET_FILE).resolve())


@cache
def _stored_key(path: Path) -> bytes:
    if not path.exists():
        _create_key(path)
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def _create_key(path: Path) -> None:
    """Write a fresh key; a process that loses the race keeps the winner's key."""
    private_dir(path.parent)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = open_private(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(SECRET_BYTES) + "\n")
        # A hard link appears whole or not at all, and never replaces a key another wrote.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def csrf_token(key: bytes, session_token: str) -> str:
    """The CSRF token of one session."""
    digest = token_hash(session_token).encode("ascii")
    return hmac.new(key, digest, hashlib.sha256).hexdigest()


def check_csrf(key: bytes, session_token: str, sent: str | None) -> None:
    """Refuse a request whose CSRF token is missing or not this session's."""
    expected = csrf_token(key, session_token)
    if sent is None or not hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace")):
        raise CsrfRefused("This form has expired or did not come from this site; reload the page.")


def check_origin(origin: str | None, host: str | None) -> None:
    """Refuse a request whose Origin header names another site than the one it was sent to."""
    if origin is None:
        return
    if host is None or urlsplit(origin).netloc.lower() != host.lower():
        raise CsrfRefused("This request came from another site.")


class SecurityHeaders:
    """Add the Content-Security-Policy and its companions to every HTML response that has none
    of its own (the downloadable report sets a policy of its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_html_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add_html_headers(headers: MutableHeaders) -> None:
    if not headers.get("content-type", "").startswith("text/html"):
        return
    for name, value in HTML_HEADERS.items():
        if name not in headers:
            headers[name] = value
