"""The agency-admin group may read its agency's online submissions in the admin, on every install (as dossiers
0012 grants its permissions; seed_demo only repeats it)."""
from django.db import migrations

from procedures.migration_grants import grant_to_agency_admins

# Frozen copy of procedures.roles.AGENCY_ADMIN_PERMISSIONS["online"] at this migration.
CODENAMES = ["view_onlinesubmission"]


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("online", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_to_agency_admins({"online": CODENAMES}), migrations.RunPython.noop)]
