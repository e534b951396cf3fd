"""Skills, occupations (ISCO-08 / ESCO) and the skills people hold."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel, BilingualLabelMixin


class SkillGroup(models.TextChoices):
    """Families of skills in Maharat's curated taxonomy; ESCO imports use ``esco``."""

    DIGITAL = "digital", _("Digital skills")
    ICT = "ict", _("ICT")
    CODING = "coding", _("Coding")
    FREELANCING = "freelancing", _("Freelancing and online work")
    SOFT = "soft", _("Soft skills")
    LANGUAGE = "language", _("Languages")
    BUSINESS = "business", _("Business and entrepreneurship")
    TRADES = "trades", _("Trades and crafts")
    AGRICULTURE = "agriculture", _("Agriculture")
    CONSTRUCTION = "construction", _("Construction")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    SERVICES = "services", _("Services")
    ESCO = "esco", _("Other (ESCO)")


class Occupation(BilingualLabelMixin, BaseModel):
    """An ISCO-08 group (1–4 digits) or an ESCO occupation beneath a 4-digit unit group."""

    class Kind(models.TextChoices):
        ISCO_GROUP = "isco", _("ISCO-08 group")
        ESCO_OCCUPATION = "esco", _("ESCO occupation")

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    isco_code = models.CharField(_("ISCO-08 code"), max_length=4, db_index=True)
    label_en = models.CharField(_("English label"), max_length=300)
    label_ar = models.CharField(_("Arabic label"), max_length=300, blank=True)
    alt_labels_en = models.JSONField(_("English synonyms"), default=list, blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    esco_uri = models.CharField(_("ESCO URI"), max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Skill(BilingualLabelMixin, BaseModel):
    """A skill, competence, knowledge area or language, labelled in Arabic and English."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    label_en = models.CharField(_("English label"), max_length=300)
    label_ar = models.CharField(_("Arabic label"), max_length=300, blank=True)
    synonyms_en = models.JSONField(_("English synonyms"), default=list, blank=True)
    synonyms_ar = models.JSONField(_("Arabic synonyms"), default=list, blank=True)
    group = models.CharField(_("group"), max_length=20, choices=SkillGroup.choices, db_index=True)
    esco_uri = models.CharField(_("ESCO URI"), max_length=200, null=True, blank=True, unique=True)
    skill_type = models.CharField(_("ESCO skill type"), max_length=40, blank=True)
    reuse_level = models.CharField(_("ESCO reuse level"), max_length=40, blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    curated = models.BooleanField(_("in Maharat's curated taxonomy"), default=False, db_index=True)
    broader = models.ForeignKey(
        "self",
        verbose_name=_("broader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="narrower",
    )
    occupations = models.ManyToManyField(
        Occupation,
        verbose_name=_("occupations"),
        through="OccupationSkill",
        blank=True,
        related_name="skills",
    )

    class Meta:
        ordering = ["label_en"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.label

    def all_labels(self) -> tuple[str, ...]:
        """Every label and synonym in both languages, preferred labels first."""
        labels = [self.label_en, self.label_ar, *self.synonyms_en, *self.synonyms_ar]
        return tuple(label for label in labels if label)


class OccupationSkill(models.Model):
    """That an occupation needs a skill, essentially or optionally."""

    class Relation(models.TextChoices):
        ESSENTIAL = "essential", _("Essential")
        OPTIONAL = "optional", _("Optional")

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE)
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)

    class Meta:
        verbose_name = _("occupation skill")
        verbose_name_plural = _("occupation skills")
        constraints = [
            models.UniqueConstraint(fields=["occupation", "skill"], name="occupation_skill_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id} → {self.skill_id} ({self.relation})"


class Evidence(models.TextChoices):
    """How we know a person holds a skill."""

    SELF_DECLARED = "self", _("Self-declared")
    ASSESSED = "assessed", _("Assessed")
    CERTIFIED = "certified", _("Certified")


class Proficiency(models.IntegerChoices):
    """Four levels of proficiency."""

    BASIC = 1, _("Basic")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")
    EXPERT = 4, _("Expert")


class PersonSkill(BaseModel):
    """That a person holds a skill at a proficiency, with the evidence and its source."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="holders"
    )
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"),
        choices=Proficiency.choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    evidence = models.CharField(
        _("evidence"), max_length=10, choices=Evidence.choices, default=Evidence.SELF_DECLARED
    )
    source = models.CharField(_("source of evidence"), max_length=200, blank=True)

    class Meta:
        ordering = ["-proficiency", "skill__label_en"]
        verbose_name = _("person's skill")
        verbose_name_plural = _("people's skills")
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="person_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(proficiency__gte=1, proficiency__lte=4), name="proficiency_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.proficiency})"
