"""The outbox: one `Notification` row per message to send, written in the transaction of the change it tells
about, and one `DeliveryAttempt` per try at a provider.

This app sits below `dossiers` (it imports only `procedures`): it knows an agency, a recipient, a channel and
a rendered text, never a dossier's rules. `dossier_id` is an opaque reference the dossier page uses to list a
dossier's messages; it is not a foreign key, so this app does not depend on `dossiers` (dossiers are never
deleted: every reference to them is PROTECT).
"""
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Người nộp hồ sơ")
    OFFICIAL = "official", _("Cán bộ")


class Notification(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không thành công")
        DROPPED = "dropped", _("Bỏ, không gửi")

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    dossier_id = models.BigIntegerField(_("hồ sơ (mã nội bộ)"), null=True, blank=True)
    audience = models.CharField(_("người nhận là"), max_length=16, choices=Audience.choices)
    channel = models.CharField(_("kênh"), max_length=16, choices=NotificationChannel.choices)
    recipient = models.CharField(_("địa chỉ nhận"), max_length=254)
    template = models.CharField(_("mẫu tin"), max_length=64)
    language = models.CharField(_("ngôn ngữ"), max_length=8)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    # Named values for template-based providers (Zalo ZNS fills its registered template with them).
    params = models.JSONField(_("tham số mẫu tin"), default=dict, blank=True)
    state = models.CharField(_("tình trạng"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), default=timezone.now)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("khóa chống gửi trùng"), max_length=200)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn gửi lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="notification_idempotency_unique")]
        indexes = [
            models.Index(fields=["dossier_id", "created_at"]),
            models.Index(fields=["agency", "created_at"]),
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="notification_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.template} · {self.get_state_display()}"


class DeliveryAttempt(models.Model):
    """One try at the provider: what it answered, so a failure is explained to the agency admin."""

    notification = models.ForeignKey(Notification, verbose_name=_("thông báo"), on_delete=models.CASCADE,
                                      related_name="delivery_attempts")
    at = models.DateTimeField(_("thời điểm"))
    succeeded = models.BooleanField(_("thành công"))
    error = models.TextField(_("lỗi"), blank=True)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=255, blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)

    class Meta:
        verbose_name = _("lần gửi")
        verbose_name_plural = _("lần gửi")
        ordering = ["notification", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M:%S} · {'OK' if self.succeeded else self.error[:60]}"
