"""Staff roles, stored as Django groups so admins can grant them in the admin."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEPTION = "reception", _("Tiếp nhận và trả kết quả")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")


# Group names as admins see them; the role value is the stable key used in code.
GROUP_NAMES = {
    Role.RECEPTION: "Tiếp nhận và trả kết quả",
    Role.SPECIALIST: "Chuyên viên xử lý",
    Role.LEADER: "Lãnh đạo",
    Role.AGENCY_ADMIN: "Quản trị cơ quan",
}
ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}

# Who manages an agency: the leaders' dashboard, handling ratings and reports, the "Điều hành" links.
MANAGER_ROLES = (Role.LEADER, Role.AGENCY_ADMIN)

# What an agency administrator may do in the admin, within their own agency (procedures.admin scopes every page):
# keep staff, catalogue and calendar, never delete. Granted to the group by data migrations
# (procedures 0002, dossiers 0005), so a production install has it without the demo seed.
AGENCY_ADMIN_PERMISSIONS = {
    "procedures": [
        f"{action}_{model}"
        for model in ("department", "official", "field", "procedure", "procedurestep", "requireddocument",
                      "calendarexception")
        for action in ("view", "add", "change")
    ] + ["view_agency", "change_agency", "view_catalogueimportjob"],
    # The personal-data access log of their agency (NĐ 13/2023/NĐ-CP), read-only.
    "dossiers": ["view_personaldataaccess",
                 # The agency's signing certificate: uploaded (key encrypted, never shown again) and its uses read.
                 "add_agencycertificate", "view_agencycertificate", "view_certificateuse"],
    # The outbox: failed deliveries with the provider's error, and their resend (rows scoped to the agency).
    "notifications": ["view_notification", "change_notification", "view_deliveryattempt"],
    # Officials' API tokens (created, revoked, never deleted) and the national portal's outbox with its replay.
    "api": ["view_apitoken", "add_apitoken", "change_apitoken"],
    "national_sync": ["view_syncmessage", "change_syncmessage", "view_syncattempt"],
    # Online submissions of their agency, read-only (online/migrations/0002 grants it).
    "online": ["view_onlinesubmission"],
}
