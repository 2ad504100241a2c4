"""The role groups exist and the agency-admin group holds its admin permissions on every install, not only
after `seed_demo` (issue 12: the permissions were created by the demo seed alone)."""
from django.db import migrations

from procedures.migration_grants import grant_to_agency_admins

# Frozen copy of procedures.roles at this migration (GROUP_NAMES, AGENCY_ADMIN_PERMISSIONS["procedures"]).
GROUPS = ["Tiếp nhận và trả kết quả", "Chuyên viên xử lý", "Lãnh đạo", "Quản trị cơ quan"]
PERMISSIONS = [
    f"{action}_{model}"
    for model in ("department", "official", "field", "procedure", "procedurestep", "requireddocument",
                  "calendarexception")
    for action in ("view", "add", "change")
] + ["view_agency", "change_agency"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    grant_to_agency_admins({"procedures": PERMISSIONS})(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("procedures", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
