"""The "Redaktörer" (editors) group: content, media and reading feedback, nothing else.

The permissions come from pages.registry, which later migrations call again when they add
models that editors work with.
"""

from django.db import migrations

from pages.registry import EDITORS_GROUP, sync_editors_group


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("contacts", "0001_initial"),
        ("pages", "0004_page_edit_times"),
    ]

    operations = [migrations.RunPython(sync_editors_group, remove_editors)]
