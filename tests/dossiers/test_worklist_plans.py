"""The worklist and the dossier lookups read indexes, not an agency's whole history (issue 19: "plans use indexes";
issue 20: the worklist's tab counts and its "all" tab). EXPLAIN on PostgreSQL over a few thousand dossiers."""
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import selectors
from dossiers.models import ON_HAND_STATES, Dossier, State
from tests.factories import AgencyFactory

from .conftest import vn

pytestmark = pytest.mark.postgres

NOW = vn(2026, 3, 16, 10, 0)
FINISHED = (State.RETURNED, State.REFUSED, State.REJECTED, State.STOPPED, State.WITHDRAWN)
ON_HAND_INDEX_STATES = ["received", "in_progress", "supplement_requested", "awaiting_payment", "processed"]


def test_the_on_hand_index_holds_the_on_hand_states():
    [index] = [i for i in Dossier._meta.indexes if i.name == "dossier_on_hand_due_idx"]
    assert dict(index.condition.children)["state__in"] == ON_HAND_INDEX_STATES == list(ON_HAND_STATES)


def seed(agency, other, procedure, official, step, *, per_agency=2500):
    """Three years of dossiers in two agencies, 2 % of them on hand (as at a real office), written in bulk."""
    rows = []
    for owner in (agency, other):
        for index in range(per_agency):
            received = NOW - datetime.timedelta(days=1095 * (per_agency - index) / per_agency, hours=index % 7)
            on_hand = index % 50 == 0 or index > per_agency - 10
            state = ON_HAND_STATES[index % len(ON_HAND_STATES)] if on_hand else FINISHED[index % len(FINISHED)]
            rows.append(Dossier(
                code=f"{owner.code}-{received:%y%m%d}-{index:05d}", tracking_token=f"tok{owner.pk}x{index:08d}",
                procedure=procedure, agency=owner, applicant_name=f"Người nộp {index}",
                applicant_name_search=f"nguoi nop {index}", applicant_id_number=f"{index:012d}",
                applicant_phone=f"09{index:08d}", applicant_address="Phường Thử Nghiệm", received_at=received,
                received_by=official, due_at=received + datetime.timedelta(days=7), state=state,
                current_step=step if on_hand else None, current_assignee=official if index % 100 == 0 else None,
            ))
    Dossier.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")


def plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def dossier_reads(sql: str) -> tuple[list[str], int]:
    """The plan's whole scans of the dossier table, and how many dossier rows its scans read (kept or filtered out)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        [[document]] = cursor.fetchall()
    document = json.loads(document) if isinstance(document, str) else document
    nodes = [node for node in plan_nodes(document[0]["Plan"]) if node.get("Relation Name") == "dossiers_dossier"]
    read = sum(node["Actual Rows"] * node["Actual Loops"] + node.get("Rows Removed by Filter", 0)
               + node.get("Rows Removed by Index Recheck", 0) for node in nodes)
    return [node["Node Type"] for node in nodes if node["Node Type"] == "Seq Scan"], read


def assert_dossier_reads_use_indexes(read, *, most: int) -> int:
    """Run `read`, then EXPLAIN ANALYZE every query it sent that reads the dossier table: none may scan it whole
    or read more than `most` of its rows (an index that matches the query reads what the query keeps)."""
    with CaptureQueriesContext(connection) as captured:
        read()
    checked = 0
    for query in captured.captured_queries:
        if '"dossiers_dossier"' in query["sql"]:
            seq_scans, rows = dossier_reads(query["sql"])
            assert seq_scans == [] and rows <= most, (rows, query["sql"])
            checked += 1
    return checked


def test_worklist_and_lookups_read_indexes(agency, clerk, specialist, leader, procedure):
    step = procedure.steps.order_by("order").first()
    seed(agency, AgencyFactory(code="000.00.07.H56"), procedure, clerk, step)
    dossier = Dossier.objects.filter(agency=agency, state=State.IN_PROGRESS).first()
    soon = NOW + datetime.timedelta(days=2)
    reads = {
        "counts, clerk": lambda: selectors.worklist_counts(clerk, now=NOW, soon=soon),
        "counts, specialist": lambda: selectors.worklist_counts(specialist, now=NOW, soon=soon),
        "default tab": lambda: list(selectors.worklist(clerk, "mine", now=NOW, soon=soon)[:25]),
        "open tab, page 2": lambda: list(selectors.worklist(leader, "open", now=NOW, soon=soon)[25:50]),
        "all tab": lambda: selectors.worklist_all_page(leader, now=NOW, soon=soon),
        "all tab, next page": lambda: selectors.worklist_all_page(leader, after=dossier.pk, now=NOW, soon=soon),
        "all tab, specialist": lambda: selectors.worklist_all_page(specialist, now=NOW, soon=soon),
        "all tab, older": lambda: selectors.worklist_all_page(
            leader, selectors.WorklistFilters(received_to=datetime.date(2025, 1, 1)), after=dossier.pk, now=NOW),
        "scan by code": lambda: selectors.dossier_pk_for_scan(clerk, dossier.code.lower()),
        "scan by token": lambda: selectors.dossier_pk_for_scan(clerk, f"/t/{dossier.tracking_token}/"),
        "tracking page": lambda: selectors.dossier_by_token(dossier.tracking_token),
        "public lookup by code": lambda: selectors.tracking_token_for_lookup(code=dossier.code, last_digits="0000"),
        "dossier page": lambda: selectors.dossier_for_staff(leader, dossier.pk),
    }
    # 2 500 dossiers each over three years: 60 on hand, about 70 received in the last month. A read of the agency's
    # history would read 2 500 rows; every read here keeps to what its tab or lookup shows.
    for name, read in reads.items():
        assert assert_dossier_reads_use_indexes(read, most=250) >= 1, name
