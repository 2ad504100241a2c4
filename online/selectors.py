"""Every read of the online channel, with fixed query counts.

Who may see a submission has one definition here, built on the dossier rule: an official of the submission's
agency with a whole-agency role (clerks, leaders, the agency admin) sees the confirmed submissions not yet
received; once received, a submission follows its dossier (`dossiers.selectors.visible_dossiers`). A submission
whose contact is not confirmed is never shown to anyone in the office.
"""
import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from dossiers import selectors as dossier_selectors
from procedures import calendar
from procedures.models import Official

from .models import INBOX_STATES, OnlineSubmission, SubmissionState, SubmittedFile

STAFF_STATES = (SubmissionState.SUBMITTED, SubmissionState.RETURNED, SubmissionState.RECEIVED,
                SubmissionState.REFUSED)


def visible_submissions(official: Official) -> QuerySet[OnlineSubmission]:
    """THE rule of which online submissions an official may see (inbox, page, files)."""
    mine = OnlineSubmission.objects.filter(agency_id=official.agency_id, state__in=STAFF_STATES)
    followed = Q(dossier__in=dossier_selectors.visible_dossiers(official).values("pk"))
    if dossier_selectors.sees_whole_agency(official):
        return mine.filter(Q(dossier__isnull=True) | followed)
    return mine.filter(followed)


def _waiting_supplement() -> Exists:
    return Exists(SubmittedFile.objects.filter(submission=OuterRef("pk"), purpose=SubmittedFile.Purpose.SUPPLEMENT,
                                               accepted_at__isnull=True))


def inbox(official: Official, *, now: datetime.datetime | None = None) -> list[OnlineSubmission]:
    """Confirmed submissions waiting for reception, oldest first, each with `waited` (working time since it was
    submitted, by the agency's calendar); then received ones whose citizen uploaded a supplement to accept."""
    now = now or timezone.now()
    rows = list(
        visible_submissions(official)
        .annotate(has_supplement=_waiting_supplement(), file_count=Count("files"))
        .filter(Q(state__in=INBOX_STATES) | Q(state=SubmissionState.RECEIVED, has_supplement=True))
        .select_related("procedure", "dossier")
        .order_by("submitted_at", "pk")
    )
    if rows:
        # One read of the calendar's exceptions for the whole window, whatever the number of rows.
        clock = calendar.WorkingClock.spanning(official.agency, [*(row.submitted_at for row in rows), now])
        for row in rows:
            row.waited = clock.between(row.submitted_at, now)
            row.waited_hours = row.waited.total_seconds() / 3600
    return rows


def submission_for_staff(official: Official, pk: int) -> OnlineSubmission:
    """One submission the official may see, with its files; DoesNotExist otherwise."""
    return (
        visible_submissions(official)
        .select_related("procedure", "agency", "dossier", "guidance", "decided_by")
        .prefetch_related(Prefetch("files", queryset=SubmittedFile.objects.select_related("required_document")))
        .get(pk=pk)
    )


def file_for_staff(official: Official, submission_pk: int, file_pk: int) -> SubmittedFile:
    return SubmittedFile.objects.select_related("submission").get(
        pk=file_pk, submission__in=visible_submissions(official).filter(pk=submission_pk).values("pk"))


def submission_by_token(token: str) -> OnlineSubmission:
    """The citizen's read: their submission by its token, with what the status page shows."""
    return (
        OnlineSubmission.objects.select_related("procedure", "agency", "dossier", "guidance")
        .prefetch_related(Prefetch("files", queryset=SubmittedFile.objects.order_by("uploaded_at", "pk")),
                          "procedure__required_documents")
        .get(tracking_token=token)
    )


def file_by_token(token: str, file_pk: int) -> SubmittedFile:
    return SubmittedFile.objects.select_related("submission").get(pk=file_pk, submission__tracking_token=token)
