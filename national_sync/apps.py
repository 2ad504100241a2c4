from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalSyncConfig(AppConfig):
    name = "national_sync"
    verbose_name = _("Đồng bộ Cổng dịch vụ công quốc gia")
    default_auto_field = "django.db.models.BigAutoField"
