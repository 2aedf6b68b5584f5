"""schemathesis against the live API's own /openapi.json: whatever it sends, never a 5xx.

Driven through hypothesis directly (schemathesis's pytest plugin does not load under pytest 9).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from tests.support.keys import auth
from tests.support.processes import Api


def test_no_input_makes_the_api_fail(system: Api, tokens: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_url(f"{system.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    cases = st.one_of(*(operation.as_strategy() for operation in operations))

    @given(case=cases)
    @settings(
        max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def call(case: schemathesis.Case) -> None:
        for who in ("owner", "regulator"):
            case.call_and_validate(
                base_url=system.base_url,
                headers=auth(tokens[who]),
                checks=[not_a_server_error],
                timeout=30,
            )

    call()
