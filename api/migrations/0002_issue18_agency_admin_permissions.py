"""The agency-admin group creates and revokes its officials' API tokens and reads (and replays) its agency's national
portal sync messages, on every install (seed_demo only repeats it)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENCY_ADMIN_GROUP = "Quản trị cơ quan"
# Frozen copy of procedures.roles.AGENCY_ADMIN_PERMISSIONS for these two apps at this migration.
PERMISSIONS = {
    "api": ["view_apitoken", "add_apitoken", "change_apitoken"],
    "national_sync": ["view_syncmessage", "change_syncmessage", "view_syncattempt"],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_label in PERMISSIONS:
        # Permissions are normally created after the whole migrate run; create these apps' now to grant them.
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    group, _created = Group.objects.get_or_create(name=AGENCY_ADMIN_GROUP)
    for app_label, codenames in PERMISSIONS.items():
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("api", "0001_issue18_api_token"),
        ("national_sync", "0001_issue18_outbox"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
