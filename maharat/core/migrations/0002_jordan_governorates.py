"""Load Jordan's twelve governorates with Arabic and English names and OCHA P-codes."""

from django.db import migrations

from maharat.core.geography import GOVERNORATES, ensure_governorates


def load(apps, schema_editor):
    ensure_governorates(apps.get_model("core", "Governorate"))


def unload(apps, schema_editor):
    apps.get_model("core", "Governorate").objects.filter(code__in=[g[0] for g in GOVERNORATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_users_audit_tokens")]
    operations = [migrations.RunPython(load, unload)]
