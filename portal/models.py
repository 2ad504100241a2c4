"""The statistics' daily roll-ups (portal/rollups.py): derived rows, rebuilt from dossiers and ratings.

They live in `portal`, the layer that reads every app, because they sum two apps' tables (dossiers, and ratings
which sit above them): neither app could own them without importing the other. No service writes them: each
figure is counted on the day of the instant it counts (received_at, processed_at, a rating's created_at), and the
services set those instants to "now" and never move them, so a closed day's figures do not change; the nightly
task and `manage.py rollup_reports` rebuild days from the source rows (idempotent). No simple-history: a roll-up
is a cache of other rows, whose own history is kept.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Procedure


class DailyFigures(models.Model):
    """One local day (Vietnam time) of one agency and procedure: what the public statistics count on that day."""

    day = models.DateField(_("ngày"))
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+")
    # Null only for ratings given without a procedure; grouping by procedure, not field, lets the field of a
    # procedure be corrected without re-rolling.
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, null=True,
                                  related_name="+")
    received = models.PositiveIntegerField(default=0)
    before = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("số liệu tổng hợp theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "procedure"], condition=Q(procedure__isnull=False),
                                    name="daily_figures_unique"),
            models.UniqueConstraint(fields=["agency", "day"], condition=Q(procedure__isnull=True),
                                    name="daily_figures_unique_no_procedure"),
        ]
        # (agency, day, procedure) above serves one agency's period; this one the all-agencies page.
        indexes = [models.Index(fields=["day"])]


class RolledUpDay(models.Model):
    """A day whose `DailyFigures` are complete; a day without a row is counted from the dossiers themselves."""

    day = models.DateField(_("ngày"), unique=True)
    rolled_at = models.DateTimeField(_("thời điểm tổng hợp"))

    class Meta:
        verbose_name = verbose_name_plural = _("ngày đã tổng hợp")
