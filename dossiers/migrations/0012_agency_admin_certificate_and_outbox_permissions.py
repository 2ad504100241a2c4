"""The agency-admin group may upload its agency's signing certificate, read its uses and the outbox's failures,
on every install (procedures 0002 granted the catalogue permissions the same way; seed_demo only repeats it)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENCY_ADMIN_GROUP = "Quản trị cơ quan"
# Frozen copy of procedures.roles.AGENCY_ADMIN_PERMISSIONS for these two apps at this migration.
PERMISSIONS = {
    "dossiers": ["view_personaldataaccess", "add_agencycertificate", "view_agencycertificate", "view_certificateuse"],
    "notifications": ["view_notification", "change_notification", "view_deliveryattempt"],
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
        ("dossiers", "0011_merge_20261201_1607"),
        ("notifications", "0001_issue15_outbox"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
