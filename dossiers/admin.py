"""Admin for auditors: dossiers and their history are read-only; every change goes through the services.

A superuser sees everything; anyone else (should a superuser grant them these pages) sees only what the one
visibility rule lets them open on the staff pages (`selectors.visible_dossiers`), history pages included."""
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from procedures.access import admin_agency_id, load_official
from procedures.admin import ProcedureAdmin
from procedures.models import Agency, Procedure

from . import selectors, services, signing
from .errors import DossierActionError
from .lifecycle_diagram import lifecycle_svg
from .models import (
    AgencyCertificate,
    AuditVerification,
    CertificateUse,
    CounterGuidance,
    Dossier,
    DossierDocument,
    DossierEvent,
    Extension,
    PersonalDataAccess,
    ResultDocument,
    StepRecord,
    TrustedKiosk,
    TrustedRoot,
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

    def visible(self, queryset: QuerySet, official) -> QuerySet:
        """The rows a non-superuser official may see (every lifecycle record belongs to a dossier)."""
        return queryset.filter(dossier__in=selectors.visible_dossiers(official).values("pk"))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        official = load_official(request.user)
        return queryset.none() if official is None else self.visible(queryset, official)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history would save a posted old version with only the view permission: nobody reverts a record
        # the services wrote.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_permission(self, request, obj=None):
        # History pages fall back to a row's history when the row is not in the queryset: check the row itself.
        in_scope = obj is None or request.user.is_superuser or self.get_queryset(request).filter(pk=obj.pk).exists()
        return in_scope and super().has_view_permission(request, obj)

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

    def visible(self, queryset, official):
        return queryset.filter(pk__in=selectors.visible_dossiers(official).values("pk"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:  # the page with the applicant's details was shown
            dossier = self.get_object(request, object_id)
            services.record_access(user=request.user, agency_id=dossier.agency_id, dossier_id=dossier.pk,
                                   kind=PersonalDataAccess.Kind.ADMIN, what=str(dossier.code))
        return response


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

    def visible(self, queryset, official):
        return queryset.filter(pk__in=selectors.visible_guidance(official).values("pk"))


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Nhật ký truy cập dữ liệu cá nhân (NĐ 13/2023/NĐ-CP): read-only; an agency admin reads their agency's."""

    list_display = ["at", "user", "official", "kind", "dossier", "what", "agency"]
    list_filter = ["kind"]
    search_fields = ["user__username", "official__display_name", "dossier__code", "what"]
    date_hierarchy = "at"
    list_select_related = ["user", "official", "dossier", "agency"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = admin_agency_id(request)
        return queryset if agency_id is None else queryset.filter(agency_id=agency_id)

    def has_view_permission(self, request, obj=None):
        in_scope = obj is None or admin_agency_id(request) in (None, obj.agency_id)
        return in_scope and super().has_view_permission(request, obj)



PKCS12_MAX_BYTES = 256 * 1024


class AgencyCertificateUploadForm(forms.ModelForm):
    """Upload of an agency's PKCS#12: the file and its passphrase are read once and never stored as such."""

    pkcs12 = forms.FileField(label=_("Tệp PKCS#12 (.p12, .pfx)"),
                             help_text=_("Chứa khóa bí mật và chứng thư số của cơ quan. Khóa được mã hóa khi lưu "
                                         "và không bao giờ hiển thị lại."))
    passphrase = forms.CharField(label=_("Mật khẩu của tệp"), required=False, strip=False,
                                 widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = AgencyCertificate
        fields = ["agency"]

    def clean(self):
        data = super().clean()
        upload = data.get("pkcs12")
        if upload is not None:
            if upload.size > PKCS12_MAX_BYTES:
                raise forms.ValidationError(_("Tệp PKCS#12 quá lớn."))
            data["pkcs12_bytes"] = upload.read()
            try:
                signing.read_pkcs12(data["pkcs12_bytes"], data.get("passphrase", ""))
            except signing.SigningError as error:
                raise forms.ValidationError(error.message) from None
        return data


@admin.register(AgencyCertificate)
class AgencyCertificateAdmin(admin.ModelAdmin):
    """Agencies' signing certificates: added by upload only, never edited, the key never shown."""

    list_display = ["agency", "subject", "issuer", "not_after", "is_active", "uploaded_at", "uploaded_by"]
    list_filter = ["is_active", "agency"]
    list_select_related = ["agency", "uploaded_by"]
    fields = ["agency", "subject", "issuer", "serial_number", "fingerprint", "not_before", "not_after", "is_active",
              "uploaded_at", "uploaded_by"]
    readonly_fields = fields
    form = AgencyCertificateUploadForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = admin_agency_id(request)
        return queryset if agency_id is None else queryset.filter(agency_id=agency_id)

    def get_fields(self, request, obj=None):
        return ["agency", "pkcs12", "passphrase"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        agency_id = admin_agency_id(request)
        if db_field.name == "agency" and agency_id is not None:
            kwargs["queryset"] = Agency.objects.filter(pk=agency_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        """The service stores the certificate (key encrypted) and retires the previous one."""
        try:
            return services.install_agency_certificate(
                agency_id=form.cleaned_data["agency"].pk, pkcs12=form.cleaned_data["pkcs12_bytes"],
                passphrase=form.cleaned_data.get("passphrase", ""), actor=request.user)
        except (signing.SigningError, DossierActionError) as error:
            raise PermissionDenied(error.message) from None

    def save_model(self, request, obj, form, change):
        """Saved by the service in save_form."""

    def save_related(self, request, form, formsets, change):
        """Nothing related."""


@admin.register(CertificateUse)
class CertificateUseAdmin(admin.ModelAdmin):
    """Every signature made with an agency's key: what, when (read-only)."""

    list_display = ["used_at", "certificate", "document"]
    list_filter = ["certificate__agency"]
    list_select_related = ["certificate"]
    date_hierarchy = "used_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = admin_agency_id(request)
        return queryset if agency_id is None else queryset.filter(certificate__agency_id=agency_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrustedRoot)
class TrustedRootAdmin(admin.ModelAdmin):
    """Certificate authorities the public verification page trusts (system administrators only)."""

    list_display = ["name", "added_at"]


@admin.register(AuditVerification)
class AuditVerificationAdmin(admin.ModelAdmin):
    list_display = ["ran_at", "agency", "ok", "entries", "problem"]
    list_filter = ["ok", "agency"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = admin_agency_id(request)
        return queryset if agency_id is None else queryset.filter(agency_id=agency_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
