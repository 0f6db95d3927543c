"""The figures over the API (issue 11: every verb works with a server): ``GET /api/stats``,
``/api/rewards``, ``/api/informants`` and ``/api/rating/{half}``, each the ``--format json``
of the verb of the same name, read through the gate as the signed-in person (scope, masking
and the access log as :mod:`disputes.gate.figures` and :class:`~disputes.gate.gate.Gate` say).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path, Query

from disputes.server.app import Purpose, TimeQuery, Token
from disputes.server.backend import Backend, parse_when

Text = Annotated[str | None, Query(max_length=40)]
Lang = Annotated[str, Query(pattern="^(zh|en)$", description="Names of groups: zh or en")]


def add_figure_routes(app: FastAPI, backend: Backend) -> None:
    @app.get("/api/stats", tags=["figures"])
    async def stats(
        token: Token,
        first: Annotated[str, Query(alias="from", max_length=40)],
        last: Annotated[str, Query(alias="to", max_length=40)],
        by: Text = None,
        station: Text = None,
        as_of: TimeQuery = None,
        known_at: TimeQuery = None,
        purpose: Purpose = None,
        lang: Lang = "zh",
    ) -> dict[str, Any]:
        """统计, as ``stats --format json``: your station's figures unless a district role."""
        from disputes.gate import figures

        occurred, recorded = parse_when("as_of", as_of), parse_when("known_at", known_at)
        return await backend.as_person(
            token,
            lambda s: figures.stats(
                backend.gate(s, purpose),
                first=first,
                last=last,
                by=by,
                station=station,
                as_of=occurred,
                known_at=recorded,
                purpose=purpose,
                lang=lang,
            ),
        )

    @app.get("/api/rewards", tags=["figures"])
    async def rewards(
        token: Token,
        status: Text = None,
        station: Text = None,
        informant: Text = None,
        since: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        until: Annotated[str | None, Query(alias="to", max_length=40)] = None,
        purpose: Purpose = None,
    ) -> list[dict[str, Any]]:
        """信息员奖励, as ``rewards --format json`` rows before the local times (masked as
        your scope says; an unmasked read is an access entry)."""
        start, end = parse_when("from", since), parse_when("to", until)
        return await backend.as_person(
            token,
            lambda s: _json(
                backend.gate(s, purpose).rewards(
                    since=start,
                    until=end,
                    status=status,
                    station=station,
                    informant=informant,
                )
            ),
        )

    @app.get("/api/informants", tags=["figures"])
    async def informants(
        token: Token,
        station: Text = None,
        since: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        until: Annotated[str | None, Query(alias="to", max_length=40)] = None,
        purpose: Purpose = None,
    ) -> list[dict[str, Any]]:
        """治安信息员, as ``informants --json`` (masked as your scope says)."""
        start, end = parse_when("from", since), parse_when("to", until)
        return await backend.as_person(
            token,
            lambda s: _json(
                backend.gate(s, purpose).informants(station=station, since=start, until=end)
            ),
        )

    @app.get("/api/rating/{half}", tags=["figures"])
    async def rating(
        half: Annotated[str, Path(max_length=10, description="A half year: 2022H1")],
        token: Token,
        station: Text = None,
    ) -> dict[str, Any]:
        """五星警务室, as ``rating HALF --format json``: your station's rooms unless a
        district role."""
        from disputes.gate import figures

        return await backend.as_person(
            token, lambda s: figures.rating(backend.gate(s), half, station=station)
        )


def _json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with their times as ISO text (+08:00 as the verbs print them)."""
    from datetime import datetime

    from disputes.domain.clock import local_iso

    return [
        {k: local_iso(v) if isinstance(v, datetime) else v for k, v in row.items()} for row in rows
    ]
