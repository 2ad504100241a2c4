"""Admin for auditors: dossiers and their history are read-only; every change goes through the services."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from procedures.admin import ProcedureAdmin
from procedures.models import Procedure

from .lifecycle_diagram import lifecycle_svg
from .models import (
    CounterGuidance,
    Dossier,
    DossierDocument,
    DossierEvent,
    Extension,
    ResultDocument,
    StepRecord,
    TrustedKiosk,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DocumentInline(ReadOnlyInline):
    model = DossierDocument
    fields = ["name", "originals", "certified_copies", "photocopies"]
    readonly_fields = fields


class StepRecordInline(ReadOnlyInline):
    model = StepRecord
    fields = ["step", "sender", "assignee", "started_at", "due_at", "finished_at", "outcome", "note"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ["at", "kind", "actor", "actor_role", "step", "public_note", "internal_note", "is_public"]
    readonly_fields = fields


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Lifecycle records are written by services only; the admin shows them and their history."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["code", "procedure", "agency", "state", "received_at", "due_at", "current_assignee"]
    list_filter = ["state", "channel", "agency", "procedure__field"]
    search_fields = ["code", "applicant_name", "applicant_phone", "applicant_id_number"]
    date_hierarchy = "received_at"
    list_select_related = ["procedure", "agency", "current_assignee"]
    inlines = [DocumentInline, StepRecordInline, EventInline]
    readonly_fields = [f.name for f in Dossier._meta.fields if f.name != "applicant_name_search"]
    exclude = ["applicant_name_search"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "status", "previous_due_at", "proposed_due_at", "requested_by", "approved_by"]
    list_filter = ["status"]
    list_select_related = ["dossier", "requested_by", "approved_by"]


@admin.register(ResultDocument)
class ResultDocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "dossier", "issued_on", "signer", "registered_by"]
    search_fields = ["number", "dossier__code"]
    list_select_related = ["dossier", "registered_by"]


@admin.register(CounterGuidance)
class CounterGuidanceAdmin(ReadOnlyAdmin):
    """Citizens turned away with a guidance slip (Mẫu 02, not received): the only trace of their visit."""

    list_display = ["given_at", "agency", "procedure", "applicant_name", "official"]
    list_filter = ["agency"]
    search_fields = ["applicant_name", "applicant_phone", "missing"]
    date_hierarchy = "given_at"
    list_select_related = ["agency", "procedure", "official"]


@admin.register(TrustedKiosk)
class TrustedKioskAdmin(admin.ModelAdmin):
    """Kiosks whose address is trusted: failed lookups there count against a much larger allowance."""

    list_display = ["name", "address", "agency", "is_active"]
    list_filter = ["is_active", "agency"]
    search_fields = ["name", "address"]


# The procedure page draws the dossier's whole lifecycle (dossiers.lifecycle_diagram): this app owns the machine,
# so it extends the catalogue's admin rather than the catalogue importing the dossier model.
class ProcedureLifecycleAdmin(ProcedureAdmin):
    @admin.display(description=_("sơ đồ trạng thái và các bước"))
    def step_machine(self, obj: Procedure):
        if obj is None or not obj.pk:
            return _("Sơ đồ hiện ra sau khi lưu thủ tục cùng các bước xử lý.")
        return lifecycle_svg(obj)

    class Media:
        css = {"all": ["css/admin_lifecycle.css"]}


admin.site.unregister(Procedure)
admin.site.register(Procedure, ProcedureLifecycleAdmin)
