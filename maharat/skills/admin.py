"""Admin for the taxonomy and people's skills."""

from __future__ import annotations

from django.contrib import admin

from maharat.skills.models import Occupation, OccupationSkill, PersonSkill, Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    """Skills."""

    list_display = ("code", "label_en", "label_ar", "group", "curated", "esco_uri")
    list_filter = ("group", "curated")
    search_fields = ("code", "label_en", "label_ar")
    raw_id_fields = ("broader",)


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    """Occupations and ISCO-08 groups."""

    list_display = ("code", "label_en", "label_ar", "kind", "isco_code")
    list_filter = ("kind",)
    search_fields = ("code", "label_en", "label_ar")
    raw_id_fields = ("parent",)


@admin.register(OccupationSkill)
class OccupationSkillAdmin(admin.ModelAdmin):
    """Occupation–skill relations."""

    list_display = ("occupation", "skill", "relation")
    raw_id_fields = ("occupation", "skill")


@admin.register(PersonSkill)
class PersonSkillAdmin(admin.ModelAdmin):
    """People's skills."""

    list_display = ("person", "skill", "proficiency", "evidence")
    list_filter = ("evidence", "proficiency")
    raw_id_fields = ("person", "skill")
