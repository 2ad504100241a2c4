from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Cổng Một Cửa")

    def ready(self):
        self._name_third_party_models()
        # Cache invalidation only (portal/stats_cache.py): a saved dossier or rating makes the statistics stale, and
        # a published audit chain head (dossiers.audit) must show on them at once.
        from .stats_cache import invalidate_on_save

        for label in ("dossiers.Dossier", "satisfaction.Rating", "dossiers.PublishedChainHead"):
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            post_save.connect(invalidate_on_save, sender=model, dispatch_uid=f"stats-cache-save-{label}")
            post_delete.connect(invalidate_on_save, sender=model, dispatch_uid=f"stats-cache-delete-{label}")

    @staticmethod
    def _name_third_party_models():
        """django-axes ships no Vietnamese: name its admin section and models here, so every admin name is
        translated (its tables and behaviour are untouched)."""
        names = {
            "AccessAttempt": (_("lượt đăng nhập sai đang tính"), _("lượt đăng nhập sai đang tính")),
            "AccessFailureLog": (_("nhật ký đăng nhập sai"), _("nhật ký đăng nhập sai")),
            "AccessLog": (_("nhật ký đăng nhập"), _("nhật ký đăng nhập")),
        }
        try:
            config = apps.get_app_config("axes")
        except LookupError:
            return
        config.verbose_name = _("Khóa đăng nhập (chống dò mật khẩu)")
        for model in config.get_models():
            if model.__name__ in names:
                model._meta.verbose_name, model._meta.verbose_name_plural = names[model.__name__]
