"""The tamper-evident audit chain (dossiers.audit): hashes over each entry and the one before it, per agency.

Tampering is done the way an insider with database access would do it: raw SQL, bypassing Django."""
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dossiers import audit, services
from dossiers.models import AuditChainHead, AuditVerification, DossierEvent, PublishedChainHead, ResultDocument
from tests.concurrency import run_concurrently

from .conftest import MONDAY_0900, applicant, documents_for, vn

pytestmark = pytest.mark.django_db


def _sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify(agency) -> str:
    """Run the command; '' when the chain is intact, else the error it exits with."""
    try:
        call_command("verify_audit", "--agency", agency.code, stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as error:
        return str(error)
    return ""


@pytest.fixture
def returned_with_result(build_dossier, clerk):
    dossier = build_dossier("returned")
    services.register_result_document(dossier_id=dossier.pk, actor=clerk.user, number="12/QĐ-UBND",
                                      issued_on=datetime.date(2026, 3, 10), signer="Nguyễn Văn Lãnh Đạo",
                                      now=vn(2026, 3, 10, 10, 0))
    return dossier


def test_entries_are_numbered_and_linked_in_the_order_written(returned_with_result, agency):
    entries = list(audit.chain_entries(agency.pk))
    kinds = [type(entry).__name__ for entry in entries]
    # The registration is sealed before its public event: both are in the chain, in the order written.
    assert kinds[-2:] == ["ResultDocument", "DossierEvent"] and kinds.count("ResultDocument") == 1
    assert [entry.chain_seq for entry in entries] == list(range(1, len(entries) + 1))
    previous = audit.GENESIS
    for entry in entries:
        content = (audit.result_content if isinstance(entry, ResultDocument) else audit.event_content)(entry, agency.pk)
        assert entry.chain_hash == audit.entry_hash(previous, content)
        previous = entry.chain_hash
    head = AuditChainHead.objects.get(agency=agency)
    assert (head.seq, head.hash) == (len(entries), previous)
    assert _verify(agency) == ""
    run = AuditVerification.objects.get()
    assert run.ok and run.entries == len(entries) and run.problem == ""


def test_each_agency_has_its_own_chain(receive, agency, outsider, procedure):
    receive()
    procedure.agencies.add(outsider.agency)
    services.receive(actor=outsider.user, procedure_id=procedure.pk, documents=documents_for(procedure),
                     applicant=applicant(name="Lê Thị Bình"), now=MONDAY_0900)
    assert AuditChainHead.objects.get(agency=agency).seq == 1
    assert AuditChainHead.objects.get(agency=outsider.agency).seq == 1
    assert _verify(agency) == "" and _verify(outsider.agency) == ""


def test_update_in_the_database_is_detected_and_named(returned_with_result, agency):
    victim = DossierEvent.objects.order_by("chain_seq")[2]
    _sql("UPDATE dossiers_dossierevent SET public_note = %s WHERE id = %s", ["Đã sửa lén", victim.pk])
    problem = _verify(agency)
    assert f"Mục số {victim.chain_seq} đã bị sửa" in problem and f"id={victim.pk}" in problem
    assert not AuditVerification.objects.latest("ran_at").ok


def test_update_of_a_result_registration_is_detected(returned_with_result, agency):
    document = ResultDocument.objects.get()
    _sql("UPDATE dossiers_resultdocument SET signer = %s WHERE id = %s", ["Người khác", document.pk])
    assert f"Mục số {document.chain_seq} đã bị sửa" in _verify(agency)


def test_update_that_recomputes_its_own_hash_breaks_the_next_one(returned_with_result, agency):
    events = list(DossierEvent.objects.order_by("chain_seq"))
    victim, following = events[1], events[2]
    victim.internal_note = "viết lại"
    forged = audit.entry_hash(events[0].chain_hash, audit.event_content(victim, agency.pk))
    _sql("UPDATE dossiers_dossierevent SET internal_note = %s, chain_hash = %s WHERE id = %s",
         ["viết lại", forged, victim.pk])
    assert f"Mục số {following.chain_seq} đã bị sửa" in _verify(agency)


def test_delete_in_the_database_is_detected(returned_with_result, agency):
    victim = DossierEvent.objects.order_by("chain_seq")[3]
    _sql("DELETE FROM dossiers_dossierevent WHERE id = %s", [victim.pk])
    assert f"Mục số {victim.chain_seq} đã bị xóa" in _verify(agency)


def test_deleting_the_last_entry_is_detected_by_the_head(returned_with_result, agency):
    last = DossierEvent.objects.order_by("chain_seq").last()
    _sql("DELETE FROM dossiers_dossierevent WHERE id = %s", [last.pk])
    assert f"Mục số {last.chain_seq} đến {last.chain_seq} đã bị xóa" in _verify(agency)


def test_inserted_row_is_detected(returned_with_result, agency):
    event = DossierEvent.objects.order_by("chain_seq").first()
    DossierEvent.objects.create(dossier=event.dossier, kind=event.kind, at=event.at, public_note="chèn thêm")
    assert "Mục chèn thêm ngoài chuỗi" in _verify(agency)


def test_rewriting_the_whole_tail_is_caught_by_the_published_head(returned_with_result, agency):
    services.publish_chain_heads(now=vn(2026, 3, 10, 23, 0))
    published = PublishedChainHead.objects.get(agency=agency)
    # An insider rewrites an entry and every hash after it, head included: only the published copy disagrees.
    entries = list(audit.chain_entries(agency.pk))
    entries[0].public_note = "viết lại toàn bộ"
    previous = audit.GENESIS
    for entry in entries:
        content = (audit.result_content if isinstance(entry, ResultDocument) else audit.event_content)(entry, agency.pk)
        entry.chain_hash = previous = audit.entry_hash(previous, content)
        type(entry).objects.filter(pk=entry.pk).update(chain_hash=entry.chain_hash, **(
            {"public_note": entry.public_note} if entry is entries[0] else {}))
    AuditChainHead.objects.filter(agency=agency).update(hash=previous)
    assert f"Mục số {published.seq} khác với đầu chuỗi đã công bố" in _verify(agency)


def test_publication_keeps_the_first_head_of_the_day(returned_with_result, agency, clerk):
    first = services.publish_chain_heads(now=vn(2026, 3, 10, 0, 45))
    services.record_print(dossier_id=returned_with_result.pk, actor=clerk.user, form_name="Mẫu 01",
                          now=vn(2026, 3, 10, 9, 0))
    again = services.publish_chain_heads(now=vn(2026, 3, 10, 12, 0))
    assert [(row.seq, row.hash) for row in again] == [(row.seq, row.hash) for row in first]
    tomorrow = services.publish_chain_heads(now=vn(2026, 3, 11, 0, 45))
    assert tomorrow[0].seq == first[0].seq + 1
    assert _verify(agency) == ""


def test_pre_chain_rows_are_chained_by_the_migration(returned_with_result, agency):
    """Rows written before the chain existed (seq NULL) are chained in time order by migration 0006."""
    import importlib

    from django.apps import apps

    _sql("UPDATE dossiers_dossierevent SET chain_seq = NULL, chain_hash = ''")
    _sql("UPDATE dossiers_resultdocument SET chain_seq = NULL, chain_hash = ''")
    AuditChainHead.objects.all().delete()
    assert "ngoài chuỗi" in _verify(agency)
    migration = importlib.import_module("dossiers.migrations.0006_issue17_chain_existing_entries")
    migration.chain_existing(apps, None)
    assert _verify(agency) == ""


def test_unknown_agency_code_is_an_error(db):
    with pytest.raises(CommandError, match="Không có cơ quan mã X.Y"):
        call_command("verify_audit", "--agency", "X.Y", stdout=io.StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_produce_one_valid_chain(build_dossier, agency, clerk):
    from django.contrib.auth import get_user_model

    dossiers = [build_dossier("received") for _ in range(4)]
    before = AuditChainHead.objects.get(agency=agency).seq

    def print_form(index):
        actor = get_user_model().objects.get(pk=clerk.user_id)
        services.record_print(dossier_id=dossiers[index % 4].pk, actor=actor, form_name=f"Mẫu 01 lần {index}")
        return index

    results = run_concurrently(print_form, list(range(20)))
    assert sorted(results) == list(range(20))
    assert AuditChainHead.objects.get(agency=agency).seq == before + 20
    seqs = sorted(DossierEvent.objects.filter(dossier__agency=agency).values_list("chain_seq", flat=True))
    assert seqs == list(range(1, before + 21))
    assert _verify(agency) == ""
