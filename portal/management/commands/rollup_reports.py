"""Rebuild the public statistics' daily roll-ups (portal/rollups.py).

    manage.py rollup_reports --since 2025-01-01 [--until 2025-12-31]   the days of a range (up to yesterday)
    manage.py rollup_reports                                            the nightly run: days not rolled up yet

Idempotent: a day is deleted and rewritten in one transaction. Run it with --since after writing dossiers or
ratings of past days outside the services (a bulk seed, a legacy import, a restore).
"""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import rollups


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Không phải ngày (yyyy-mm-dd): %(value)s") % {"value": value}) from error


class Command(BaseCommand):
    help = _("Tổng hợp lại số liệu thống kê công khai theo ngày cho một khoảng ngày, hoặc cho các ngày chưa tổng hợp.")

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_date, help=_("Ngày đầu (yyyy-mm-dd)."))
        parser.add_argument("--until", type=_date, help=_("Ngày cuối (yyyy-mm-dd; mặc định: hôm qua)."))

    def handle(self, *args, since=None, until=None, **options):
        if since is None:
            if until is not None:
                raise CommandError(_("--until cần đi kèm --since."))
            days = rollups.roll_up_due()
        else:
            days = rollups.roll_up(since, until or timezone.localdate())
        self.stdout.write(_("Đã tổng hợp %(days)d ngày.") % {"days": days})
