"""Load Jordan's twelve governorates with Arabic and English names and OCHA P-codes."""

from django.db import migrations

GOVERNORATES = [
    ("AM", "Amman", "عمان", "JO11"),
    ("BA", "Balqa", "البلقاء", "JO12"),
    ("ZA", "Zarqa", "الزرقاء", "JO13"),
    ("MD", "Madaba", "مادبا", "JO14"),
    ("IR", "Irbid", "إربد", "JO21"),
    ("MA", "Mafraq", "المفرق", "JO22"),
    ("JA", "Jerash", "جرش", "JO23"),
    ("AJ", "Ajloun", "عجلون", "JO24"),
    ("KA", "Karak", "الكرك", "JO31"),
    ("TA", "Tafilah", "الطفيلة", "JO32"),
    ("MN", "Ma'an", "معان", "JO33"),
    ("AQ", "Aqaba", "العقبة", "JO34"),
]


def load(apps, schema_editor):
    Governorate = apps.get_model("core", "Governorate")
    for code, en, ar, pcode in GOVERNORATES:
        Governorate.objects.update_or_create(code=code, defaults={"label_en": en, "label_ar": ar, "hxl_pcode": pcode})


def unload(apps, schema_editor):
    apps.get_model("core", "Governorate").objects.filter(code__in=[g[0] for g in GOVERNORATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_users_audit_tokens")]
    operations = [migrations.RunPython(load, unload)]
