"""Load the demo: agencies, staff logins in every role, a real procedure catalogue, the working calendar.

Idempotent: running it again updates the same rows and creates nothing twice. It refuses to run with
DEBUG off (the demo accounts share one published password) unless --force is given.
"""
import base64

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dossiers.demo import seed_audit, seed_dossiers, seed_signing
from dossiers.models import Dossier
from portal import two_factor
from procedures import demo_data, services
from procedures.management.commands.rebuild_working_calendar import report_rebuild
from procedures.models import Agency, CalendarException, Department, Field, Official, Procedure
from procedures.roles import AGENCY_ADMIN_PERMISSIONS, Role
from procedures.services import DocumentSpec, StepSpec
from satisfaction.demo import seed_satisfaction

REASON = "seed_demo"


class Command(BaseCommand):
    help = _("Nạp dữ liệu trình diễn: cơ quan, tài khoản cán bộ, danh mục thủ tục và lịch làm việc.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help=_("Cho phép chạy khi DEBUG tắt (máy chủ thật). Mọi tài khoản mẫu dùng chung một mật khẩu công khai."),
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _("DEBUG đang tắt: không nạp dữ liệu trình diễn vào hệ thống thật. Dùng --force nếu thật sự muốn.")
            )
        with transaction.atomic():
            agencies = self.seed_agencies()
            self.seed_catalogue()
            logins = self.seed_staff(agencies)
            self.seed_calendar_swaps()
        self.sync_holidays()
        # Dossiers and ratings go through their apps' services, so the demo shows what production writes.
        seed_dossiers(self.stdout)
        self.build_working_calendar()
        seed_satisfaction(self.stdout)
        seed_signing(self.stdout)
        seed_audit(self.stdout)
        self.print_logins(logins)
        self.print_online()
        self.print_two_factor([username for username, _role, _agency in logins])

    def seed_agencies(self) -> dict[str, Agency]:
        agencies = {}
        for data in demo_data.AGENCIES:
            values = {key: value for key, value in data.items() if key not in ("code", "departments")}
            # No demo agency reports to another; an older demo database made the ward the Sở Tư pháp's child.
            values["parent"] = None
            agency = self.upsert(Agency, {"code": data["code"]}, values)
            for name in data["departments"]:
                if not Department.objects.filter(agency=agency, name=name).exists():
                    department = Department(agency=agency, name=name)
                    department._change_reason = REASON
                    department.save()
            agencies[agency.code] = agency
        return agencies

    def seed_catalogue(self) -> None:
        fields = {code: self.upsert(Field, {"code": code}, {"name": name}) for code, name in demo_data.FIELDS}
        for data in demo_data.PROCEDURES:
            values = {
                key: data[key]
                for key in ("name", "level", "time_limit", "time_unit", "fee", "fee_note", "legal_basis",
                            "result_document")
            }
            # Demo procedures marked "online" accept online submission (issue 16); the rest stay counter-only.
            values.update(field=fields[data["field"]], is_active=True, online_enabled=data.get("online", False))
            procedure = self.upsert(Procedure, {"code": data["code"]}, values)
            wanted = set(Agency.objects.filter(code__in=data["agencies"]).values_list("pk", flat=True))
            if set(procedure.agencies.values_list("pk", flat=True)) != wanted:
                procedure.agencies.set(wanted)
            services.set_steps(procedure, [StepSpec(*step) for step in data["steps"]], reason=REASON)
            services.set_required_documents(
                procedure,
                [DocumentSpec(order, name, originals, copies, mandatory)
                 for order, (name, originals, copies, mandatory) in enumerate(data["documents"], start=1)],
                reason=REASON,
            )
        self.stdout.write(_("Danh mục: %(count)d thủ tục.") % {"count": len(demo_data.PROCEDURES)})

    def seed_staff(self, agencies: dict[str, Agency]) -> list[tuple[str, str, str]]:
        groups = dict(zip(Role.values, services.role_groups(Role.values), strict=True))
        # The migrations grant these too; seeding again restores them if someone removed them.
        for app_label, codenames in AGENCY_ADMIN_PERMISSIONS.items():
            groups[Role.AGENCY_ADMIN].permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))

        User = get_user_model()
        logins = []
        for data in demo_data.OFFICIALS:
            agency = agencies[data["agency"]]
            user, _created = User.objects.get_or_create(username=data["username"])
            is_staff = data["role"] == Role.AGENCY_ADMIN
            if user.is_staff != is_staff or not user.is_active or not user.check_password(demo_data.DEMO_PASSWORD):
                user.is_staff, user.is_active = is_staff, True
                user.set_password(demo_data.DEMO_PASSWORD)
                user.save()
            department = Department.objects.get(agency=agency, name=data["department"])
            official = self.upsert(Official, {"user": user}, {
                "agency": agency, "department": department, "title": data["title"],
                "display_name": data["display_name"], "is_active": True,
            })
            if official.roles != {data["role"]}:
                services.set_official_roles(official, [data["role"]])
            logins.append((user.username, str(Role(data["role"]).label), agency.name))

        admin = User.objects.filter(username=demo_data.ADMIN_USERNAME).first()
        if admin is None:
            User.objects.create_superuser(demo_data.ADMIN_USERNAME, "", demo_data.DEMO_PASSWORD)
        elif not (admin.is_superuser and admin.is_staff and admin.check_password(demo_data.DEMO_PASSWORD)):
            admin.is_superuser = admin.is_staff = admin.is_active = True
            admin.set_password(demo_data.DEMO_PASSWORD)
            admin.save()
        logins.append((demo_data.ADMIN_USERNAME, _("Quản trị hệ thống (superuser)"), _("Toàn hệ thống")))
        return logins

    def seed_calendar_swaps(self) -> None:
        for swap in demo_data.CALENDAR_SWAPS:
            self.upsert(
                CalendarException, {"date": swap["date"], "agency": None},
                {"kind": swap["kind"], "name": swap["name"], "part": CalendarException.Part.WHOLE,
                 "source": CalendarException.Source.ADMIN},
            )

    def sync_holidays(self) -> None:
        year = timezone.localdate().year
        call_command("sync_holidays", str(year), str(year + 1), stdout=self.stdout)

    def build_working_calendar(self) -> None:
        # `sync_holidays` built it from this year; the demo's dossiers may start last year (reports read it).
        earliest = Dossier.objects.aggregate(first=Min("received_at"))["first"]
        result = services.rebuild_working_calendar(first=timezone.localdate(earliest) if earliest else None)
        report_rebuild(self.stdout, result)

    def print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        headers = (_("Tên đăng nhập"), _("Mật khẩu"), _("Vai trò"), _("Cơ quan"))
        rows = [(username, demo_data.DEMO_PASSWORD, role, agency) for username, role, agency in logins]
        widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(4)]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write("")
        self.stdout.write(_("Tài khoản trình diễn (đăng nhập tại %(url)s/accounts/login/):") % {"url": settings.SITE_URL})
        for row in [headers, tuple("-" * width for width in widths), *rows]:
            self.stdout.write(line.format(*row).rstrip())

    def print_online(self) -> None:
        for procedure in Procedure.objects.filter(online_enabled=True, is_active=True).order_by("code"):
            self.stdout.write(_("Nộp hồ sơ trực tuyến (%(name)s): %(url)s") % {
                "name": procedure.name, "url": f"{settings.SITE_URL}/nop-truc-tuyen/thu-tuc/{procedure.code}/"})

    def print_two_factor(self, usernames: list[str]) -> None:
        """Leaders, agency admins and the superuser sign in with a second factor (portal.two_factor). The demo
        gives each such login an authenticator key and recovery codes, kept across runs, and prints them: add
        the key to an authenticator app, or sign in once per recovery code."""
        self.stdout.write("")
        self.stdout.write(_("Xác thực hai bước (lãnh đạo, quản trị): nhập khóa vào ứng dụng xác thực, hoặc dùng một "
                            "mã khôi phục (mỗi mã một lần):"))
        for user in get_user_model().objects.filter(username__in=usernames).order_by("username"):
            if not two_factor.is_required(user):
                continue
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name=two_factor.TOTP_NAME, confirmed=True)
            codes = list(StaticToken.objects.filter(device__user=user).order_by("id").values_list("token", flat=True))
            if not codes:
                codes = two_factor.issue_recovery_codes(user)
            secret = base64.b32encode(device.bin_key).decode().rstrip("=")
            self.stdout.write(f"{user.username}: {secret}  {' '.join(codes)}")

    @staticmethod
    def upsert(model, lookup: dict, values: dict):
        """Create the row, or update it only where it differs, so a second run writes no history."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
        elif all(getattr(obj, key) == value for key, value in values.items()):
            return obj
        else:
            for key, value in values.items():
                setattr(obj, key, value)
        obj._change_reason = REASON
        obj.save()
        return obj
