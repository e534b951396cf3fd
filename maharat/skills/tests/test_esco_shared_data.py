"""Importing the real ESCO v1.1.1 files and Tabiya's sample shipped in ../shared/data (skipped where absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count, Max

from maharat.skills.esco import SKILL_GROUP_TYPE, import_folder
from maharat.skills.models import Occupation, OccupationSkill, Skill

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]

SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"


@pytest.fixture
def esco_dir() -> Path:
    """ESCO v1.1.1 in ESCO's own download format."""
    folder = SHARED_DATA / "esco-v1.1.1"
    if not (folder / "occupations_en.csv").is_file():
        pytest.skip(f"{folder} is not here")
    return folder


@pytest.fixture
def tabiya_dir() -> Path:
    """A sample of Tabiya's cleaned ESCO v1.1.1."""
    folder = SHARED_DATA / "tabiya-esco-v1.1.1-sample"
    if not (folder / "occupation_skill_relations.csv").is_file():
        pytest.skip(f"{folder} is not here")
    return folder


class SharedEscoTests:
    def test_imports_the_esco_download(self, esco_dir: Path) -> None:
        result = import_folder(esco_dir)

        # ESCO v1.1.1 has 619 ISCO-08 groups, 3,007 occupations, 640 skill groups (647 with the hierarchy's
        # top concepts) and 2,186 distinct skills in its four collections (1,201 of them digital).
        assert 600 <= result.isco_groups.created <= 650
        assert 2900 <= result.occupations.created <= 3200
        assert 630 <= result.skill_groups.created <= 700
        assert 2100 <= result.skills.created <= 2300
        rows = {name: count for name, _format, count in result.files}
        assert 1150 <= rows["digitalSkillsCollection_en.csv"] <= 1300
        assert len(rows) == 9 and not result.ignored
        assert result.links_unknown < 20

        assert not Occupation.objects.filter(kind="esco", parent=None).exists()
        assert Occupation.objects.filter(kind="isco", parent=None).count() == 10  # the major groups 0–9
        director = Occupation.objects.get(code="2654.1.7")
        assert director.label_en == "technical director" and director.isco_code == "2654"
        assert "head of technical" in director.alt_labels_en  # from a multi-line quoted field
        assert not any("\n" in label or " | " in label for labels in _alt_labels() for label in labels)
        haskell = Skill.objects.get(label_en="Haskell")
        assert haskell.broader is not None and haskell.broader.label_en == "computer programming"
        assert Skill.objects.get(label_en="Hungarian", skill_type="knowledge").narrower.count() >= 4
        assert Skill.objects.get(esco_uri__endswith="isced-f/0613").skill_type == SKILL_GROUP_TYPE
        with_broader = Skill.objects.exclude(skill_type=SKILL_GROUP_TYPE).exclude(broader=None).count()
        assert with_broader >= 0.99 * result.skills.created

        again = import_folder(esco_dir)
        assert (again.created, again.updated) == (0, 0)

    def test_imports_the_tabiya_sample_with_its_relations(self, tabiya_dir: Path) -> None:
        result = import_folder(tabiya_dir)

        assert 600 <= result.isco_groups.created <= 650
        assert 2900 <= result.occupations.created <= 3200
        assert result.skills.created == 1000
        assert 8000 <= result.relations.created <= 9000 and result.relations_skipped == 0
        assert result.links_unknown == 0
        assert OccupationSkill.objects.filter(relation="essential").count() > 4000
        assert [name for name, _reason in result.ignored] == [
            "LICENSE-tabiya.txt",
            "skill_skill_relations.csv",
        ]
        most = Occupation.objects.annotate(n=Count("skills")).aggregate(most=Max("n"))["most"]
        assert most > 10

        again = import_folder(tabiya_dir)
        assert (again.created, again.updated) == (0, 0)

    def test_esco_and_tabiya_share_their_concepts(self, esco_dir: Path, tabiya_dir: Path) -> None:
        import_folder(esco_dir)
        result = import_folder(tabiya_dir)

        assert (result.isco_groups.created, result.occupations.created, result.skill_groups.created) == (
            0,
            0,
            0,
        )
        assert result.skills.created + result.skills.unchanged + result.skills.updated == 1000
        assert result.skills.unchanged > 100  # the sample's skills that are also in ESCO's collections
        assert 8000 <= result.relations.created <= 9000
        assert (import_folder(esco_dir).updated, import_folder(tabiya_dir).updated) == (0, 0)


def _alt_labels() -> list[list[str]]:
    return [*Occupation.objects.values_list("alt_labels_en", flat=True)] + [
        *Skill.objects.values_list("synonyms_en", flat=True)
    ]
