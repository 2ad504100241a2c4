"""The role groups exist and the agency-admin group holds its admin permissions on every install, not only
after `seed_demo` (issue 12: the permissions were created by the demo seed alone)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copy of procedures.roles at this migration (GROUP_NAMES, AGENCY_ADMIN_PERMISSIONS["procedures"]).
GROUPS = ["Tiếp nhận và trả kết quả", "Chuyên viên xử lý", "Lãnh đạo", "Quản trị cơ quan"]
AGENCY_ADMIN_GROUP = "Quản trị cơ quan"
PERMISSIONS = [
    f"{action}_{model}"
    for model in ("department", "official", "field", "procedure", "procedurestep", "requireddocument",
                  "calendarexception")
    for action in ("view", "add", "change")
] + ["view_agency", "change_agency"]


def grant(apps, schema_editor):
    # Permissions are normally created after the whole migrate run; create this app's now so they can be granted.
    config = apps.get_app_config("procedures")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    group = Group.objects.get(name=AGENCY_ADMIN_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="procedures", codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("procedures", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
