"""Load Vietnam's public holidays into the working calendar as national exceptions.

The `holidays` package (country "VN") knows the statutory days of Bộ luật Lao động 2019 Điều 112,
lunar Tết, the Hùng Kings' day, observed and substituted days off, and in `weekend_workdays` the
Saturdays worked in exchange. It does not know the civil-service swaps announced each year (e.g.
Friday 02/01/2026 off against Saturday 10/01/2026 worked): admins enter those, and this command never
touches a row an admin created or edited (source "admin"). The precomputed calendar
(`procedures.working_calendar`) is rebuilt afterwards, through the end of the last year loaded.
"""
import datetime as dt

import holidays
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from procedures import services
from procedures.management.commands.rebuild_working_calendar import report_rebuild
from procedures.models import CalendarException

Kind = CalendarException.Kind
Source = CalendarException.Source
NAME_MAX = CalendarException._meta.get_field("name").max_length


def package_calendar(year: int) -> dict[dt.date, tuple[str, str]]:
    """{date: (kind, name)} for one year, as the `holidays` package gives it (names in Vietnamese)."""
    days_off = holidays.country_holidays("VN", years=year, language="vi")
    wanted = {day: (Kind.DAY_OFF, name[:NAME_MAX]) for day, name in days_off.items() if day.year == year}
    # weekend_workdays spans every year the package knows; keep this year's and never let it hide a holiday.
    for day in getattr(days_off, "weekend_workdays", ()):
        if day.year == year and day not in wanted:
            wanted[day] = (Kind.WORKING_DAY, _("Làm việc bù (theo lịch nghỉ lễ quốc gia)"))
    return wanted


class Command(BaseCommand):
    help = _("Nạp ngày nghỉ lễ, Tết và ngày làm bù của Việt Nam từ gói holidays vào lịch làm việc.")

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int, metavar="YEAR")

    def handle(self, *args, years, **options):
        for year in years:
            if not 1995 <= year <= 2100:
                raise CommandError(_("Năm %(year)s nằm ngoài khoảng 1995–2100.") % {"year": year})
        for year in sorted(set(years)):
            counts = self.sync_year(year)
            self.stdout.write(
                _(
                    "Năm %(year)s: tạo mới %(created)d, cập nhật %(updated)d, giữ nguyên %(unchanged)d, "
                    "giữ ngày do quản trị viên sửa %(admin)d, xoá %(deleted)d."
                )
                % {"year": year, **counts}
            )
        report_rebuild(self.stdout, services.rebuild_working_calendar(last=dt.date(max(years), 12, 31)))

    @transaction.atomic
    def sync_year(self, year: int) -> dict[str, int]:
        wanted = package_calendar(year)
        counts = dict.fromkeys(("created", "updated", "unchanged", "admin", "deleted"), 0)
        existing = {
            row.date: row
            for row in CalendarException.objects.select_for_update().filter(
                agency__isnull=True, date__year=year
            )
        }
        for day, (kind, name) in sorted(wanted.items()):
            row = existing.get(day)
            if row is None:
                CalendarException.objects.create(
                    date=day, kind=kind, part=CalendarException.Part.WHOLE, name=name, source=Source.HOLIDAYS
                )
                counts["created"] += 1
            elif row.source != Source.HOLIDAYS:
                counts["admin"] += 1
            elif (row.kind, row.part, row.name) != (kind, CalendarException.Part.WHOLE, name):
                row.kind, row.part, row.name = kind, CalendarException.Part.WHOLE, name
                row._change_reason = "sync_holidays"
                row.save()
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        # The package's own rows it no longer lists (a corrected date) go; admin rows stay whatever they say.
        for day, row in existing.items():
            if day not in wanted and row.source == Source.HOLIDAYS:
                row._change_reason = "sync_holidays"
                row.delete()
                counts["deleted"] += 1
        return counts
