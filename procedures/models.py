"""Agencies, officials, the procedure catalogue and the working-calendar exceptions."""
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.numbers import format_quantity
from common.text import fold, vietnamese_sort_key

from .roles import ROLE_BY_GROUP, Role

HALF_DAY = Decimal("0.5")


class AgencyLevel(models.TextChoices):
    MINISTRY = "ministry", _("Bộ, ngành")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class Agency(models.Model):
    """An office with a one-stop counter. Its code prefixes every dossier code (TT 01/2018 Điều 19)."""

    code = models.CharField(
        _("mã cơ quan"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Z.]+$", _("Chỉ dùng chữ in hoa, chữ số và dấu chấm."))],
        help_text=_("Mã định danh theo chuẩn quốc gia, ví dụ 000.00.06.H56."),
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    level = models.CharField(_("cấp"), max_length=16, choices=AgencyLevel.choices, default=AgencyLevel.COMMUNE)
    parent = models.ForeignKey(
        "self", verbose_name=_("cơ quan cấp trên"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # The header of every printed form (Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II, khoản 3): the direct governing
    # body, then the issuer's own name. Not the reporting `parent`: a ward reports on justice work to the Sở Tư pháp
    # but its header is its own committee ("ỦY BAN NHÂN DÂN / PHƯỜNG BẾN THÀNH").
    governing_body = models.CharField(
        _("cơ quan chủ quản (tiêu đề văn bản)"), max_length=255, blank=True,
        help_text=_("Dòng trên của tiêu đề, ví dụ \"Ủy ban nhân dân Thành phố Hồ Chí Minh\" cho Sở Tư pháp; "
                    "để trống nếu không có (Ủy ban nhân dân phường, xã)."),
    )
    header_name = models.TextField(
        _("tên cơ quan trên tiêu đề văn bản"), max_length=255, blank=True,
        help_text=_("Tên in đậm dưới cơ quan chủ quản, mỗi dòng một hàng, ví dụ \"Ủy ban nhân dân\" xuống dòng "
                    "\"phường Bến Thành\"; để trống thì in tên cơ quan."),
    )
    document_symbol = models.CharField(
        _("chữ viết tắt tên cơ quan"), max_length=32, blank=True,
        help_text=_("Dùng trong số, ký hiệu văn bản, ví dụ UBND, STP (Số: 12/TB-STP)."),
    )
    place_name = models.CharField(
        _("địa danh"), max_length=128, blank=True,
        help_text=_("Địa danh ghi trước ngày tháng trên văn bản, ví dụ \"Thành phố Hồ Chí Minh\"."),
    )
    head_title = models.CharField(
        _("chức danh người đứng đầu"), max_length=64, blank=True,
        help_text=_("Ví dụ \"Chủ tịch\" (Ủy ban nhân dân) hoặc \"Giám đốc\" (Sở): dòng thẩm quyền ký trên văn bản "
                    "lấy từ chức danh này và chức vụ của người ký (\"KT. CHỦ TỊCH / PHÓ CHỦ TỊCH\")."),
    )
    counter_name = models.CharField(
        _("tên bộ phận một cửa"), max_length=255, blank=True,
        help_text=_("Nơi tiếp nhận và trả kết quả in trên biểu mẫu, ví dụ \"Trung tâm Phục vụ hành chính công phường "
                    "Bến Thành\" (Nghị định 118/2025/NĐ-CP); để trống thì in \"Bộ phận Tiếp nhận và Trả kết quả\" kèm "
                    "tên cơ quan."),
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    morning_start = models.TimeField(_("bắt đầu buổi sáng"), default=datetime.time(7, 30))
    morning_end = models.TimeField(_("kết thúc buổi sáng"), default=datetime.time(11, 30))
    afternoon_start = models.TimeField(_("bắt đầu buổi chiều"), default=datetime.time(13, 0))
    afternoon_end = models.TimeField(_("kết thúc buổi chiều"), default=datetime.time(17, 0))
    saturday_reception = models.BooleanField(_("tiếp nhận sáng thứ Bảy"), default=False)
    saturday_counts = models.BooleanField(
        _("tính sáng thứ Bảy vào thời gian giải quyết"), default=False,
        help_text=_("Chỉ có tác dụng khi cơ quan tiếp nhận sáng thứ Bảy."),
    )
    # The cutoff rule is stated once, with its sources, in docs/ARCHITECTURE.md ("Time"); both fields are
    # settings because the article of NĐ 118/2025/NĐ-CP carrying it could not be verified.
    same_day_cutoff = models.TimeField(
        _("giờ chốt tiếp nhận trong ngày"), default=datetime.time(15, 0),
        help_text=_("Hồ sơ tiếp nhận sau giờ này được tính từ ngày làm việc tiếp theo: thủ tục giải quyết trong "
                    "ngày được hẹn trả vào cuối ngày làm việc tiếp theo."),
    )
    cutoff_for_all_limits = models.BooleanField(
        _("áp dụng giờ chốt cho mọi thời hạn"), default=True,
        help_text=_("Bật: hồ sơ có thời hạn tính theo ngày hoặc giờ làm việc tiếp nhận sau giờ chốt cũng được tính "
                    "từ ngày làm việc tiếp theo. Tắt: giờ chốt chỉ áp dụng cho thủ tục giải quyết trong ngày."),
    )
    supplement_restarts_limit = models.BooleanField(
        _("yêu cầu bổ sung tính lại thời hạn từ đầu"), default=False,
        help_text=_("Bật: khi nhận đủ hồ sơ bổ sung, thời hạn giải quyết được tính lại từ đầu. Tắt: thời gian đã "
                    "giải quyết trước khi yêu cầu bổ sung vẫn được tính, chỉ thời gian chờ bổ sung không tính."),
    )
    # Shown to citizens who file online when a fee is due (issue 16: no payment gateway, the clerk records the
    # payment reference): account holder, bank, account number, the content to write on the transfer.
    payment_details = models.TextField(
        _("thông tin nộp phí, lệ phí"), blank=True,
        help_text=_("Tên tài khoản, ngân hàng, số tài khoản và nội dung chuyển khoản, hiển thị cho người nộp trực tuyến."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def header_lines(self) -> list[str]:
        """The issuer's name as printed in bold on the forms' header, one line each."""
        lines = [line.strip() for line in (self.header_name or "").splitlines() if line.strip()]
        return lines or [self.name]

    @property
    def counter_label(self) -> str:
        """Where citizens hand in dossiers and take results, as the forms name it."""
        return self.counter_name or _("Bộ phận Tiếp nhận và Trả kết quả – %(agency)s") % {"agency": self.name}

    def clean(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(_("Các buổi làm việc phải theo thứ tự: sáng trước chiều, giờ bắt đầu trước giờ kết thúc."))


class Department(models.Model):
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("tên phòng, ban"), max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phòng, ban")
        verbose_name_plural = _("phòng, ban")
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="department_name_unique_per_agency")]

    def __str__(self) -> str:
        return self.name


class Official(models.Model):
    """A civil servant: one-to-one with a login; roles are the user's Django groups."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), on_delete=models.PROTECT)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="officials")
    department = models.ForeignKey(
        Department, verbose_name=_("phòng, ban"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="officials",
    )
    title = models.CharField(_("chức vụ"), max_length=128, blank=True)
    display_name = models.CharField(_("tên hiển thị công khai"), max_length=128)
    is_active = models.BooleanField(_("đang công tác"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cán bộ, công chức")
        verbose_name_plural = _("cán bộ, công chức")
        ordering = ["agency__name", "display_name"]
        indexes = [models.Index(fields=["agency", "is_active"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def roles(self) -> set[str]:
        """Role keys from the user's groups; cached per instance since a request asks often."""
        if not hasattr(self, "_roles"):
            self._roles = {ROLE_BY_GROUP[g.name] for g in self.user.groups.all() if g.name in ROLE_BY_GROUP}
        return self._roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in sorted(self.roles)]


class Field(models.Model):
    """Lĩnh vực: the catalogue's grouping of procedures."""

    code = models.CharField(_("mã lĩnh vực"), max_length=32, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "days", _("ngày làm việc")
    WORKING_HOURS = "hours", _("giờ làm việc")
    # "Giải quyết ngay trong ngày" (Luật Hộ tịch 2014 Điều 16 khoản 2, Điều 18 khoản 2, Điều 34 khoản 2;
    # NĐ 23/2015/NĐ-CP Điều 7): due at the end of the day's last session, or of the next working day when
    # received after the cutoff. The limit is always 1; step durations are working hours within that day.
    SAME_DAY = "same_day", _("trong ngày làm việc")


def step_unit(unit: str) -> str:
    """The unit a procedure's step durations are written in: a same-day procedure's steps are working hours."""
    return TimeUnit.WORKING_HOURS if unit == TimeUnit.SAME_DAY else unit


# A same-day procedure's steps share one statutory working day (8 hours, Luật Cán bộ, công chức / Bộ luật Lao động).
SAME_DAY_STEP_HOURS = Decimal(8)


class Procedure(models.Model):
    """A thủ tục hành chính of the national catalogue, with its legal time limit and internal steps."""

    code = models.CharField(
        _("mã thủ tục"), max_length=32, unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z.\-]+$", _("Mã thủ tục chỉ gồm chữ, số, dấu chấm và gạch ngang."))],
        help_text=_("Mã trên Cơ sở dữ liệu quốc gia về thủ tục hành chính, ví dụ 1.001193."),
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_text = models.CharField(max_length=600, editable=False, db_index=True, default="")
    # Vietnamese dictionary order as a plain string (common.text.vietnamese_sort_key): the same on every database.
    sort_name = models.CharField(max_length=1600, editable=False, default="")
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures")
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=AgencyLevel.choices, default=AgencyLevel.COMMUNE)
    agencies = models.ManyToManyField(Agency, verbose_name=_("cơ quan thực hiện"), related_name="procedures", blank=True)
    time_limit = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Số ngày làm việc (bội số của 0,5), số giờ làm việc, hoặc 1 với thủ tục giải quyết trong ngày."),
    )
    time_unit = models.CharField(_("đơn vị thời hạn"), max_length=8, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS)
    fee = models.DecimalField(_("phí, lệ phí (đồng)"), max_digits=12, decimal_places=0, default=0)
    fee_note = models.CharField(_("ghi chú phí, lệ phí"), max_length=500, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    result_document = models.CharField(_("kết quả thực hiện"), max_length=500, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    # Dịch vụ công trực tuyến (the `online` app): the public page offers "Nộp hồ sơ trực tuyến" only when set.
    online_enabled = models.BooleanField(_("nhận hồ sơ trực tuyến"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["sort_name", "code"]
        indexes = [models.Index(fields=["is_active", "field"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        # A denormalised, diacritic-free copy keeps accent-insensitive search portable across databases.
        self.search_text = fold(f"{self.code} {self.name}")[:600]
        self.sort_name = vietnamese_sort_key(self.name)[:1600]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.time_unit == TimeUnit.WORKING_DAYS and self.time_limit is not None and self.time_limit % HALF_DAY:
            raise ValidationError({"time_limit": _("Thời hạn tính theo ngày làm việc phải là bội số của nửa ngày (0,5).")})
        if self.time_unit == TimeUnit.SAME_DAY and self.time_limit is not None and self.time_limit != 1:
            raise ValidationError({"time_limit": _("Thủ tục giải quyết trong ngày có thời hạn là 1.")})

    def steps_error(self, durations: list[Decimal]) -> str | None:
        """The translated reason the step durations do not fit the legal time limit, or None."""

        total = sum(durations, Decimal(0))
        if self.time_unit == TimeUnit.SAME_DAY:
            if total > SAME_DAY_STEP_HOURS:
                return _("Tổng thời gian các bước (%(total)s giờ) của thủ tục giải quyết trong ngày không được quá "
                         "%(limit)s giờ làm việc.") % {"total": format_quantity(total),
                                                     "limit": format_quantity(SAME_DAY_STEP_HOURS)}
            return None
        if durations and total != self.time_limit:
            # format_quantity, not normalize(): Decimal(10).normalize() prints as "1E+1".
            return _("Tổng thời gian các bước (%(total)s) phải bằng thời hạn giải quyết (%(limit)s %(unit)s).") % {
                "total": format_quantity(total), "limit": format_quantity(self.time_limit),
                "unit": self.get_time_unit_display(),
            }
        return None


class ProcedureStep(models.Model):
    """One internal step (reception, appraisal, approval, return…) with its share of the time limit."""

    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    role = models.CharField(_("vai trò thực hiện"), max_length=16, choices=Role.choices)
    duration = models.DecimalField(
        _("thời gian"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Cùng đơn vị với thời hạn của thủ tục; giờ làm việc với thủ tục giải quyết trong ngày."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class RequiredDocument(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="required_documents"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    mandatory = models.BooleanField(_("bắt buộc"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return self.name


class CalendarException(models.Model):
    """A date that breaks the weekday rule: a holiday or bridged day off, or a swapped working day."""

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Ngày nghỉ")
        WORKING_DAY = "work", _("Ngày làm việc")

    class Part(models.TextChoices):
        WHOLE = "whole", _("Cả ngày")
        MORNING = "morning", _("Buổi sáng")
        AFTERNOON = "afternoon", _("Buổi chiều")

    class Source(models.TextChoices):
        ADMIN = "admin", _("Quản trị viên")
        HOLIDAYS = "holidays", _("Lịch nghỉ lễ quốc gia")

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices)
    part = models.CharField(_("phạm vi"), max_length=16, choices=Part.choices, default=Part.WHOLE)
    name = models.CharField(_("tên"), max_length=255)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="calendar_exceptions", help_text=_("Để trống nếu áp dụng toàn quốc."),
    )
    source = models.CharField(_("nguồn"), max_length=16, choices=Source.choices, default=Source.ADMIN)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ngày ngoại lệ trong lịch làm việc")
        verbose_name_plural = _("lịch làm việc: ngày ngoại lệ")
        ordering = ["date"]
        indexes = [models.Index(fields=["date", "agency"])]
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=Q(agency__isnull=True), name="calendar_exception_national_unique"
            ),
            models.UniqueConstraint(fields=["date", "agency"], name="calendar_exception_agency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"


class CatalogueImportJob(models.Model):
    """A large catalogue file imported in the background (a Celery task), so the request that uploads it returns
    at once and the web worker never parses or writes thousands of rows. The file is kept in the database until
    the task has read it: a worker on another machine needs no shared disk."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Thất bại")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), on_delete=models.PROTECT, related_name="+",
    )
    # The rows' scope: the agency administrator's agency; empty only for a superuser's unscoped import.
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.CASCADE, related_name="+",
    )
    file_name = models.CharField(_("tên tệp"), max_length=255)
    file_format = models.CharField(_("định dạng"), max_length=8)
    data = models.BinaryField(_("nội dung tệp"), editable=False)
    state = models.CharField(_("trạng thái"), max_length=8, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    processed_rows = models.PositiveIntegerField(_("đã xử lý"), default=0)
    new_count = models.PositiveIntegerField(_("thêm mới"), default=0)
    updated_count = models.PositiveIntegerField(_("cập nhật"), default=0)
    invalid_count = models.PositiveIntegerField(_("dòng bị từ chối"), default=0)
    # [{"row": <row number in the file>, "messages": [<translated text>, …]}, …]; the file's own failure has row 0.
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập danh mục")
        verbose_name_plural = _("các lượt nhập danh mục")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "created_at"])]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, self.processed_rows * 100 // self.total_rows)


class WorkingCalendar(models.Model):
    """One scope of the working-calendar table (issue 20): the national calendar (no agency), shared by every
    agency on the default sessions, without Saturday counting and without exceptions of its own, or one agency's
    calendar. Its days (`WorkingCalendarDay`) cover [first, last]; `procedures.working_calendar` reads them only
    while the sessions below are the agency's and no exception has changed since `exceptions_seen`."""

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    first = models.DateField()
    last = models.DateField()
    # The sessions the days were built with: an agency whose sessions differ reads no row of this scope.
    morning_start = models.TimeField()
    morning_end = models.TimeField()
    afternoon_start = models.TimeField()
    afternoon_end = models.TimeField()
    saturday_counts = models.BooleanField()
    # The latest CalendarException history row the days include (0: none): a later change makes them stale.
    exceptions_seen = models.BigIntegerField(default=0)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("lịch làm việc đã tính sẵn")
        verbose_name_plural = _("lịch làm việc đã tính sẵn")
        constraints = [
            # One national scope (agency NULL) and one per agency: pk 0 is never an agency's.
            models.UniqueConstraint(models.functions.Coalesce("agency", 0), name="working_calendar_scope_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id or 'national'} {self.first}..{self.last}"


class WorkingCalendarDay(models.Model):
    """A day of a `WorkingCalendar`: counted working time before the day starts, and the day's counted sessions
    as microseconds since local midnight (0–0 for a session not counted that day). All in microseconds, the
    resolution of the instants, so the database and `procedures.calendar` agree to the microsecond."""

    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    working_before = models.BigIntegerField()
    morning_start = models.BigIntegerField()
    morning_end = models.BigIntegerField()
    afternoon_start = models.BigIntegerField()
    afternoon_end = models.BigIntegerField()

    class Meta:
        verbose_name = _("ngày của lịch làm việc đã tính sẵn")
        verbose_name_plural = _("các ngày của lịch làm việc đã tính sẵn")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="working_calendar_day_unique")]
