"""Walk the tamper-evident audit chains (dossiers.audit) and fail naming the first entry that does not fit.

    python manage.py verify_audit [--agency CODE]

Exit status 0 when every chain checked is intact, 1 otherwise; each run is stored for the leader dashboard.
"""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dossiers import services
from dossiers.errors import DossierActionError
from procedures.models import Agency


class Command(BaseCommand):
    help = _("Kiểm tra chuỗi nhật ký hồ sơ của từng cơ quan; báo mục đầu tiên bị sửa, xóa hoặc chèn thêm.")

    def add_arguments(self, parser):
        parser.add_argument("--agency", metavar="CODE", help=_("Chỉ kiểm tra cơ quan có mã này."))

    def handle(self, *args, agency: str | None = None, **options):
        try:
            reports = services.verify_audit_chains(agency_code=agency)
        except DossierActionError as error:
            raise CommandError(error.message) from None
        codes = dict(Agency.objects.values_list("pk", "code"))
        failed = []
        for report in reports:
            if report.ok:
                self.stdout.write(_("%(code)s: toàn vẹn, %(entries)s mục.") % {"code": codes[report.agency_id],
                                                                             "entries": report.entries})
            else:
                failed.append(f"{codes[report.agency_id]}: {report.problem}")
                self.stderr.write(failed[-1])
        if failed:
            raise CommandError(_("Chuỗi nhật ký không toàn vẹn. %(first)s") % {"first": failed[0]})
