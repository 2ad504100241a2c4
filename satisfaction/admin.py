"""Admin: read-only views with history. Ratings are the citizens' words and feedback moves only through its
machine (satisfaction.services), so nothing here edits them."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Feedback, FeedbackCodeCounter, Rating, RatingOfficial


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RatingOfficialInline(ReadOnlyMixin, admin.TabularInline):
    model = RatingOfficial
    fields = ["official"]
    extra = 0


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["created_at", "source", "agency", "procedure", "dossier", "official", "overall", "handled_at"]
    list_filter = ["source", "overall", "attitude", "agency"]
    search_fields = ["dossier__code", "official__display_name", "comment"]
    date_hierarchy = "created_at"
    list_select_related = ["agency", "procedure", "dossier", "official"]
    exclude = ["device_hash"]
    inlines = [RatingOfficialInline]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["code", "received_at", "agency", "subject", "kind", "state", "answer_due_at", "answered_at"]
    list_filter = ["state", "subject", "kind", "agency"]
    search_fields = ["code", "content"]
    date_hierarchy = "received_at"
    list_select_related = ["agency"]
    history_list_display = ["state"]


@admin.register(FeedbackCodeCounter)
class FeedbackCodeCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "last_value"]
