from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Cổng Một Cửa")

    def ready(self):
        self._name_third_party_models()
        # Cache invalidation only (portal/reports/cache.py): a published audit chain head (dossiers.audit) must show on
        # the statistics at once. Saved dossiers and ratings invalidate nothing: the figures are refreshed in the
        # background once a minute (issue 20: a bump on every save recomputed the page on nearly every request).
        from .reports.cache import invalidate_on_save

        for label in ("dossiers.PublishedChainHead",):
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            post_save.connect(invalidate_on_save, sender=model, dispatch_uid=f"stats-cache-save-{label}")
            post_delete.connect(invalidate_on_save, sender=model, dispatch_uid=f"stats-cache-delete-{label}")

    @staticmethod
    def _name_third_party_models():
        """django-axes and django-otp ship no Vietnamese: name their admin sections and models here, so every admin
        name is translated (their tables and behaviour are untouched)."""
        sections = {
            "axes": (_("Khóa đăng nhập (chống dò mật khẩu)"), {
                "AccessAttempt": _("lượt đăng nhập sai đang tính"),
                "AccessFailureLog": _("nhật ký đăng nhập sai"),
                "AccessLog": _("nhật ký đăng nhập"),
            }),
            "otp_totp": (_("Xác thực hai bước: ứng dụng tạo mã"), {"TOTPDevice": _("thiết bị tạo mã (TOTP)")}),
            "otp_static": (_("Xác thực hai bước: mã dự phòng"), {
                "StaticDevice": _("bộ mã dự phòng"),
                "StaticToken": _("mã dự phòng"),
            }),
        }
        for label, (section, names) in sections.items():
            try:
                config = apps.get_app_config(label)
            except LookupError:
                continue
            config.verbose_name = section
            for model in config.get_models():
                if model.__name__ in names:
                    model._meta.verbose_name = model._meta.verbose_name_plural = names[model.__name__]
