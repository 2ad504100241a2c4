"""Chain the events and result registrations written before the audit chain existed, per agency, in the order
they happened (events by time, then registrations by time), so `verify_audit` accepts them from the start."""
from django.db import migrations


def chain_existing(apps, schema_editor):
    from dossiers.audit import GENESIS, entry_hash, event_content, result_content

    Agency = apps.get_model("procedures", "Agency")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    ResultDocument = apps.get_model("dossiers", "ResultDocument")
    AuditChainHead = apps.get_model("dossiers", "AuditChainHead")
    for agency in Agency.objects.order_by("pk"):
        events = DossierEvent.objects.filter(dossier__agency_id=agency.pk, chain_seq__isnull=True)
        documents = ResultDocument.objects.filter(dossier__agency_id=agency.pk, chain_seq__isnull=True)
        entries = sorted(
            [(event.at, 0, event.pk, event, event_content) for event in events]
            + [(document.registered_at, 1, document.pk, document, result_content) for document in documents],
            key=lambda item: item[:3],
        )
        head = AuditChainHead.objects.filter(agency_id=agency.pk).first()
        seq, previous = (head.seq, head.hash) if head else (0, GENESIS)
        for _at, _kind, _pk, entry, content in entries:
            seq += 1
            entry.chain_seq = seq
            entry.chain_hash = previous = entry_hash(previous, content(entry, agency.pk))
            entry.save(update_fields=["chain_seq", "chain_hash"])
        if entries:
            AuditChainHead.objects.update_or_create(agency_id=agency.pk, defaults={"seq": seq, "hash": previous})


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_issue17_signatures_audit_chain")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
