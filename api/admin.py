"""API tokens in the admin: the agency admin creates a token for an official of their agency (the secret is shown
once, on the page that answers the creation, never stored) and revokes tokens; nobody edits or deletes one."""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from procedures.access import admin_agency_id
from procedures.admin import AgencyScopedAdmin

from . import services
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(AgencyScopedAdmin):
    list_display = ["name", "owner", "hint", "created_at", "created_by", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "owner__display_name", "hint"]
    list_select_related = ["owner", "created_by"]
    fields = ["owner", "name"]
    actions = ["revoke"]

    def scope(self, queryset, agency_id):
        return queryset.filter(owner__agency_id=agency_id)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["owner", "name", "hint", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by"]

    def get_fields(self, request, obj=None):
        return ["owner", "name"] if obj is None else self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the record of who could act stays

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing of a token is editable
        try:
            token, raw = services.create_token(owner_id=obj.owner_id, name=obj.name, actor=request.user,
                                               agency_id=admin_agency_id(request))
        except services.TokenError as error:
            raise ValidationError(error.message) from None
        obj.pk = token.pk
        obj._secret = raw

    def response_add(self, request, obj, post_url_continue=None):
        # The secret is shown on this answer only: not in a message (cookie/session), not in a URL.
        response = TemplateResponse(request, "api/token_created.html", {
            **self.admin_site.each_context(request), "token": obj, "secret": obj._secret,
            "opts": self.model._meta, "title": _("Đã tạo khóa API"),
        })
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Thu hồi các khóa đã chọn"), permissions=["change"])
    def revoke(self, request, queryset):
        count = services.revoke(token_ids=queryset.values_list("pk", flat=True), actor=request.user,
                                now=timezone.now())
        self.message_user(request, ngettext("Đã thu hồi %(count)d khóa API.", "Đã thu hồi %(count)d khóa API.", count)
                          % {"count": count}, messages.SUCCESS if count else messages.WARNING)
