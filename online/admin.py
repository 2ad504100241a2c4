"""The online submissions in the admin: read-only, and confined by the one rule of who sees a submission
(`online.selectors.visible_submissions`), like the dossiers' admin pages."""
from django.contrib import admin

from dossiers.admin import ReadOnlyAdmin, ReadOnlyInline

from . import selectors
from .models import OnlineSubmission, SubmittedFile


class SubmittedFileInline(ReadOnlyInline):
    model = SubmittedFile
    fields = ["document_name", "content_type", "size", "purpose", "uploaded_at", "accepted_at"]
    readonly_fields = fields


@admin.register(OnlineSubmission)
class OnlineSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["procedure", "agency", "state", "created_at", "submitted_at", "dossier"]
    list_filter = ["state", "agency"]
    list_select_related = ["procedure", "agency", "dossier"]
    date_hierarchy = "created_at"
    inlines = [SubmittedFileInline]
    # Every change goes through online.services (the clerk's pages). No applicant data here (the clerk's page shows
    # it and logs the look, Nghị định 13/2023/NĐ-CP), and no token: it is the applicant's key.
    fields = ["procedure", "agency", "state", "contact_channel", "result_delivery", "postal_tracking_number",
              "created_at", "confirmed_at", "submitted_at", "decided_at", "decided_by", "dossier", "guidance"]
    readonly_fields = fields

    def visible(self, queryset, official):
        return queryset.filter(pk__in=selectors.visible_submissions(official).values("pk"))
