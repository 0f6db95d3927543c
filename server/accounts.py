"""``/api/accounts``: account administration (a system administrator's, who has no case
access), as ``disputes accounts … --json`` answers it (docs/trust.md §2, §4)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from disputes.server.backend import Backend, Session

PersonPath = Annotated[str, Path(min_length=1, max_length=40, description="A roster person id")]


class NewAccount(BaseModel):
    """``POST /api/accounts``: the roster person to open an account for."""

    model_config = ConfigDict(extra="forbid")
    person: Annotated[str, Field(min_length=1, max_length=40)]


class ResetAccount(BaseModel):
    """``POST /api/accounts/{person}/reset``: also a new TOTP secret (a lost phone)?"""

    model_config = ConfigDict(extra="forbid")
    new_code: bool = False


def add_account_routes(app: FastAPI, backend: Backend) -> None:
    """Add the account endpoints to ``app``."""
    from disputes.server.app import bearer

    async def as_admin(
        request: Request, action: str, person: str | None = None, *, new_code: bool = False
    ) -> Any:
        def work(session: Session) -> Any:
            return backend.account(session, action, person, new_code=new_code)

        return await backend.as_person(bearer(request), work)

    @app.get("/api/accounts", tags=["accounts"])
    async def list_accounts(
        request: Request,
        person: Annotated[str | None, Query(max_length=40)] = None,
    ) -> list[dict[str, Any]]:
        """Every account (or one person's) and its state, as ``accounts list --json``."""
        found: list[dict[str, Any]] = await as_admin(request, "list", person)
        return found

    @app.post("/api/accounts", status_code=201, tags=["accounts"])
    async def create(body: NewAccount, request: Request) -> dict[str, Any]:
        """Open an account for a roster person: its first password and TOTP provisioning URI,
        shown once (``accounts create --json``)."""
        made: dict[str, Any] = await as_admin(request, "create", body.person)
        return made

    @app.post("/api/accounts/{person}/reset", tags=["accounts"])
    async def reset(
        person: PersonPath, request: Request, body: ResetAccount | None = None
    ) -> dict[str, Any]:
        """A new password (and, with ``new_code``, a new TOTP secret), shown once
        (``accounts reset --json``); the person's sessions end."""
        new_code = body.new_code if body is not None else False
        done: dict[str, Any] = await as_admin(request, "reset", person, new_code=new_code)
        return done

    @app.post("/api/accounts/{person}/lock", tags=["accounts"])
    async def lock(person: PersonPath, request: Request) -> dict[str, Any]:
        """Lock an account (``accounts lock --json``)."""
        done: dict[str, Any] = await as_admin(request, "lock", person)
        return done

    @app.post("/api/accounts/{person}/unlock", tags=["accounts"])
    async def unlock(person: PersonPath, request: Request) -> dict[str, Any]:
        """Unlock an account (``accounts unlock --json``)."""
        done: dict[str, Any] = await as_admin(request, "unlock", person)
        return done
