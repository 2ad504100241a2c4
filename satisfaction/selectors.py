"""Every read of ratings and feedback a page, e-mail or report needs: fixed query counts, aggregates in the database.

Satisfaction rate = share of "Rất hài lòng" + "Hài lòng" among ratings, per agency, procedure, official or month,
always for one source (dossier ratings and placard ratings are reported apart). The officials' scorecard is this
app's own internal score (three indicators scored 2 / 1 / 0 and their mean, classified by the bands of the
SATISFACTION_SCORE_BANDS setting), not the scoring of a legal text: see docs/ARCHITECTURE.md.
"""
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers import selectors as dossier_selectors
from procedures.calendar import Period
from procedures.models import Official
from procedures.roles import MANAGER_ROLES

from .models import (
    MISCONDUCT_KINDS,
    OPEN_FEEDBACK_STATES,
    SATISFIED_LEVELS,
    Feedback,
    Level,
    Rating,
    RatingOfficial,
)

# Both ends open: every rating or report.
ALL_TIME = Period()


# --- public pages --------------------------------------------------------------------------------------


def dossier_for_rating(token: str):
    """The dossier behind a tracking token (raises ObjectDoesNotExist), read through the dossiers app."""
    return dossier_selectors.dossier_for_rating(token)


def is_rateable(dossier) -> bool:
    return dossier_selectors.is_rateable(dossier)


def officials_who_handled(dossier_id: int) -> list[Official]:
    return list(dossier_selectors.officials_who_handled(dossier_id))


def rating_of_dossier(dossier_id: int) -> Rating | None:
    return (
        Rating.objects.filter(dossier_id=dossier_id)
        .prefetch_related(Prefetch("officials", queryset=Official.objects.order_by("display_name")))
        .first()
    )


def public_official(pk: int) -> Official:
    """An active official's public card (name, title, agency); anyone else is DoesNotExist."""
    return Official.objects.select_related("agency").only(
        "id", "display_name", "title", "is_active", "agency__id", "agency__name"
    ).get(pk=pk, is_active=True)


def officials_for_feedback() -> QuerySet[Official]:
    """Active officials a citizen may name in a report, grouped by agency."""
    return Official.objects.filter(is_active=True).select_related("agency").order_by("agency__name", "display_name")


def feedback_by_token(token: str) -> Feedback:
    return Feedback.objects.select_related("agency", "procedure").get(token=token)


def feedback_token_for_lookup(*, code: str, last_digits: str) -> str | None:
    """The status-page token of the report with this code whose reporter's phone ends with `last_digits`; None for
    an unknown code, a wrong pair and an anonymous report alike (a code alone shows nothing, as for dossiers)."""
    code = (code or "").strip().upper()
    if not code or len(last_digits or "") != 4:
        return None
    row = Feedback.objects.filter(code=code).values("token", "reporter_phone").first()
    if row is None:
        return None
    return row["token"] if dossier_selectors.last_digits_match(last_digits, row["reporter_phone"]) else None


# --- notifications -------------------------------------------------------------------------------------


def rating_for_notification(rating_id: int) -> Rating | None:
    return (
        Rating.objects.select_related("agency", "procedure", "dossier").prefetch_related("officials")
        .filter(pk=rating_id).first()
    )


def feedback_for_notification(feedback_id: int) -> Feedback | None:
    return (
        Feedback.objects.select_related("agency", "dossier").prefetch_related("officials")
        .filter(pk=feedback_id).first()
    )


# --- staff pages -----------------------------------------------------------------------------------------


def is_manager(official: Official) -> bool:
    return official.has_role(*MANAGER_ROLES)


@dataclass(frozen=True)
class FeedbackFilters:
    state: str = ""
    subject: str = ""
    kind: str = ""
    overdue: bool = False
    query: str = ""


def _visible_feedback(official: Official) -> QuerySet[Feedback]:
    """Leaders and agency admins see all of their agency's reports; anyone else only those assigned to them."""
    feedback = Feedback.objects.filter(agency_id=official.agency_id)
    if not is_manager(official):
        feedback = feedback.filter(assignee=official)
    return feedback


def feedback_list(official: Official, filters: FeedbackFilters = FeedbackFilters(),
                  now: datetime.datetime | None = None) -> QuerySet[Feedback]:
    now = now or timezone.now()
    feedback = _visible_feedback(official)
    if filters.state:
        feedback = feedback.filter(state=filters.state)
    if filters.subject:
        feedback = feedback.filter(subject=filters.subject)
    if filters.kind:
        feedback = feedback.filter(kind=filters.kind)
    if filters.overdue:
        feedback = feedback.filter(state__in=OPEN_FEEDBACK_STATES, answer_due_at__lt=now)
    if filters.query:
        feedback = feedback.filter(code__icontains=filters.query.strip())
    return (
        feedback.select_related("procedure", "assignee")
        .prefetch_related(Prefetch("officials", queryset=Official.objects.order_by("display_name")))
        .annotate(overdue=Q(state__in=OPEN_FEEDBACK_STATES, answer_due_at__lt=now))
        .order_by("answer_due_at", "id")
    )


def feedback_for_staff(official: Official, pk: int) -> Feedback:
    return (
        _visible_feedback(official)
        .select_related("agency", "procedure", "dossier", "rating", "assignee", "answered_by")
        .prefetch_related("officials")
        .get(pk=pk)
    )


def feedback_history(feedback: Feedback) -> list:
    return list(
        Feedback.history.filter(id=feedback.pk).select_related("history_user__official").order_by("history_date")
    )


def assignable_officials(feedback: Feedback) -> QuerySet[Official]:
    """Active officials of the agency, except those the report is about."""
    return (
        Official.objects.filter(agency_id=feedback.agency_id, is_active=True)
        .exclude(pk__in=[o.pk for o in feedback.officials.all()]).order_by("display_name")
    )


def low_ratings_to_handle(official: Official) -> QuerySet[Rating]:
    """"Không hài lòng" ratings of the agency no leader has dealt with yet, oldest first."""
    return (
        Rating.objects.filter(agency_id=official.agency_id, overall=Level.DISSATISFIED, handled_at__isnull=True)
        .select_related("procedure", "dossier")
        .prefetch_related(Prefetch("officials", queryset=Official.objects.order_by("display_name")))
        .order_by("created_at", "id")
    )


def open_official_feedback(official: Official) -> QuerySet[Feedback]:
    """Reports about an official still waiting for an answer."""
    return feedback_list(official, FeedbackFilters(subject=Feedback.Subject.OFFICIAL)).filter(
        state__in=OPEN_FEEDBACK_STATES
    )


# --- aggregates: satisfaction ----------------------------------------------------------------------------


def _level_counts(prefix: str = "") -> dict:
    overall = f"{prefix}overall"
    return {
        "total": Count("id"),
        "very_satisfied": Count("id", filter=Q(**{overall: Level.VERY_SATISFIED})),
        "satisfied": Count("id", filter=Q(**{overall: Level.SATISFIED})),
        "dissatisfied": Count("id", filter=Q(**{overall: Level.DISSATISFIED})),
        "happy": Count("id", filter=Q(**{f"{overall}__in": SATISFIED_LEVELS})),
    }


# Percent of satisfied ratings, computed by the database from the grouped counts.
_RATE = Cast(F("happy"), FloatField()) * Value(100.0) / Cast(F("total"), FloatField())


def _ratings(source: str, period: Period, agency_id: int | None) -> QuerySet[Rating]:
    ratings = Rating.objects.filter(source=source).filter(period.q("created_at"))
    if agency_id:
        ratings = ratings.filter(agency_id=agency_id)
    return ratings


def satisfaction_by_procedure(*, source: str = Rating.Source.DOSSIER, period: Period = ALL_TIME,
                              agency_id: int | None = None) -> list[dict]:
    return list(
        _ratings(source, period, agency_id).filter(procedure__isnull=False)
        .values("procedure_id", "procedure__code", "procedure__name").annotate(**_level_counts())
        .annotate(rate=_RATE).order_by("procedure__name", "procedure_id")
    )


def satisfaction_by_official(*, source: str = Rating.Source.DOSSIER, period: Period = ALL_TIME,
                             agency_id: int | None = None) -> list[dict]:
    """Each rating counts once for every official it is attributed to."""
    attributions = RatingOfficial.objects.filter(rating__source=source).filter(period.q("rating__created_at"))
    if agency_id:
        attributions = attributions.filter(rating__agency_id=agency_id)
    return list(
        attributions.values("official_id", "official__display_name", "official__title")
        .annotate(**_level_counts("rating__")).annotate(rate=_RATE)
        .order_by("official__display_name", "official_id")
    )


def satisfaction_by_month(*, source: str = Rating.Source.DOSSIER, period: Period = ALL_TIME,
                          agency_id: int | None = None) -> list[dict]:
    """Months in Vietnam time (the current time zone)."""
    return list(
        _ratings(source, period, agency_id).annotate(month=TruncMonth("created_at")).values("month")
        .annotate(**_level_counts()).annotate(rate=_RATE).order_by("month")
    )


def satisfaction_by_day(*, source: str = Rating.Source.DOSSIER, period: Period = ALL_TIME,
                        agency_id: int | None = None) -> list[dict]:
    """Per local day (`local_day`, Vietnam time; placard ratings' own `day` is for their daily limit), agency and
    procedure: the public statistics' daily roll-ups (portal/rollups.py) sum these, so their months equal
    `satisfaction_by_month`'s."""
    return list(
        _ratings(source, period, agency_id).annotate(local_day=TruncDate("created_at"))
        .values("local_day", "agency_id", "procedure_id")
        .annotate(**_level_counts()).order_by()
    )


def satisfaction_total(*, source: str = Rating.Source.DOSSIER, period: Period = ALL_TIME,
                       agency_id: int | None = None) -> dict:
    counts = _ratings(source, period, agency_id).aggregate(**_level_counts())
    counts["rate"] = counts["happy"] * 100.0 / counts["total"] if counts["total"] else None
    return counts


# --- aggregates: feedback -------------------------------------------------------------------------------


def _feedback_counts(now: datetime.datetime) -> dict:
    return {
        "received": Count("id"),
        "answered": Count("id", filter=Q(answered_at__isnull=False)),
        "answered_on_time": Count("id", filter=Q(answered_at__lte=F("answer_due_at"))),
        "overdue_open": Count("id", filter=Q(state__in=OPEN_FEEDBACK_STATES, answer_due_at__lt=now)),
    }


def feedback_by_month(*, period: Period = ALL_TIME, agency_id: int | None = None,
                      now: datetime.datetime | None = None) -> list[dict]:
    feedback = Feedback.objects.filter(period.q("received_at"))
    if agency_id:
        feedback = feedback.filter(agency_id=agency_id)
    return list(
        feedback.annotate(month=TruncMonth("received_at")).values("month")
        .annotate(**_feedback_counts(now or timezone.now())).order_by("month")
    )


# --- the officials' scorecard (an internal score of this app, not a legal formula) -------------------------
#
# It was once labelled "Thông tư 01/2018/TT-VPCP Điều 15", but that article's indicators, their sum and its
# classification bands could not be verified against the text; what is computed here is a mean of three indicators,
# and it says so. The bands are a setting (SATISFACTION_SCORE_BANDS) each deployment may change.

SCORE_CLASSES = (("good", _("Tốt")), ("fair", _("Đạt")))
BELOW_BANDS = _("Chưa đạt")


def classify(score: Decimal | None) -> str:
    """The class of a mean score (0–2): the first band in SATISFACTION_SCORE_BANDS whose floor it reaches, else
    "Chưa đạt"; "" without a score."""
    if score is None:
        return ""
    bands = settings.SATISFACTION_SCORE_BANDS
    for key, label in SCORE_CLASSES:
        if score >= Decimal(str(bands[key])):
            return str(label)
    return str(BELOW_BANDS)


def _scores(prefix: str, misconduct) -> dict:
    """Per rated dossier, each indicator 2 / 1 / 0:
    - time: before the appointment 2, on time 1, late 0 (the dossier's timeliness); no score
      when there was no result (refused or stopped dossiers);
    - visits: no extra trip 2, one 1, more than one 0;
    - attitude: Rất hài lòng 2, Hài lòng 1, Không hài lòng 0 — and 0 whenever a verified (answered and upheld)
      report of harassment or of a demand for money concerns it.
    The dossier's score is the mean of the indicators it has."""
    # The dossier's timeliness (dossiers.selectors.timeliness_class, the national rule): -1 before, 0 on, 1 late.
    time_score = Case(
        When(**{f"{prefix}dossier__processed_at__isnull": True}, then=Value(None)),
        When(Q(dossier_timeliness=-1), then=Value(2)),
        When(Q(dossier_timeliness=0), then=Value(1)),
        default=Value(0), output_field=IntegerField(),
    )
    visits_score = Case(
        When(**{f"{prefix}extra_visits": 0}, then=Value(2)),
        When(**{f"{prefix}extra_visits": 1}, then=Value(1)),
        default=Value(0), output_field=IntegerField(),
    )
    attitude_score = Case(
        When(misconduct, then=Value(0)),
        When(**{f"{prefix}attitude": Level.VERY_SATISFIED}, then=Value(2)),
        When(**{f"{prefix}attitude": Level.SATISFIED}, then=Value(1)),
        default=Value(0), output_field=IntegerField(),
    )
    return {"dossier_timeliness": dossier_selectors.timeliness_class(f"{prefix}dossier__"), "time_score": time_score,
            "visits_score": visits_score,
            "attitude_score": attitude_score}


def _dossier_score():
    as_float = {name: Cast(F(name), FloatField()) for name in ("time_score", "visits_score", "attitude_score")}
    return Case(
        When(time_score__isnull=True, then=(as_float["visits_score"] + as_float["attitude_score"]) / Value(2.0)),
        default=(as_float["time_score"] + as_float["visits_score"] + as_float["attitude_score"]) / Value(3.0),
        output_field=FloatField(),
    )


_SCORE_AVERAGES = {
    "dossiers": Count("id"),
    "time": Avg("time_score"),
    "visits": Avg("visits_score"),
    "attitude": Avg("attitude_score"),
    "score": Avg("dossier_score"),
}


def _one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _rounded(row: dict) -> dict:
    rounded = {**row, **{key: _one_decimal(row[key]) for key in ("time", "visits", "attitude", "score")}}
    rounded["classification"] = classify(rounded["score"])
    return rounded


def _verified_misconduct():
    return Feedback.objects.filter(
        kind__in=MISCONDUCT_KINDS, upheld=True, state__in=(Feedback.State.ANSWERED, Feedback.State.CLOSED)
    )


def scorecard_by_official(*, agency_id: int, period: Period = ALL_TIME) -> list[dict]:
    """Per official: dossiers rated, each indicator's mean, the mean dossier score (to one decimal) and its class."""
    misconduct = Exists(_verified_misconduct().filter(dossier_id=OuterRef("rating__dossier_id"),
                                                      officials=OuterRef("official_id")))
    rows = (
        RatingOfficial.objects.filter(rating__source=Rating.Source.DOSSIER, rating__agency_id=agency_id)
        .filter(period.q("rating__created_at"))
        .annotate(**_scores("rating__", misconduct)).annotate(dossier_score=_dossier_score())
        .values("official_id", "official__display_name", "official__title")
        .annotate(**_SCORE_AVERAGES).order_by("official__display_name", "official_id")
    )
    return [_rounded(row) for row in rows]


def scorecard_for_agency(*, agency_id: int, period: Period = ALL_TIME) -> dict:
    """The agency's means over its rated dossiers (a misconduct report about any of its officials counts)."""
    misconduct = Exists(_verified_misconduct().filter(dossier_id=OuterRef("dossier_id")))
    row = (
        Rating.objects.filter(source=Rating.Source.DOSSIER, agency_id=agency_id).filter(period.q("created_at"))
        .annotate(**_scores("", misconduct)).annotate(dossier_score=_dossier_score())
        .aggregate(**_SCORE_AVERAGES)
    )
    return _rounded(row)


def scorecard_rows(*, agency_id: int, period: Period = ALL_TIME) -> QuerySet[Rating]:
    """Each rated dossier of the agency with its three indicators (for the detail table)."""
    misconduct = Exists(_verified_misconduct().filter(dossier_id=OuterRef("dossier_id")))
    return (
        Rating.objects.filter(source=Rating.Source.DOSSIER, agency_id=agency_id).filter(period.q("created_at"))
        .select_related("dossier", "procedure")
        .annotate(**_scores("", misconduct)).annotate(dossier_score=_dossier_score())
        .order_by("-created_at", "-id")
    )
