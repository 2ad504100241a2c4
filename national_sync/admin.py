"""The national portal's outbox in the admin: an agency's administrator sees their agency's messages, why a
delivery failed (the portal's answer on each attempt) and sends failed ones again. Written only by the services."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from procedures.access import admin_agency_id

from . import services
from .models import SyncAttempt, SyncMessage


class SyncAttemptInline(admin.TabularInline):
    model = SyncAttempt
    fields = ["at", "succeeded", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SyncMessage)
class SyncMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "dossier_code", "seq", "national_status", "state", "attempts", "next_attempt_at",
                    "last_error_short"]
    list_filter = ["state", "national_status"]
    search_fields = ["dossier_code", "idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [SyncAttemptInline]
    actions = ["replay"]
    readonly_fields = [field.name for field in SyncMessage._meta.fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        agency_id = admin_agency_id(request)
        # The payload carries the applicant's name: only the agency's own messages.
        return queryset if agency_id is None else queryset.filter(agency_id=agency_id)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lỗi gần nhất"))
    def last_error_short(self, obj: SyncMessage) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Gửi lại các tin đồng bộ đã chọn"), permissions=["change"])
    def replay(self, request, queryset):
        count = services.replay(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("Đã đưa %(count)d tin đồng bộ vào hàng gửi lại.",
                                            "Đã đưa %(count)d tin đồng bộ vào hàng gửi lại.", count) % {"count": count},
                          messages.SUCCESS if count else messages.WARNING)
