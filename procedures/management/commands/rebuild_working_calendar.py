"""Recompute the precomputed working calendar (`procedures.working_calendar`): every scope, over the present range
widened to the given years and to 1 January of the earliest exception's year through 31 December of next year.

Run it after writes that bypass `procedures.services` and the admin: a bulk seed or import of exceptions or
agencies, or dossiers older than the table (reports measure those in Python until it covers them).
"""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from procedures import services


def report_rebuild(stdout, result: dict) -> None:
    stdout.write(
        _("Lịch làm việc tính sẵn: %(scopes)d phạm vi, %(days)d ngày, từ %(first)s đến %(last)s.")
        % {**result, "first": f"{result['first']:%d/%m/%Y}", "last": f"{result['last']:%d/%m/%Y}"}
    )


class Command(BaseCommand):
    help = _("Tính lại lịch làm việc tính sẵn (thời gian làm việc cộng dồn theo ngày) cho mọi cơ quan.")

    def add_arguments(self, parser):
        parser.add_argument("--first-year", type=int, help=_("Năm đầu tiên cần có trong lịch (mặc định: năm của dữ liệu sớm nhất)."))
        parser.add_argument("--last-year", type=int, help=_("Năm cuối cùng cần có trong lịch (mặc định: năm sau)."))

    def handle(self, *args, first_year=None, last_year=None, **options):
        for year in (first_year, last_year):
            if year is not None and not 1995 <= year <= 2100:
                raise CommandError(_("Năm %(year)s nằm ngoài khoảng 1995–2100.") % {"year": year})
        result = services.rebuild_working_calendar(
            first=dt.date(first_year, 1, 1) if first_year else None, last=dt.date(last_year, 12, 31) if last_year else None,
        )
        report_rebuild(self.stdout, result)
