"""The online channel (dịch vụ công trực tuyến): a citizen's submission before and after an office receives it.

A submission is not a dossier: it has no code and no clock until a clerk receives it, which creates the
`dossiers.Dossier` (channel "online") through the dossier services. Before that it is national status 1
("Mới đăng ký"). It is shown to clerks only once its contact (phone or e-mail) is confirmed with a one-time code.
Uploaded files live in the private "online" storage (settings.STORAGES), never under a public URL.
"""
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from dossiers.models import ApplicantType, CounterGuidance, Dossier
from notifications.models import NotificationChannel
from procedures.models import Agency, Official, Procedure, RequiredDocument


def online_storage():
    """The private store of uploaded files: the filesystem under MEDIA_ROOT by default, S3-compatible when
    configured (README "Online submission"). A callable, so tests and deployments switch it by settings."""
    return storages["online"]


class SubmissionState(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Chờ xác nhận liên hệ")
    SUBMITTED = "submitted", _("Mới đăng ký")
    RETURNED = "returned", _("Cần hoàn thiện hồ sơ")
    RECEIVED = "received", _("Đã tiếp nhận")
    REFUSED = "refused", _("Từ chối tiếp nhận")


# Submissions a clerk must act on (the inbox); the contact is confirmed for all of them.
INBOX_STATES = (SubmissionState.SUBMITTED,)
# Submissions that count against a contact's allowance of open ones.
PENDING_STATES = (SubmissionState.AWAITING_CONFIRMATION, SubmissionState.SUBMITTED, SubmissionState.RETURNED)
# National-portal status codes (docs/ARCHITECTURE.md): 1 new online; a received or refused one is its dossier's.
NATIONAL_STATUS = {SubmissionState.SUBMITTED: 1, SubmissionState.RETURNED: 1, SubmissionState.REFUSED: 3}


class ResultDelivery(models.TextChoices):
    COUNTER = "counter", _("Nhận tại bộ phận một cửa")
    POSTAL = "postal", _("Nhận qua dịch vụ bưu chính")


class OnlineSubmission(models.Model):
    """One online filing, from the citizen's form to the dossier a clerk creates from it (or a refusal)."""

    tracking_token = models.CharField(_("mã theo dõi"), max_length=32)
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    state = FSMField(_("trạng thái"), max_length=32, choices=SubmissionState.choices,
                     default=SubmissionState.AWAITING_CONFIRMATION, protected=True)

    applicant_type = models.CharField(_("loại người nộp"), max_length=16, choices=ApplicantType.choices,
                                      default=ApplicantType.CITIZEN)
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=255)
    applicant_id_number = models.CharField(_("số CCCD / mã số thuế"), max_length=20)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=16)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500)
    language = models.CharField(_("ngôn ngữ thông báo"), max_length=8, default="vi")
    # The address the one-time code went to, normalised (phone digits, lower-case e-mail): the key of the limits.
    contact_channel = models.CharField(_("kênh liên hệ"), max_length=16, choices=NotificationChannel.choices)
    contact_address = models.CharField(_("địa chỉ liên hệ"), max_length=254)

    result_delivery = models.CharField(_("cách nhận kết quả giấy"), max_length=16, choices=ResultDelivery.choices,
                                       default=ResultDelivery.COUNTER)
    delivery_address = models.CharField(_("địa chỉ nhận qua bưu chính"), max_length=500, blank=True)
    postal_tracking_number = models.CharField(_("số hiệu bưu gửi"), max_length=64, blank=True)

    created_at = models.DateTimeField(_("thời điểm tạo"))
    confirmed_at = models.DateTimeField(_("thời điểm xác nhận liên hệ"), null=True, blank=True)
    # When it (last) reached the inbox: confirmation, or the citizen's completion after a return.
    submitted_at = models.DateTimeField(_("thời điểm nộp"), null=True, blank=True)
    decided_at = models.DateTimeField(_("thời điểm xử lý"), null=True, blank=True)
    decided_by = models.ForeignKey(Official, verbose_name=_("cán bộ xử lý"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    return_note = models.TextField(_("nội dung cần hoàn thiện"), blank=True)
    guidance = models.ForeignKey(CounterGuidance, verbose_name=_("phiếu hướng dẫn (Mẫu 02)"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # The received dossier, or the refused one (Mẫu 03 needs a dossier row with its letter number).
    dossier = models.OneToOneField(Dossier, verbose_name=_("hồ sơ"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="online_submission")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hồ sơ nộp trực tuyến")
        verbose_name_plural = _("hồ sơ nộp trực tuyến")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["tracking_token"], name="online_token_unique")]
        indexes = [
            models.Index(fields=["agency", "state", "submitted_at"]),
            models.Index(fields=["contact_address", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} · {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def national_status(self) -> int | None:
        return NATIONAL_STATUS.get(SubmissionState(self.state))

    # --- transitions --------------------------------------------------------------------------------
    @transition(field=state, source=SubmissionState.AWAITING_CONFIRMATION, target=SubmissionState.SUBMITTED)
    def _confirm(self):
        """The contact answered the one-time code: the clerks see it."""

    @transition(field=state, source=SubmissionState.SUBMITTED, target=SubmissionState.RECEIVED)
    def _receive(self):
        """A clerk received it: the dossier exists."""

    @transition(field=state, source=SubmissionState.SUBMITTED, target=SubmissionState.RETURNED)
    def _return_for_completion(self):
        """Incomplete: the citizen is told what to complete (Mẫu 02)."""

    @transition(field=state, source=SubmissionState.RETURNED, target=SubmissionState.SUBMITTED)
    def _resubmit(self):
        """The citizen completed it: back in the inbox."""

    @transition(field=state, source=SubmissionState.SUBMITTED, target=SubmissionState.REFUSED)
    def _refuse(self):
        """Refused (Mẫu 03)."""


class SubmittedFile(models.Model):
    """One uploaded file (a document may have several, e.g. the pages of a photographed paper)."""

    class Purpose(models.TextChoices):
        INITIAL = "initial", _("Nộp lần đầu")
        COMPLETION = "completion", _("Hoàn thiện trước khi tiếp nhận")
        SUPPLEMENT = "supplement", _("Bổ sung theo yêu cầu")

    submission = models.ForeignKey(OnlineSubmission, verbose_name=_("hồ sơ nộp trực tuyến"), on_delete=models.PROTECT,
                                   related_name="files")
    required_document = models.ForeignKey(RequiredDocument, verbose_name=_("thành phần hồ sơ"), null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    document_name = models.CharField(_("tên giấy tờ"), max_length=500)
    file = models.FileField(_("tệp"), storage=online_storage, upload_to="online/%Y/%m/", max_length=255)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("kiểu tệp"), max_length=64)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    purpose = models.CharField(_("mục đích"), max_length=16, choices=Purpose.choices, default=Purpose.INITIAL)
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"))
    # A supplement uploaded after reception waits for a clerk to accept it (dossiers.services.fulfil_supplement).
    accepted_at = models.DateTimeField(_("thời điểm cán bộ nhận"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp đã nộp")
        verbose_name_plural = _("tệp đã nộp")
        ordering = ["submission", "uploaded_at", "id"]
        indexes = [models.Index(fields=["submission", "purpose"])]

    def __str__(self) -> str:
        return self.original_name


class ContactConfirmation(models.Model):
    """One one-time code sent to a submission's contact. Only its hash is kept; it expires, allows a few wrong
    tries, and the codes sent to one address per hour are limited (online.services)."""

    submission = models.ForeignKey(OnlineSubmission, verbose_name=_("hồ sơ nộp trực tuyến"), on_delete=models.CASCADE,
                                   related_name="confirmations")
    address = models.CharField(_("địa chỉ nhận mã"), max_length=254)
    code_hash = models.CharField(_("mã băm của mã xác nhận"), max_length=128)
    created_at = models.DateTimeField(_("thời điểm gửi"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    confirmed_at = models.DateTimeField(_("thời điểm xác nhận"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác nhận liên hệ")
        verbose_name_plural = _("mã xác nhận liên hệ")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["address", "created_at"])]
        constraints = [models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                              name="confirmation_expires_after_creation")]
