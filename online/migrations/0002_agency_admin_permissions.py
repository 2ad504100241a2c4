"""The agency-admin group may read its agency's online submissions in the admin, on every install (as dossiers
0012 grants its permissions; seed_demo only repeats it)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENCY_ADMIN_GROUP = "Quản trị cơ quan"
# Frozen copy of procedures.roles.AGENCY_ADMIN_PERMISSIONS["online"] at this migration.
CODENAMES = ["view_onlinesubmission"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    config = apps.get_app_config("online")
    config.models_module = True  # permissions are created after the whole run; create this app's now
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    group, _created = Group.objects.get_or_create(name=AGENCY_ADMIN_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="online", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("online", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
