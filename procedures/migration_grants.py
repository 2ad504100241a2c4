"""The one way a data migration grants the agency-admin group its admin permissions on every install.

Used by migrations, so its behaviour is frozen: the group's name and the codenames come from each migration
(a copy of `procedures.roles` as it was then), never from the live module."""
from django.contrib.auth.management import create_permissions

AGENCY_ADMIN_GROUP = "Quản trị cơ quan"


def grant_to_agency_admins(permissions: dict[str, list[str]]):
    """A RunPython function granting `permissions` ({app label: [codename, …]}) to the agency-admin group."""

    def grant(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        for app_label in permissions:
            # Permissions are normally created after the whole migrate run; create these apps' now to grant them.
            config = apps.get_app_config(app_label)
            config.models_module = True
            create_permissions(config, apps=apps, verbosity=0)
            config.models_module = None
        group, _created = Group.objects.get_or_create(name=AGENCY_ADMIN_GROUP)
        for app_label, codenames in permissions.items():
            group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label,
                                                             codename__in=codenames))

    return grant
