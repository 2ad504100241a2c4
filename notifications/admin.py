"""The outbox in the admin: an agency's administrator sees their agency's messages, why a delivery failed (the
provider's error on each attempt) and can resend. Rows are written only by the services: read-only here."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from procedures.access import load_official

from . import services
from .models import DeliveryAttempt, Notification


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["at", "succeeded", "error", "provider_message_id", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "agency", "audience", "channel", "template", "recipient", "state", "attempts",
                    "last_error_short"]
    list_filter = ["state", "channel", "audience", "template"]
    search_fields = ["recipient", "idempotency_key", "subject", "provider_message_id"]
    list_select_related = ["agency"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        official = load_official(request.user)
        # Only the agency's own messages: recipients' addresses are personal data of that agency's citizens.
        return queryset.filter(agency_id=official.agency_id) if official else queryset.none()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lỗi gần nhất"))
    def last_error_short(self, obj: Notification) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Gửi lại các thông báo đã chọn"), permissions=["change"])
    def resend(self, request, queryset):
        count = services.resend(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("Đã đưa %(count)d thông báo vào hàng gửi lại.",
                                            "Đã đưa %(count)d thông báo vào hàng gửi lại.", count) % {"count": count},
                          messages.SUCCESS if count else messages.WARNING)
