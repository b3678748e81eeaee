"""The "Redaktörer" (editors) group: content, media and reading feedback, nothing else.

No permission on users, groups or permissions: editors cannot make themselves or anyone
else more powerful.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "Redaktörer"
ALL = ("add", "change", "delete", "view")
EDITOR_PERMISSIONS = {
    "pages": {
        "page": ALL,
        "pagecontact": ALL,
        "project": ALL,
        "projectpartner": ALL,
        "stakeholdergroup": ALL,
        "stakeholdermember": ALL,
        "event": ALL,
        "redirect": ALL,
        "feedback": ("view",),
    },
    # Contacts' photos and organisations' logos are the site's media.
    "contacts": {"contact": ALL, "organisation": ALL},
}


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make them now.
    for label in EDITOR_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_contenttypes(app_config, verbosity=0, apps=apps)
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    permissions = [
        Permission.objects.get(
            content_type__app_label=label, codename=f"{action}_{model}"
        )
        for label, models in EDITOR_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    group.permissions.set(permissions)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("contacts", "0001_initial"),
        ("pages", "0004_page_edit_times"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
