"""A fuzzer nobody here wrote (schemathesis) against the served OpenAPI (issue 11 §4): every
operation, a fixed small number of generated requests each (CI: 2 cores, the whole suite in
90 minutes), signed in as a station leader. No answer may be a server error, or differ from
what the OpenAPI documents (status codes, content type, the error body's schema)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.server.conftest import serving
from tests.server.harness import LEADER

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.server.harness import Served

EXAMPLES = 8
"""Generated requests per operation (and per phase)."""


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("fuzzed")) as server:
        yield server


@pytest.fixture(scope="module")
def token(fuzzed: Served) -> str:
    return fuzzed.sign_in(LEADER)


def _operations(served: Served) -> list[Any]:
    api = schemathesis.openapi.from_url(f"{served.url}/api/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    # Signing out would end the session the other operations use.
    return [op for op in operations if (op.method.upper(), op.path) != SIGN_OUT]


SIGN_OUT = ("DELETE", "/api/sessions/current")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_the_api_survives_the_fuzzer(fuzzed: Served, token: str, mode: GenerationMode) -> None:
    operations = _operations(fuzzed)
    assert len(operations) >= 14
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            # Nothing to get wrong: an operation without parameters or body (whoami, verify)
            # has no negative case.
            assert mode is GenerationMode.NEGATIVE
