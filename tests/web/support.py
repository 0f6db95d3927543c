"""What the desk's tests share: a store with the sample roster and accounts (the server tests'
harness), the desk served in-process by FastAPI's TestClient, and a person at the desk — sign
in through the form, read a page's CSRF token, post a form."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

with warnings.catch_warnings():
    # Starlette's TestClient says on import that it will move from httpx to another client.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from tests.server.harness import Served

if TYPE_CHECKING:
    import httpx

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
COMMAND_ID = re.compile(r'name="command_id" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class AtDesk:
    """One person's browser: their own cookies, over the app."""

    served: Served
    client: TestClient
    person: str | None = None
    pages: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params or None, follow_redirects=True)

    def post(
        self,
        path: str,
        data: dict[str, Any],
        *,
        page: str | None = None,
        files: Any = None,
        csrf: str | None = None,
    ) -> httpx.Response:
        """Post a form as the page ``page`` (default: ``path`` itself) renders it: with its
        CSRF token (or ``csrf`` when given; ``""`` sends none)."""
        if csrf is None:
            csrf = csrf_of(self.get(page or path).text)
        body = {**data, **({"csrf": csrf} if csrf else {})}
        return self.client.post(path, data=body, files=files, follow_redirects=True)

    def sign_in(self, person: str, *, code: str | None = None) -> httpx.Response:
        who = self.served.people[person]
        answer = self.post(
            "/desk/login",
            {"person": person, "password": who.password, "code": code or who.code()},
        )
        self.person = person
        return answer
