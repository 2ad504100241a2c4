"""Admin of agencies, officials, the procedure catalogue and the working calendar.

Every model keeps its full change history (django-simple-history): the "Lịch sử" button of each page
shows who changed what and when, as auditors ask.

Everyone but a superuser is confined to their own agency (`AgencyScopedAdmin`): lists, change and history
pages, foreign-key and role choices, and catalogue import rows. An agency administrator can never grant the
agency-admin role (nor the superuser flag, which lives on the login, out of their reach) and never changes their
own roles or agency: a POST moving himself to another agency was how one took over another agency.
"""
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from common.text import fold

from . import selectors, services
from .access import admin_agency_id
from .admin_forms import OfficialAdminForm, ProcedureStepAdminForm, StepInlineFormSet
from .formatting import format_duration, format_vnd
from .models import (
    Agency,
    CalendarException,
    CatalogueImportJob,
    Department,
    Field,
    Official,
    Procedure,
    ProcedureStep,
    RequiredDocument,
)
from .resources import ProcedureResource, count_data_rows


class AgencyScopedAdmin(SimpleHistoryAdmin):
    """An admin page confined, for everyone but superusers, to the rows of the admin's own agency.

    `scope` narrows the queryset; `may_change` can forbid changing a visible row (a procedure shared with another
    agency, a national calendar day). Object permissions check the current row is in scope, so change, delete
    and history pages of another agency's row are refused even through its history records."""

    def scope(self, queryset: QuerySet, agency_id: int) -> QuerySet:
        raise NotImplementedError

    def may_change(self, obj, agency_id: int) -> bool:
        return True

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = admin_agency_id(request)
        return queryset if agency_id is None else self.scope(queryset, agency_id)

    def in_scope(self, request, obj) -> bool:
        agency_id = admin_agency_id(request)
        if agency_id is None or obj is None:
            return True
        return obj.pk is not None and self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        if not (super().has_change_permission(request, obj) and self.in_scope(request, obj)):
            return False
        agency_id = admin_agency_id(request)
        return agency_id is None or obj is None or self.may_change(obj, agency_id)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a posted old version after checking only the *view* permission: a revert is a
        # change, so it needs the change permission on the current row (a shared procedure stays read-only).
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_list_filter(self, request):
        # Other agencies' names are no filter for an admin who can only see one.
        filters = super().get_list_filter(request)
        return filters if admin_agency_id(request) is None else [f for f in filters if f != "agency"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        agency_id = admin_agency_id(request)
        if agency_id is not None and (choices := _scoped_choices(db_field.related_model, agency_id)) is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        agency_id = admin_agency_id(request)
        if agency_id is not None and (choices := _scoped_choices(db_field.related_model, agency_id)) is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _scoped_choices(model, agency_id: int) -> QuerySet | None:
    """What an agency's administrator may pick in a foreign key to `model` (None: the field is not agency data)."""
    if model is Agency:
        return Agency.objects.filter(pk=agency_id)
    if model is Department:
        return Department.objects.filter(agency_id=agency_id)
    if model is Official:
        return Official.objects.filter(agency_id=agency_id)
    if model is Procedure:
        return selectors.procedures_owned_by(agency_id)
    return None


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ["name"]


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdmin):
    list_display = ["code", "name", "level", "parent", "phone", "saturday_reception"]
    list_filter = ["level", "saturday_reception"]
    search_fields = ["code", "name", "address"]
    autocomplete_fields = ["parent"]
    inlines = [DepartmentInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "level", "parent", "address", "phone", "email", "payment_details"]}),
        (_("Giờ làm việc"), {"fields": [
            ("morning_start", "morning_end"), ("afternoon_start", "afternoon_end"), "same_day_cutoff",
            "saturday_reception", "saturday_counts",
        ]}),
        # Time rules whose article in NĐ 118/2025/NĐ-CP could not be verified (docs/ARCHITECTURE.md, "Time").
        (_("Quy tắc tính thời hạn"), {"fields": ["cutoff_for_all_limits", "supplement_restarts_limit"]}),
        # What the printed forms say about the agency (dossiers.pdf): header, number, place, signer, counter.
        (_("Tiêu đề và thể thức văn bản"), {"fields": [
            "governing_body", "header_name", "document_symbol", "place_name", "head_title", "counter_name",
        ]}),
    ]

    def scope(self, queryset, agency_id):
        return queryset.filter(pk=agency_id)

    def has_add_permission(self, request):
        return admin_agency_id(request) is None and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.agency_sessions_saved(obj, changed_fields=form.changed_data)

    def get_readonly_fields(self, request, obj=None):
        # The code prefixes every dossier code and the parent heads the printed forms: set by a superuser.
        return [] if admin_agency_id(request) is None else ["code", "level", "parent"]


@admin.register(Department)
class DepartmentAdmin(AgencyScopedAdmin):
    list_display = ["name", "agency"]
    list_filter = ["agency"]
    search_fields = ["name", "agency__name", "agency__code"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]

    def scope(self, queryset, agency_id):
        return queryset.filter(agency_id=agency_id)


@admin.register(Official)
class OfficialAdmin(AgencyScopedAdmin):
    form = OfficialAdminForm
    list_display = ["display_name", "username", "agency", "department", "title", "role_list", "is_active"]
    list_filter = ["is_active", "agency", "user__groups"]
    search_fields = ["display_name", "user__username", "user__first_name", "user__last_name", "title"]
    autocomplete_fields = ["user", "agency", "department"]
    list_select_related = ["user", "agency", "department"]

    def scope(self, queryset, agency_id):
        return queryset.filter(agency_id=agency_id)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user__groups")

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser links an official to an existing login; an agency admin creates a new one.
        return [] if admin_agency_id(request) is None or obj is None else ["user"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory made a new class for this request: these limits cannot leak to another one.
        form.admin_agency_id = admin_agency_id(request)
        form.editing_self = obj is not None and obj.user_id == request.user.pk
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            account = ["user"]
        elif admin_agency_id(request) is None:
            account = ["user", "new_username", "new_password"]
        else:
            account = ["new_username", "new_password"]
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
        services.set_official_roles(form.instance, form.roles_to_save())


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
class ProcedureAdmin(ImportExportMixin, AgencyScopedAdmin):
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
        (None, {"fields": ["code", "name", "field", "level", "agencies", "is_active", "online_enabled"]}),
        (_("Thời hạn, phí và kết quả"), {"fields": [
            ("time_limit", "time_unit"), ("fee", "fee_note"), "result_document", "legal_basis",
        ]}),
        (_("Sơ đồ xử lý"), {"fields": ["step_machine"]}),
    ]

    def scope(self, queryset, agency_id):
        return queryset.filter(pk__in=selectors.agency_procedures(agency_id).values("pk"))

    def may_change(self, obj, agency_id):
        return selectors.procedures_owned_by(agency_id).filter(pk=obj.pk).exists()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    def get_readonly_fields(self, request, obj=None):
        # An agency admin's procedures are their agency's alone (save_related), so the list is not theirs to edit.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if admin_agency_id(request) is None else [*readonly, "agencies"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        agency_id = admin_agency_id(request)
        if agency_id is not None and not change:
            form.instance.agencies.set([agency_id])

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "agency_id": admin_agency_id(request)}

    def import_action(self, request, **kwargs):
        """A file of more than `CATALOGUE_IMPORT_SYNC_MAX_ROWS` rows becomes a background job (the request only
        counts its rows and stores it); a smaller one keeps django-import-export's preview and confirm."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                file_format = self.get_import_formats()[int(form.cleaned_data["format"])]().get_title()
                data = upload.read()
                upload.seek(0)
                rows = count_data_rows(data, file_format)
                if rows is not None and rows > settings.CATALOGUE_IMPORT_SYNC_MAX_ROWS:
                    job = services.start_catalogue_import(
                        actor=request.user, agency_id=admin_agency_id(request), file_name=upload.name,
                        file_format=file_format, data=data, total_rows=rows,
                    )
                    messages.success(request, _(
                        "Tệp có %(rows)s dòng được nhập ở chế độ nền; theo dõi tiến độ ở trang này."
                    ) % {"rows": rows})
                    return redirect("admin:procedures_catalogueimportjob_change", job.pk)
        return super().import_action(request, **kwargs)

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


class CatalogueChildAdmin(AgencyScopedAdmin):
    """Steps and required documents follow their procedure: visible if it is, changeable if it is."""

    def scope(self, queryset, agency_id):
        return queryset.filter(procedure__in=selectors.agency_procedures(agency_id).values("pk"))

    def may_change(self, obj, agency_id):
        return selectors.procedures_owned_by(agency_id).filter(pk=obj.procedure_id).exists()


@admin.register(ProcedureStep)
class ProcedureStepAdmin(CatalogueChildAdmin):
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
class RequiredDocumentAdmin(CatalogueChildAdmin):
    list_display = ["name", "procedure", "order", "originals", "copies", "mandatory"]
    list_filter = ["mandatory", "procedure__field"]
    search_fields = ["name", "procedure__code", "procedure__name"]
    autocomplete_fields = ["procedure"]
    list_select_related = ["procedure"]


@admin.register(CalendarException)
class CalendarExceptionAdmin(AgencyScopedAdmin):
    list_display = ["date", "weekday", "kind", "part", "name", "agency", "source"]
    list_filter = ["kind", "source", "part", "agency"]
    search_fields = ["name"]
    date_hierarchy = "date"
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
    readonly_fields = ["source"]

    def scope(self, queryset, agency_id):
        # National days apply to every agency, so an agency admin sees them, but only a superuser changes them.
        return queryset.filter(Q(agency_id=agency_id) | Q(agency__isnull=True))

    def may_change(self, obj, agency_id):
        return obj.agency_id == agency_id

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency" and admin_agency_id(request) is not None:
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarException) -> str:
        names = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")]
        return names[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        # A row an admin touched is theirs: `sync_holidays` leaves admin rows alone from then on.
        obj.source = CalendarException.Source.ADMIN
        services.save_calendar_exception(obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_calendar_exceptions([obj], user=request.user)

    def delete_queryset(self, request, queryset):
        services.delete_calendar_exceptions(queryset, user=request.user)



@admin.register(CatalogueImportJob)
class CatalogueImportJobAdmin(admin.ModelAdmin):
    """Background catalogue imports and their progress, read-only; an agency administrator sees their agency's.
    The page of a job still running reloads itself (a meta refresh: the CSP allows no script)."""

    list_display = ["file_name", "created_at", "created_by", "state", "progress", "new_count", "updated_count",
                    "invalid_count", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["created_by"]
    fields = ["file_name", "file_format", "created_by", "agency", "state", "progress", "new_count", "updated_count",
              "invalid_count", "created_at", "finished_at", "error_list"]
    readonly_fields = fields
    change_form_template = "admin/procedures/catalogueimportjob/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("data")
        agency_id = admin_agency_id(request)
        return queryset if agency_id is None else queryset.filter(agency_id=agency_id)

    def has_add_permission(self, request):
        return False  # a job is made by importing a file on the catalogue's import page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("tiến độ"))
    def progress(self, obj: CatalogueImportJob) -> str:
        return _("%(done)s/%(total)s dòng (%(percent)s%%)") % {
            "done": obj.processed_rows, "total": obj.total_rows, "percent": obj.percent,
        }

    @admin.display(description=_("lỗi"))
    def error_list(self, obj: CatalogueImportJob):
        if not obj.errors:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", (
            (_("Dòng %(row)s: %(messages)s") % {"row": error["row"], "messages": " ".join(error["messages"])}
             if error["row"] else " ".join(error["messages"]),)
            for error in obj.errors
        )))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "import_url": reverse("admin:procedures_procedure_import")}
        return super().change_view(request, object_id, form_url, extra_context)
