"""Per-official API tokens: the secret is shown once, when the agency admin creates it, and only its SHA-256 is
kept. A token acts as its owner, with the owner's agency and roles, until it is revoked (or the owner leaves)."""
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Official

PREFIX = "mc_"
SECRET_BYTES = 32  # 256 random bits: a fast hash is enough, no guessing can reach it


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(SECRET_BYTES)


class ApiToken(models.Model):
    owner = models.ForeignKey(Official, verbose_name=_("cán bộ sở hữu"), on_delete=models.PROTECT,
                              related_name="api_tokens")
    name = models.CharField(_("tên gợi nhớ"), max_length=100, help_text=_("Ví dụ: hệ thống một cửa điện tử của tỉnh."))
    key_hash = models.CharField(_("mã băm của khóa"), max_length=64, unique=True, editable=False)
    hint = models.CharField(_("đầu khóa"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), on_delete=models.PROTECT,
                                   related_name="+", null=True, editable=False)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thu hồi"), on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
