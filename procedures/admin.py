"""Admin of agencies, officials, the procedure catalogue and the working calendar.

Every model keeps its full change history (django-simple-history): the "Lịch sử" button of each page
shows who changed what and when, as auditors ask.
"""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .admin_forms import OfficialAdminForm, ProcedureStepAdminForm, StepInlineFormSet
from .formatting import format_duration, format_vnd
from .models import (
    Agency,
    CalendarException,
    Department,
    Field,
    Official,
    Procedure,
    ProcedureStep,
    RequiredDocument,
)
from .resources import ProcedureResource
from .text import fold


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ["name"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "parent", "phone", "saturday_reception"]
    list_filter = ["level", "saturday_reception"]
    search_fields = ["code", "name", "address"]
    autocomplete_fields = ["parent"]
    inlines = [DepartmentInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "level", "parent", "address", "phone", "email"]}),
        (_("Giờ làm việc"), {"fields": [
            ("morning_start", "morning_end"), ("afternoon_start", "afternoon_end"), "same_day_cutoff",
            "saturday_reception", "saturday_counts",
        ]}),
    ]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "agency"]
    list_filter = ["agency"]
    search_fields = ["name", "agency__name", "agency__code"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]


@admin.register(Official)
class OfficialAdmin(SimpleHistoryAdmin):
    form = OfficialAdminForm
    list_display = ["display_name", "username", "agency", "department", "title", "role_list", "is_active"]
    list_filter = ["is_active", "agency", "user__groups"]
    search_fields = ["display_name", "user__username", "user__first_name", "user__last_name", "title"]
    autocomplete_fields = ["user", "agency", "department"]
    list_select_related = ["user", "agency", "department"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user__groups")

    def get_fieldsets(self, request, obj=None):
        account = ["user", "new_username", "new_password"] if obj is None else ["user"]
        return [
            (_("Tài khoản"), {"fields": account}),
            (None, {"fields": ["agency", "department", "title", "display_name", "is_active"]}),
            (_("Vai trò"), {"fields": ["roles"]}),
        ]

    @admin.display(description=_("tên đăng nhập"), ordering="user__username")
    def username(self, obj: Official) -> str:
        return obj.user.username

    @admin.display(description=_("vai trò"))
    def role_list(self, obj: Official) -> str:
        return ", ".join(obj.role_labels())

    def save_model(self, request, obj, form, change):
        username = form.cleaned_data.get("new_username", "").strip()
        if not change and not obj.user_id and username:
            obj.user = get_user_model().objects.create_user(
                username=username, password=form.cleaned_data["new_password"],
            )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.set_official_roles(form.instance, form.cleaned_data.get("roles", []))


@admin.register(Field)
class FieldAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "procedure_count"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(procedure_count=Count("procedures"))

    @admin.display(description=_("số thủ tục"), ordering="procedure_count")
    def procedure_count(self, obj: Field) -> int:
        return obj.procedure_count


class StepInline(admin.TabularInline):
    model = ProcedureStep
    formset = StepInlineFormSet
    fields = ["order", "name", "role", "duration"]
    ordering = ["order"]
    extra = 0
    min_num = 1


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    fields = ["order", "name", "originals", "copies", "mandatory"]
    ordering = ["order", "id"]
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ProcedureResource]
    formats = [base_formats.CSV, base_formats.XLSX]
    list_display = ["code", "name", "field", "level", "time_limit_display", "fee_display", "step_count", "is_active"]
    list_display_links = ["code", "name"]
    list_filter = ["is_active", "level", "time_unit", "field", "agencies"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["field", "agencies"]
    list_select_related = ["field"]
    readonly_fields = ["step_machine"]
    inlines = [StepInline, RequiredDocumentInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "field", "level", "agencies", "is_active"]}),
        (_("Thời hạn, phí và kết quả"), {"fields": [
            ("time_limit", "time_unit"), ("fee", "fee_note"), "result_document", "legal_basis",
        ]}),
        (_("Sơ đồ xử lý"), {"fields": ["step_machine"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    def get_search_results(self, request, queryset, search_term):
        # Accent-insensitive: "dang ky khai sinh" finds "Đăng ký khai sinh" through the folded code and name.
        for word in fold(search_term).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset, False

    @admin.display(description=_("thời hạn"), ordering="time_limit")
    def time_limit_display(self, obj: Procedure) -> str:
        return format_duration(obj.time_limit, obj.time_unit)

    @admin.display(description=_("lệ phí"), ordering="fee")
    def fee_display(self, obj: Procedure) -> str:
        return format_vnd(obj.fee)

    @admin.display(description=_("số bước"), ordering="step_count")
    def step_count(self, obj: Procedure) -> int:
        return obj.step_count

    @admin.display(description=_("sơ đồ các bước"))
    def step_machine(self, obj: Procedure):
        # Drawn by the dossiers app, which owns the lifecycle (dossiers/admin.py extends this admin).
        return "—"


@admin.register(ProcedureStep)
class ProcedureStepAdmin(SimpleHistoryAdmin):
    form = ProcedureStepAdminForm
    list_display = ["procedure", "order", "name", "role", "duration"]
    list_filter = ["role", "procedure__field"]
    search_fields = ["name", "procedure__code", "procedure__name"]
    autocomplete_fields = ["procedure"]
    list_select_related = ["procedure"]

    def has_delete_permission(self, request, obj=None):
        # Deleting one step alone always breaks the total; steps are removed on the procedure's page.
        return False


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "procedure", "order", "originals", "copies", "mandatory"]
    list_filter = ["mandatory", "procedure__field"]
    search_fields = ["name", "procedure__code", "procedure__name"]
    autocomplete_fields = ["procedure"]
    list_select_related = ["procedure"]


@admin.register(CalendarException)
class CalendarExceptionAdmin(SimpleHistoryAdmin):
    list_display = ["date", "weekday", "kind", "part", "name", "agency", "source"]
    list_filter = ["kind", "source", "part", "agency"]
    search_fields = ["name"]
    date_hierarchy = "date"
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
    readonly_fields = ["source"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarException) -> str:
        names = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")]
        return names[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        # A row an admin touched is theirs: `sync_holidays` leaves admin rows alone from then on.
        obj.source = CalendarException.Source.ADMIN
        super().save_model(request, obj, form, change)

