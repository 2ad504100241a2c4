"""The audit chain's daily publication and its verification runs (dossiers.audit walks the chain)."""
import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Agency

from .. import audit
from ..errors import DossierActionError
from ..models import AuditChainHead, AuditVerification, PublishedChainHead


@transaction.atomic
def publish_chain_heads(*, now: datetime.datetime | None = None) -> list[PublishedChainHead]:
    """Publish each agency's chain head for today (Celery beat, daily). The first publication of a day stands:
    a copy someone already took must keep matching."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    published = []
    for head in AuditChainHead.objects.filter(seq__gt=0).order_by("agency_id"):
        row, _created = PublishedChainHead.objects.get_or_create(
            agency_id=head.agency_id, published_on=day,
            defaults={"published_at": now, "seq": head.seq, "hash": head.hash},
        )
        published.append(row)
    return published


def verify_audit_chains(*, agency_code: str | None = None,
                        now: datetime.datetime | None = None) -> list[audit.ChainReport]:
    """Walk the chain of one agency (or of each) and store the result for the leader dashboard."""
    agencies = Agency.objects.order_by("code")
    if agency_code:
        agencies = agencies.filter(code=agency_code)
        if not agencies.exists():
            raise DossierActionError(_("Không có cơ quan mã %(code)s.") % {"code": agency_code})
    reports = []
    for agency in agencies:
        report = _walk_in_snapshot(agency.pk)
        AuditVerification.objects.create(agency=agency, ran_at=now or timezone.now(), ok=report.ok,
                                         entries=report.entries, problem=report.problem)
        reports.append(report)
    return reports


def _walk_in_snapshot(agency_id: int) -> audit.ChainReport:
    """One consistent snapshot (PostgreSQL REPEATABLE READ) so writes landing during the walk are not mistaken for
    tampering; inside an outer transaction (tests) the outer one's view is used."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return audit.walk(agency_id)
    with transaction.atomic():
        return audit.walk(agency_id)


