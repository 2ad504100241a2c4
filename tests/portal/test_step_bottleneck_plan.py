"""Issue 20: the step bottleneck report reads step records through their own agency and the (agency, step,
finished_at) index, never the agency's dossiers (at 1 M dossiers the join read every dossier of the agency to keep
a tenth of its step records, and a month cost what a quarter cost)."""
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.models import Dossier, StepRecord
from portal import reports
from procedures.roles import Role
from tests.factories import VN, AgencyFactory, OfficialFactory, ProcedureFactory

AGENCIES = 8
DOSSIERS_PER_AGENCY = 120  # × 4 steps × 8 agencies: 3,840 step records over a year
START = datetime.datetime(2025, 4, 1, 8, 0, tzinfo=VN)


def _plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


def _seed_year_of_steps():
    """Dossiers of several agencies received day after day over a year, interleaved as real intake is, each with
    its four finished step records; bulk-created (the services would make this test slow, and the planner only
    needs the rows and their statistics)."""
    agencies = []
    for n in range(AGENCIES):
        agency = AgencyFactory(code=f"000.00.{n:02d}.H20")
        official = OfficialFactory(agency=agency, roles=[Role.SPECIALIST])
        procedure = ProcedureFactory(agencies=[agency], steps=True)
        agencies.append((agency, official, procedure, list(procedure.steps.order_by("order"))))
    dossiers = Dossier.objects.bulk_create([
        Dossier(code=f"H20-{n}-{i}", tracking_token=f"h20-{n}-{i}", procedure=procedure, agency=agency,
                applicant_name="Nguyễn Văn A", applicant_id_number="001099000001", applicant_phone="0912345678",
                applicant_address="Hà Nội", received_at=START + datetime.timedelta(hours=73 * i + n),
                due_at=START + datetime.timedelta(hours=73 * i + n, days=7), received_by=official)
        for i in range(DOSSIERS_PER_AGENCY) for n, (agency, official, procedure, _steps) in enumerate(agencies)
    ])
    by_agency = {agency.pk: (official, steps) for agency, official, _procedure, steps in agencies}
    records = []
    for dossier in dossiers:
        official, steps = by_agency[dossier.agency_id]
        for order, step in enumerate(steps):
            started = dossier.received_at + datetime.timedelta(days=order)
            records.append(StepRecord(
                dossier=dossier, agency_id=dossier.agency_id, step=step, sender=official, assignee=official,
                started_at=started, due_at=started + datetime.timedelta(hours=20),
                finished_at=started + datetime.timedelta(hours=6 + 10 * (dossier.pk % 3)),
                outcome=StepRecord.Outcome.FORWARDED))
    StepRecord.objects.bulk_create(records)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_steprecord")
        cursor.execute("ANALYZE dossiers_dossier")
    return agencies[0][0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_step_bottlenecks_read_the_agency_step_index_and_no_dossier(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the factories' officials
    agency = _seed_year_of_steps()
    month = reports.Filters(period=reports.Period(first=datetime.date(2025, 9, 1), last=datetime.date(2025, 9, 30)))
    with CaptureQueriesContext(connection) as queries:
        table = reports.step_bottlenecks(agency, month)
    assert sum(row[4] for row in table.rows) > 0  # the month has finished steps: the plans below did real work

    step_queries = [q["sql"] for q in queries.captured_queries if "dossiers_steprecord" in q["sql"]]
    assert len(step_queries) == 2  # the counts and the working-time sample
    for sql in step_queries:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            output = cursor.fetchone()[0]
        (plan,) = json.loads(output) if isinstance(output, str) else output
        nodes = list(_plan_nodes(plan["Plan"]))
        relations = {n.get("Relation Name") for n in nodes if "Relation Name" in n}
        # The working-time sample also reads the precomputed calendar and checks it is current; no dossier is read.
        assert "dossiers_steprecord" in relations and "dossiers_dossier" not in relations, plan
        assert "steprecord_agency_step_idx" in {n.get("Index Name") for n in nodes}, plan
