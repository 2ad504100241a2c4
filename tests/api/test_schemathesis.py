"""Schemathesis against the live API (a real HTTP server) from its own OpenAPI schema, public and with a staff
token: no 5xx, every response conforms to the schema. Bounded: a few examples per operation."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from .conftest import make_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_api(live_server, cast, received, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anonymous": "100000/min", "token": "100000/min"}}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    return schema, make_token(cast["leader"])


def test_the_live_api_answers_every_operation_within_its_schema(live_api, live_server):
    schema, token = live_api
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=3, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            headers = {"Authorization": f"Bearer {token}"} if "dossiers" in case.path else {}
            response = case.call(base_url=live_server.url, headers=headers, timeout=30)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                                     status_code_conformance])

        try:
            check()
        except Exception as error:  # collect all, report together
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:1500])
    assert failures == []
