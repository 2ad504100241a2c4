"""The agency-admin group may upload its agency's signing certificate, read its uses and the outbox's failures,
on every install (procedures 0002 granted the catalogue permissions the same way; seed_demo only repeats it)."""
from django.db import migrations

from procedures.migration_grants import grant_to_agency_admins

# Frozen copy of procedures.roles.AGENCY_ADMIN_PERMISSIONS for these two apps at this migration.
PERMISSIONS = {
    "dossiers": ["view_personaldataaccess", "add_agencycertificate", "view_agencycertificate", "view_certificateuse"],
    "notifications": ["view_notification", "change_notification", "view_deliveryattempt"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dossiers", "0011_merge_20261201_1607"),
        ("notifications", "0001_issue15_outbox"),
    ]

    operations = [migrations.RunPython(grant_to_agency_admins(PERMISSIONS), migrations.RunPython.noop)]
