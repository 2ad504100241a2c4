from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "online"
    verbose_name = _("Nộp hồ sơ trực tuyến")
