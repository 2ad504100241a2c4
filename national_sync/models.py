"""The national portal's outbox: one `SyncMessage` per status change of a dossier, in the portal's vocabulary,
written in the transaction of the change, and one `SyncAttempt` per try at the portal.

Like `notifications`, this app sits below `dossiers` (it imports only `procedures` and the outbox's HTTP helper):
`dossier_id` is an opaque reference, not a foreign key. What a message says is decided by `dossiers/national.py`.
A dossier's messages carry a sequence number (1, 2, 3…): message n+1 is never sent before n is acknowledged.
"""
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency


class SyncMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không thành công")

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    dossier_id = models.BigIntegerField(_("hồ sơ (mã nội bộ)"))
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64)
    seq = models.PositiveIntegerField(_("số thứ tự trong hồ sơ"))
    event_id = models.BigIntegerField(_("sự kiện (mã nội bộ)"))
    national_status = models.PositiveSmallIntegerField(_("mã trạng thái quốc gia"))
    payload = models.JSONField(_("nội dung gửi"))
    idempotency_key = models.CharField(_("khóa chống gửi trùng"), max_length=100)
    state = models.CharField(_("tình trạng"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), default=timezone.now)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    receipt = models.CharField(_("mã tiếp nhận của cổng quốc gia"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)

    class Meta:
        verbose_name = _("tin đồng bộ cổng quốc gia")
        verbose_name_plural = _("tin đồng bộ cổng quốc gia")
        ordering = ["dossier_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="sync_idempotency_unique"),
            models.UniqueConstraint(fields=["dossier_id", "seq"], name="sync_dossier_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="sync_pending_idx"),
            models.Index(fields=["agency", "state", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_code} #{self.seq} · {self.national_status} · {self.get_state_display()}"


class SyncAttempt(models.Model):
    """One try at the portal and its answer, so a failure is explained to the agency admin."""

    message = models.ForeignKey(SyncMessage, verbose_name=_("tin đồng bộ"), on_delete=models.CASCADE,
                                related_name="sync_attempts")
    at = models.DateTimeField(_("thời điểm"))
    succeeded = models.BooleanField(_("thành công"))
    error = models.TextField(_("lỗi"), blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)

    class Meta:
        verbose_name = _("lần gửi cổng quốc gia")
        verbose_name_plural = _("lần gửi cổng quốc gia")
        ordering = ["message", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M:%S} · {'OK' if self.succeeded else self.error[:60]}"
