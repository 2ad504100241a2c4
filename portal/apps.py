from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Cổng Một Cửa")

    def ready(self):
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
