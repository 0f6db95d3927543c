"""P6 of the benchmark (the server on PostgreSQL) on a tiny load: it runs end to end and reports
every figure. Correctness only — no timing is asserted."""

from __future__ import annotations

from benchmarks import server
from tests.support.stores import SERVER, needs_server


@needs_server
def test_a_tiny_p6_reports_every_figure() -> None:
    found = server.results(SERVER, cases=2, rounds=1)
    assert found["p6_server_ratio"] > 0
    p6 = found["p6"]
    assert p6["commands"] == 2 * server.COMMANDS_PER_CASE
    assert p6["p99_ms"] >= p6["p50_ms"] > 0
    assert "P6 server" in server.render(found)
