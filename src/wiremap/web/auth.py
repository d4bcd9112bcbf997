"""The access token: with one configured, every request but ``/healthz`` must carry it.

Accepted as ``Authorization: Bearer <token>``, as the cookie ``wiremap_token``, or once as
``?token=<token>``: that answers 303 to the same URL without the parameter and sets the cookie (HttpOnly,
SameSite=Strict, Secure over https), so the token does not stay in the address bar or the history.
Tokens are compared with :func:`hmac.compare_digest`. Anything else is 401: JSON for the API, a short page
explaining the three ways for a browser.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["COOKIE", "OPEN_PATHS", "TokenAuth", "wants_html"]

COOKIE = "wiremap_token"
OPEN_PATHS = frozenset({"/healthz"})
_MACHINE_PREFIXES = ("/api/", "/metrics", "/openapi.json", "/static/", "/healthz")


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API, metrics or a static file)."""
    if request.url.path.startswith(_MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _same_url_without_token(request: Request) -> str:
    raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    path = "/" + raw.decode("latin-1").lstrip("/\\")  # never ``//host``: no open redirect
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    return path + ("?" + query if query else "")


class TokenAuth:
    def __init__(self, app: ASGIApp, token: str, unauthorized_page: Callable[[Request], str]) -> None:
        if not token:
            raise ValueError("an empty token would let everyone in")
        self.app = app
        self._token = token.encode()
        self._page = unauthorized_page

    def _ok(self, supplied: str | None) -> bool:
        """``supplied`` as UTF-8, or as the raw bytes of a header (which Starlette decodes as latin-1)."""
        if supplied is None:
            return False
        if hmac.compare_digest(supplied.encode("utf-8", "surrogateescape"), self._token):
            return True
        try:
            raw = supplied.encode("latin-1")
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(raw, self._token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        in_query = request.query_params.getlist("token")
        if in_query:
            response: Response
            if all(self._ok(t) for t in in_query):
                response = RedirectResponse(_same_url_without_token(request), status_code=303)
                response.set_cookie(
                    COOKIE,
                    self._token.decode(),
                    httponly=True,
                    samesite="strict",
                    secure=request.url.scheme == "https",
                    path="/",
                )
            else:
                response = self._denied(request, "the token in the URL is wrong")
            await response(scope, receive, send)
            return
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        if (scheme.lower() == "bearer" and self._ok(bearer.strip())) or self._ok(request.cookies.get(COOKIE)):
            await self.app(scope, receive, send)
            return
        await self._denied(request, "a token is required")(scope, receive, send)

    def _denied(self, request: Request, why: str) -> Response:
        headers = {"WWW-Authenticate": 'Bearer realm="wiremap"'}
        if wants_html(request):
            return HTMLResponse(self._page(request), status_code=401, headers=headers)
        return JSONResponse({"detail": f"{why}: send 'Authorization: Bearer <token>'"}, 401, headers)
