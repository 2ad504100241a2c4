"""The agency-admin group creates and revokes its officials' API tokens and reads (and replays) its agency's national
portal sync messages, on every install (seed_demo only repeats it)."""
from django.db import migrations

from procedures.migration_grants import grant_to_agency_admins

# Frozen copy of procedures.roles.AGENCY_ADMIN_PERMISSIONS for these two apps at this migration.
PERMISSIONS = {
    "api": ["view_apitoken", "add_apitoken", "change_apitoken"],
    "national_sync": ["view_syncmessage", "change_syncmessage", "view_syncattempt"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("api", "0001_issue18_api_token"),
        ("national_sync", "0001_issue18_outbox"),
    ]

    operations = [migrations.RunPython(grant_to_agency_admins(PERMISSIONS), migrations.RunPython.noop)]
