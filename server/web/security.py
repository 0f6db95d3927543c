"""What keeps the desk safe as a web application (issue 14): the session cookie, CSRF tokens,
and the headers every page is sent with.

- **The session** is the account session of :mod:`disputes.gate.accounts` (the same sign-in,
  lockout, idle and absolute expiry as the CLI's): its token travels in the cookie
  :data:`SESSION_COOKIE` — ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's
  page sends it), ``Secure`` (HTTPS only; on a plain-HTTP loopback desk, which ``serve`` allows
  for one machine, the browser would drop a Secure cookie, so it is left off there), no
  ``Max-Age`` (it ends with the browser, and the server ends it sooner).
- **CSRF.** Every form carries a token the page was rendered with, and every POST is refused
  (403) unless it carries the right one. Signed in, the token is an HMAC of the session token
  (another site can neither read it nor derive it); before sign-in it is the double-submit value
  of the cookie :data:`CSRF_COOKIE`. Compared in constant time.
- **Headers**: a Content-Security-Policy allowing only this origin (no inline script, no
  external CDN or font), no framing, no sniffing, no referrer, no caching of pages with personal
  data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "disputes_desk"
CSRF_COOKIE = "disputes_csrf"
CSRF_FIELD = "csrf"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def secure(request: Request) -> bool:
    """Whether cookies get ``Secure``: always, but on plain HTTP from a loopback host (the one
    place ``disputes serve`` speaks plain HTTP, where a browser would drop them)."""
    if request.url.scheme == "https":
        return True
    host = (request.url.hostname or "").strip("[]")
    return host not in LOOPBACK


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/desk",
    )


def drop_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path="/desk", secure=secure(request), httponly=True, samesite="strict"
    )


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def csrf_token(request: Request, key: bytes) -> str:
    """The token this request's forms carry (see the module docstring); made fresh for a
    visitor without a session or CSRF cookie (:func:`ensure_csrf_cookie` sets it)."""
    token = session_token(request)
    if token:
        return hmac.new(key, b"session:" + token.encode(), hashlib.sha256).hexdigest()
    value = request.cookies.get(CSRF_COOKIE)
    if not value:
        value = request.state.new_csrf = secrets.token_urlsafe(24)
    return value


def ensure_csrf_cookie(request: Request, response: Response) -> None:
    """Set the pre-session CSRF cookie made while rendering, if one was."""
    value = getattr(request.state, "new_csrf", None)
    if value:
        set_cookie(request, response, CSRF_COOKIE, value)


def csrf_ok(request: Request, key: bytes, sent: object) -> bool:
    """Whether a POST's form field matches the token its page was rendered with."""
    if not isinstance(sent, str) or not sent:
        return False
    token = session_token(request)
    if token:
        expected = hmac.new(key, b"session:" + token.encode(), hashlib.sha256).hexdigest()
    else:
        expected = request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())
