"""The models whose rows the public pages show, listed once for everything that needs them.

The page cache ends stored pages when one of them changes, the text cleaner cleans what
editors type into them, and the "Redaktörer" group may add, change and delete them. A model
added to the site's pages is added here, and a migration calls `sync_editors_group` again.
"""

from django.apps import apps as global_apps

SHOWN_MODELS = (
    "pages.Page",
    "pages.PageContact",
    "pages.Project",
    "pages.ProjectPartner",
    "pages.StakeholderGroup",
    "pages.StakeholderMember",
    "pages.Event",
    "contacts.Contact",
    "contacts.Organisation",
)
# Editors manage these too, though no page shows their rows.
EDITED_MODELS = ("pages.Redirect",)
# Editors may read these and nothing more: what visitors wrote is a record.
READ_MODELS = ("pages.Feedback",)

EDITORS_GROUP = "Redaktörer"
ALL_ACTIONS = ("add", "change", "delete", "view")


def _models(labels, apps):
    found = []
    for label in labels:
        try:
            found.append(apps.get_model(label))
        except LookupError:  # a migration older than the model
            continue
    return found


def shown_models(apps=global_apps):
    return _models(SHOWN_MODELS, apps)


def editor_permissions(apps=global_apps):
    """(model, actions) pairs for the "Redaktörer" group."""
    return [
        *((model, ALL_ACTIONS) for model in _models(SHOWN_MODELS + EDITED_MODELS, apps)),
        *((model, ("view",)) for model in _models(READ_MODELS, apps)),
    ]


def sync_editors_group(apps, schema_editor=None):
    """Give the "Redaktörer" group exactly the permissions above; for data migrations.

    No permission on users, groups or permissions: editors cannot make themselves or anyone
    else more powerful.
    """
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    # Permissions are normally created after all migrations have run; make them now.
    for label in {model._meta.app_label for model, _actions in editor_permissions(apps)}:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_contenttypes(app_config, verbosity=0, apps=apps)
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.set(
        Permission.objects.get(
            content_type__app_label=model._meta.app_label,
            codename=f"{action}_{model._meta.model_name}",
        )
        for model, actions in editor_permissions(apps)
        for action in actions
    )
