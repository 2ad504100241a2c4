"""Schemathesis against the live API (a real HTTP server) from its own OpenAPI schema, public and with a staff
token: no 5xx, every response conforms to the schema and its documented status codes. Runs on both databases.

Bounded so it adds well under a minute to the suite: two generated examples per operation plus the schema's own
examples, no shrinking (a failure is reported as found, with the request that caused it) and no example database."""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from procedures.roles import Role
from tests.factories import OfficialFactory

from .conftest import make_token

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES_PER_OPERATION = 2


@pytest.fixture
def live_api(live_server, ward, received, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anonymous": "100000/min", "token": "100000/min"}}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    # Reception and leader roles: the token reaches past the role checks into the forms and services.
    return schema, make_token(OfficialFactory(agency=ward, roles=[Role.RECEPTION, Role.LEADER]))


def test_the_live_api_answers_every_operation_within_its_schema(live_api, live_server):
    schema, token = live_api
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
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
    assert operations >= 25  # every operation of the schema was walked, the reception ones included
    assert failures == []
