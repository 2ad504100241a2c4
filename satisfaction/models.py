"""Ratings of the service and the officials, and citizens' feedback (phản ánh, kiến nghị).

A rating is either of a finished dossier (one per dossier, attributed to the agency, the procedure and every
official who handled it) or of one official through the QR on their placard (no dossier; limited to one per
device per official per day). Feedback has its own small machine; its state changes only in
`satisfaction.services`.

Legal basis: citizens rate the service at three levels (Rất hài lòng / Hài lòng / Không hài lòng) under
Nghị định 118/2025/NĐ-CP; the officials' scorecard is an internal score (satisfaction.selectors).
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from procedures.models import Agency, Official, Procedure


class Level(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")


SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)


class Visits(models.IntegerChoices):
    """Extra trips the citizen had to make (or contacts online) beyond handing in the dossier."""

    NONE = 0, _("Không phải đi lại thêm (hoặc nộp trực tuyến)")
    ONE = 1, _("Phải đi lại thêm 1 lần")
    MORE = 2, _("Phải đi lại thêm nhiều hơn 1 lần")


class Rating(models.Model):
    class Source(models.TextChoices):
        DOSSIER = "dossier", _("Đánh giá hồ sơ")
        PLACARD = "placard", _("Đánh giá cán bộ qua mã QR")

    source = models.CharField(_("nguồn đánh giá"), max_length=16, choices=Source.choices)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="ratings")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="ratings",
    )
    official = models.ForeignKey(
        Official, verbose_name=_("cán bộ được đánh giá (mã QR)"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="placard_ratings",
    )
    officials = models.ManyToManyField(
        Official, verbose_name=_("cán bộ đã xử lý"), through="RatingOfficial", related_name="ratings", blank=True
    )
    overall = models.CharField(_("mức độ hài lòng chung"), max_length=16, choices=Level.choices)
    timeliness = models.CharField(_("thời gian giải quyết"), max_length=16, choices=Level.choices, blank=True)
    attitude = models.CharField(_("thái độ của cán bộ"), max_length=16, choices=Level.choices)
    guidance = models.CharField(_("hướng dẫn của cán bộ"), max_length=16, choices=Level.choices, blank=True)
    extra_visits = models.PositiveSmallIntegerField(_("số lần phải đi lại thêm"), choices=Visits.choices, null=True,
                                                    blank=True)
    comment = models.TextField(_("ý kiến khác"), blank=True)
    created_at = models.DateTimeField(_("thời điểm đánh giá"))
    # Placard ratings only: a hash of the signed device cookie and the local day, behind the daily limit.
    device_hash = models.CharField(max_length=64, blank=True, editable=False)
    day = models.DateField(_("ngày đánh giá"), null=True, blank=True)
    handled_at = models.DateTimeField(_("thời điểm lãnh đạo xử lý"), null=True, blank=True)
    handled_by = models.ForeignKey(
        Official, verbose_name=_("lãnh đạo xử lý"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_note = models.TextField(_("ghi chú xử lý"), blank=True)
    history = HistoricalRecords(excluded_fields=["device_hash"])

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        ordering = ["-created_at"]
        constraints = [
            # NULL dossiers (placard ratings) never clash, on SQLite and PostgreSQL alike.
            models.UniqueConstraint(fields=["dossier"], name="one_rating_per_dossier"),
            models.UniqueConstraint(
                fields=["official", "device_hash", "day"], condition=Q(source="placard"),
                name="one_placard_rating_per_device_per_day",
            ),
            models.CheckConstraint(
                condition=(Q(source="dossier", dossier__isnull=False)
                           | Q(source="placard", official__isnull=False, dossier__isnull=True, day__isnull=False)),
                name="rating_source_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "source", "created_at"]),
            models.Index(fields=["agency", "overall", "handled_at"]),
            # All agencies' ratings of a day: the public statistics' live day and their nightly roll-up.
            models.Index(fields=["source", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.get_overall_display()}"

    @property
    def is_low(self) -> bool:
        return self.overall == Level.DISSATISFIED


class RatingOfficial(models.Model):
    """An official a rating is attributed to: everyone who handled the dossier, captured when it was rated."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="attributions")
    official = models.ForeignKey(Official, verbose_name=_("cán bộ"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("cán bộ được đánh giá")
        verbose_name_plural = _("cán bộ được đánh giá")
        constraints = [models.UniqueConstraint(fields=["rating", "official"], name="rating_official_unique")]

    def __str__(self) -> str:
        return str(self.official_id)


class FeedbackCodeCounter(models.Model):
    """The per-day sequence behind feedback codes; its row is locked while a code is taken."""

    day = models.DateField(_("ngày"), unique=True)
    last_value = models.PositiveIntegerField(_("số thứ tự cuối"), default=0)

    class Meta:
        verbose_name = _("bộ đếm mã phản ánh")
        verbose_name_plural = _("bộ đếm mã phản ánh")


class Feedback(ConcurrentTransitionMixin, models.Model):
    """Phản ánh, kiến nghị: a citizen's report about a procedure, an official or a regulation."""

    class Subject(models.TextChoices):
        PROCEDURE = "procedure", _("Thủ tục hành chính, việc giải quyết hồ sơ")
        OFFICIAL = "official", _("Cán bộ, công chức")
        REGULATION = "regulation", _("Quy định hành chính")

    class Kind(models.TextChoices):
        HARASSMENT = "harassment", _("Gây phiền hà, sách nhiễu")
        MONEY = "money", _("Đòi tiền, quà")
        ABSENCE = "absence", _("Vắng mặt trong giờ làm việc")
        WRONG_GUIDANCE = "wrong_guidance", _("Hướng dẫn sai, không đầy đủ")
        OTHER = "other", _("Nội dung khác")

    class State(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        TRIAGED = "triaged", _("Đã phân loại")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        ANSWERED = "answered", _("Đã trả lời")
        CLOSED = "closed", _("Đã kết thúc")
        REJECTED = "rejected", _("Không thụ lý")

    code = models.CharField(_("mã phản ánh"), max_length=32)
    token = models.CharField(_("mã tra cứu"), max_length=32)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="feedback")
    subject = models.CharField(_("đối tượng phản ánh"), max_length=16, choices=Subject.choices)
    kind = models.CharField(_("nội dung"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="feedback",
    )
    rating = models.ForeignKey(
        Rating, verbose_name=_("từ đánh giá"), null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    officials = models.ManyToManyField(Official, verbose_name=_("cán bộ bị phản ánh"), related_name="feedback", blank=True)
    content = models.TextField(_("nội dung phản ánh, kiến nghị"))
    is_anonymous = models.BooleanField(_("ẩn danh"), default=True)
    reporter_name = models.CharField(_("họ tên người phản ánh"), max_length=255, blank=True)
    reporter_phone = models.CharField(_("số điện thoại"), max_length=16, blank=True)
    reporter_email = models.EmailField(_("thư điện tử"), blank=True)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    answer_due_at = models.DateTimeField(_("hạn trả lời"))
    state = FSMField(_("trạng thái"), max_length=16, choices=State.choices, default=State.RECEIVED, protected=True)
    assignee = models.ForeignKey(
        Official, verbose_name=_("người xử lý"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_feedback",
    )
    internal_note = models.TextField(_("ghi chú nội bộ"), blank=True)
    public_answer = models.TextField(_("trả lời công khai"), blank=True)
    upheld = models.BooleanField(_("phản ánh đúng sự thật"), null=True, blank=True)
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    answered_by = models.ForeignKey(
        Official, verbose_name=_("người trả lời"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[officials])

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="feedback_code_unique"),
            models.UniqueConstraint(fields=["token"], name="feedback_token_unique"),
            models.CheckConstraint(condition=Q(answer_due_at__gte=models.F("received_at")),
                                   name="feedback_due_after_received"),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "answer_due_at"]),
            models.Index(fields=["agency", "received_at"]),
            models.Index(fields=["assignee", "state"]),
        ]

    def __str__(self) -> str:
        return self.code

    # --- The transition table --------------------------------------------------------------------
    @transition(field=state, source=State.RECEIVED, target=State.TRIAGED)
    def _triage(self):
        """A leader has read and classified the report."""

    @transition(field=state, source=[State.TRIAGED, State.IN_PROGRESS], target=State.IN_PROGRESS)
    def _assign(self):
        """Someone is handed the report (again, when reassigned)."""

    @transition(field=state, source=State.IN_PROGRESS, target=State.ANSWERED)
    def _answer(self):
        """The public answer is published."""

    @transition(field=state, source=State.ANSWERED, target=State.CLOSED)
    def _close(self):
        """Nothing more to do."""

    @transition(field=state, source=[State.RECEIVED, State.TRIAGED, State.IN_PROGRESS], target=State.REJECTED)
    def _reject(self):
        """Not within the agency's remit, or not a report at all; the reason is the public answer."""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_FEEDBACK_STATES

    @property
    def answered_on_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.answer_due_at


OPEN_FEEDBACK_STATES = (Feedback.State.RECEIVED, Feedback.State.TRIAGED, Feedback.State.IN_PROGRESS)
# Reports that, once verified, zero the attitude indicator of the scorecard (satisfaction.selectors).
MISCONDUCT_KINDS = (Feedback.Kind.HARASSMENT, Feedback.Kind.MONEY)
