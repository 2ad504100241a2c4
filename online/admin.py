"""The online submissions in the admin: read-only, confined to the admin's agency like every agency page."""
from django.contrib import admin

from procedures.access import admin_agency_id

from .models import OnlineSubmission, SubmittedFile


class SubmittedFileInline(admin.TabularInline):
    model = SubmittedFile
    fields = ["document_name", "content_type", "size", "purpose", "uploaded_at", "accepted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OnlineSubmission)
class OnlineSubmissionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "agency", "state", "created_at", "submitted_at", "dossier"]
    list_filter = ["state", "agency"]
    date_hierarchy = "created_at"
    inlines = [SubmittedFileInline]
    # Read-only: every change goes through online.services (the clerk's pages). No applicant data here (the
    # clerk's page shows it and logs the look, Nghị định 13/2023/NĐ-CP); no token (it is the citizen's key).
    fields = ["procedure", "agency", "state", "contact_channel", "result_delivery", "postal_tracking_number",
              "created_at", "confirmed_at", "submitted_at", "decided_at", "decided_by", "dossier", "guidance"]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("procedure", "agency", "dossier")
        agency_id = admin_agency_id(request)
        return queryset if agency_id is None else queryset.filter(agency_id=agency_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
