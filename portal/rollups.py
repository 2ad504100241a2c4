"""Writing the statistics' daily roll-ups (`portal.models.DailyFigures`, `RolledUpDay`); the reads are in
`portal/reports/public.py`.

Each figure is counted on the local day (Vietnam time) of the instant it counts, exactly as the live queries
count it: received on `received_at`'s day (refusals at the counter excluded), processed before / on / after time on
`processed_at`'s day, ratings on `created_at`'s day. A dossier received last month and finished today therefore adds
to last month's "received" (rolled up long ago, unchanged) and to today's "processed" (counted live). Only closed
days (before today) are rolled up; rebuilding a day deletes and rewrites its rows in one transaction, so running
it twice, or for days already rolled up, gives the same rows.
"""
from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from common.clock import VN
from dossiers import selectors as dossier_selectors
from dossiers.models import Dossier, State
from procedures.calendar import Period
from satisfaction import selectors as satisfaction_selectors

from .models import DailyFigures, RolledUpDay

# Days kept rolled up behind today: the API accepts periods of up to two years (api/reports.py, MAX_DAYS).
KEEP_DAYS = 800
# The last days are rebuilt every night even when rolled up: a transaction that committed after midnight with an
# instant before it (a long reception, a clock a little behind) still reaches its day.
REDO_DAYS = 2
CHUNK_DAYS = 31  # one transaction and a month of grouped rows at a time

_TIMELINESS = {-1: "before", 0: "on_time", 1: "late"}


def _days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def _runs(days: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Sorted days as (first, last) runs of consecutive days."""
    runs: list[list[datetime.date]] = []
    for day in days:
        if runs and day == runs[-1][1] + datetime.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _counted(period: Period) -> dict[tuple, dict[str, int]]:
    """The grouped counts of the period's days, by (day, agency id, procedure id)."""
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    dossiers = Dossier.objects.order_by()
    received = (dossiers.filter(period.q("received_at")).exclude(state=State.REFUSED)
                .annotate(day=TruncDate("received_at", tzinfo=VN))
                .values_list("day", "agency_id", "procedure_id").annotate(n=Count("id")))
    for day, agency_id, procedure_id, n in received:
        rows[day, agency_id, procedure_id]["received"] += n
    processed = (dossiers.filter(period.q("processed_at"))
                 .annotate(day=TruncDate("processed_at", tzinfo=VN), timeliness=dossier_selectors.timeliness_class())
                 .values_list("day", "agency_id", "procedure_id", "timeliness").annotate(n=Count("id")))
    for day, agency_id, procedure_id, timeliness, n in processed:
        rows[day, agency_id, procedure_id][_TIMELINESS[timeliness]] += n
    for row in satisfaction_selectors.satisfaction_by_day(period=period):
        counts = rows[row["local_day"], row["agency_id"], row["procedure_id"]]
        counts["rated"] += row["total"]
        counts["satisfied"] += row["happy"]
    return rows


def roll_up(first: datetime.date, last: datetime.date, now: datetime.datetime | None = None) -> int:
    """Rebuild the roll-ups of the closed days in [first, last]; returns the number of days rebuilt."""
    now = now or timezone.now()
    last = min(last, timezone.localtime(now, VN).date() - datetime.timedelta(days=1))
    done = 0
    while first <= last:
        chunk_last = min(last, first + datetime.timedelta(days=CHUNK_DAYS - 1))
        with transaction.atomic():
            counted = _counted(Period(first=first, last=chunk_last))
            DailyFigures.objects.filter(day__range=(first, chunk_last)).delete()
            DailyFigures.objects.bulk_create(
                [DailyFigures(day=day, agency_id=agency_id, procedure_id=procedure_id, **counts)
                 for (day, agency_id, procedure_id), counts in counted.items()], batch_size=2000)
            RolledUpDay.objects.filter(day__range=(first, chunk_last)).delete()
            RolledUpDay.objects.bulk_create([RolledUpDay(day=day, rolled_at=now) for day in _days(first, chunk_last)])
        done += (chunk_last - first).days + 1
        first = chunk_last + datetime.timedelta(days=1)
    return done


def roll_up_due(now: datetime.datetime | None = None) -> int:
    """The nightly run: every day of the last KEEP_DAYS not rolled up yet (a first run, a night the task missed)
    and the last REDO_DAYS again."""
    now = now or timezone.now()
    yesterday = timezone.localtime(now, VN).date() - datetime.timedelta(days=1)
    first = yesterday - datetime.timedelta(days=KEEP_DAYS - 1)
    redo_from = yesterday - datetime.timedelta(days=REDO_DAYS - 1)
    rolled = set(RolledUpDay.objects.filter(day__range=(first, redo_from - datetime.timedelta(days=1)))
                 .values_list("day", flat=True))
    due = [day for day in _days(first, yesterday) if day not in rolled]
    return sum(roll_up(run_first, run_last, now) for run_first, run_last in _runs(due))
