from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Thủ tục và cơ quan")

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from .history import fit_history_reason

        # Data integrity of the audit trail only (procedures/history.py), for every app's history.
        pre_create_historical_record.connect(fit_history_reason, dispatch_uid="fit-history-reason")
