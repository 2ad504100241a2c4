"""Records around a dossier: prints, the registered result documents, the personal-data access log and the
citizen's opt-out of messages."""
import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, codes, notify, pdf, public_cache
from ..errors import DossierActionError
from ..models import Dossier, PersonalDataAccess, ResultDocument
from ._core import ROLES_FOR, Event, _audited_save, _event, _start


@transaction.atomic
def record_print(*, dossier_id: int, actor, form_name: str, now: datetime.datetime | None = None) -> None:
    """Each printed form is written to the dossier's internal log (who printed what, when)."""
    ctx = _start(dossier_id, actor, now)
    _event(ctx, Event.FORM_PRINTED, is_public=False, internal_note=form_name)


@transaction.atomic
def register_result_document(*, dossier_id: int, actor, number: str, issued_on: datetime.date, signer: str,
                             title: str = "", now: datetime.datetime | None = None) -> ResultDocument:
    """Register the issued result document so its verification QR can prove it is genuine."""
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["register_result_document"])
    dossier = ctx.dossier
    if not dossier.allows("register_result_document"):
        raise DossierActionError(_("Chỉ đăng ký văn bản kết quả khi hồ sơ đã có kết quả."))
    number, signer = (number or "").strip(), (signer or "").strip()
    if not number or not signer:
        raise DossierActionError(_("Nhập số văn bản và người ký."))
    if dossier.result_documents.filter(number=number).exists():
        raise DossierActionError(_("Văn bản số %(number)s đã được đăng ký cho hồ sơ này.") % {"number": number})
    document = ResultDocument(dossier=dossier, number=number, issued_on=issued_on, signer=signer, title=title.strip(),
                              verification_token=codes.new_token(), registered_by=ctx.official,
                              registered_at=ctx.now)
    # The signed electronic copy is made before the chain is locked: rendering must not hold up other writers.
    copy = pdf.result_copy_pdf(document)
    document.electronic_copy.save(f"{document.verification_token}.pdf", ContentFile(copy), save=False)
    document.electronic_copy_sha256 = hashlib.sha256(copy).hexdigest()
    audit.seal(document, agency_id=dossier.agency_id, now=ctx.now)
    _audited_save(document, ctx.official, f"register_result_document: {number}")
    _event(ctx, Event.RESULT_REGISTERED, public_note=number)
    return document


def record_access(*, user, agency_id: int, kind: str, what: str, dossier_id: int | None = None,
                  now: datetime.datetime | None = None) -> PersonalDataAccess:
    """Log one look at applicants' personal data (Nghị định 13/2023/NĐ-CP): who, when, which dossier (or which
    list, named in `what`), what. Called by every staff view, print and export that shows such data; the
    view has already decided the user may see it, so this never refuses. Own transaction-free insert: a read
    leaves its trace even when nothing else is written."""
    official = getattr(user, "official", None)  # None for a superuser without an official (no query error)
    return PersonalDataAccess.objects.create(
        at=now or timezone.now(), user=user, official=official, agency_id=agency_id, dossier_id=dossier_id,
        kind=kind, what=str(what)[:255],
    )


@transaction.atomic
def opt_out_of_notifications(*, token: str, now: datetime.datetime | None = None) -> Dossier:
    """The citizen stops the messages about their dossier from its tracking page (the token is the proof)."""
    dossier = Dossier.objects.select_for_update().filter(tracking_token=token).first()
    if dossier is None:
        raise DossierActionError(_("Không tìm thấy hồ sơ."))
    if dossier.notify_opted_out_at is None:
        dossier.notify_opted_out_at = now or timezone.now()
        # The citizen, not an official: the history names no user.
        _audited_save(dossier, None, "opt_out_of_notifications", update_fields=["notify_opted_out_at"])
        notify.drop_pending_for_applicant(dossier)
        public_cache.dossier_changed(dossier)  # the only dossier write without an event
    return dossier


