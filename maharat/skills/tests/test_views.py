"""A beneficiary records skills with the bilingual search; the search API answers partner systems."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.skills.models import PersonSkill, Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def skills(db: object) -> dict[str, Skill]:
    """A few curated skills in both languages."""
    rows = [
        ("trades-sewing", "Sewing", "خياطة", ["tailoring"], ["تفصيل"], "trades"),
        ("coding-python", "Python", "بايثون", [], ["برمجة بايثون"], "coding"),
        (
            "digital-spreadsheets",
            "Spreadsheets (Excel)",
            "جداول البيانات (إكسل)",
            ["Excel"],
            ["اكسل"],
            "digital",
        ),
    ]
    return {
        code: Skill.objects.create(
            code=code, label_en=en, label_ar=ar, synonyms_en=sen, synonyms_ar=sar, group=group, curated=True
        )
        for code, en, ar, sen, sar, group in rows
    }


class MySkillsTests:
    def test_search_add_change_and_remove_a_skill(self, personas: Personas, skills: dict[str, Skill]) -> None:
        client = personas.client_for(personas.amal_user)
        page = client.get(reverse("skills:my_skills"), {"q": "خياطه"}).content.decode()
        assert "Sewing" in page or "خياطة" in page
        client.post(reverse("skills:my_skill_add"), {"skill": skills["trades-sewing"].pk, "proficiency": 2})
        item = PersonSkill.objects.get(person=personas.amal)
        assert item.proficiency == 2 and item.evidence == "self"
        client.post(reverse("skills:my_skill_add"), {"skill": skills["trades-sewing"].pk, "proficiency": 4})
        item.refresh_from_db()
        assert item.proficiency == 4
        assert (
            AuditLog.objects.filter(person_id=personas.amal.pk, subject_type="skills.personskill").count()
            == 2
        )
        client.post(reverse("skills:my_skill_remove", args=[item.pk]))
        assert not PersonSkill.objects.filter(person=personas.amal).exists()

    def test_bad_level_is_refused_and_changes_nothing(
        self, personas: Personas, skills: dict[str, Skill]
    ) -> None:
        client = personas.client_for(personas.amal_user)
        response = client.post(
            reverse("skills:my_skill_add"),
            {"skill": skills["coding-python"].pk, "proficiency": 9},
            follow=True,
        )
        assert "Choose a skill and a level" in response.content.decode()
        assert not PersonSkill.objects.exists()

    def test_cannot_remove_someone_elses_skill(self, personas: Personas, skills: dict[str, Skill]) -> None:
        from maharat.skills.services import person_skill_set

        item = person_skill_set(
            actor=personas.officer, person=personas.hassan, skill=skills["coding-python"], proficiency=1
        )
        response = personas.client_for(personas.amal_user).post(
            reverse("skills:my_skill_remove", args=[item.pk])
        )
        assert response.status_code == 404
        assert PersonSkill.objects.filter(pk=item.pk).exists()

    def test_typeahead_and_api_search_in_both_languages(
        self, personas: Personas, skills: dict[str, Skill], client: object
    ) -> None:
        found = client.get(reverse("skills:search_json"), {"q": "excel"}).json()["results"]
        assert found[0]["code"] == "digital-spreadsheets"
        assert client.get(reverse("skills:search_json"), {"q": ""}).json()["results"] == []
        client.force_login(personas.employer)
        api = client.get("/api/v1/skills/search", {"q": "بايثون"}).json()
        assert api[0]["code"] == "coding-python"


class PersonSkillServiceTests:
    def test_assessed_evidence_needs_a_source(self, personas: Personas, skills: dict[str, Skill]) -> None:
        from maharat.core.errors import DomainError
        from maharat.skills.services import person_skill_set

        with pytest.raises(DomainError):
            person_skill_set(
                actor=personas.officer,
                person=personas.amal,
                skill=skills["coding-python"],
                proficiency=3,
                evidence="certified",
            )
        item = person_skill_set(
            actor=personas.officer,
            person=personas.amal,
            skill=skills["coding-python"],
            proficiency=3,
            evidence="certified",
            source="Code Academy certificate 2026-114",
        )
        assert item.evidence == "certified"
        with pytest.raises(DomainError):
            person_skill_set(
                actor=personas.officer, person=personas.amal, skill=skills["coding-python"], proficiency=5
            )


class SkillGroupSearchTests:
    def test_esco_skill_groups_are_not_offered_as_skills(self, db: object) -> None:
        from maharat.skills.selectors import skill_search

        Skill.objects.create(
            code="esco:group",
            label_en="Sewing and tailoring",
            label_ar="",
            group="esco",
            skill_type="skillgroup",
        )
        Skill.objects.create(code="trades-sewing", label_en="Sewing", label_ar="خياطة", group="trades")
        assert [s.code for s in skill_search("sewing")] == ["trades-sewing"]
