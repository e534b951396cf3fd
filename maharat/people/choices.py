"""Coded answers of the registry, each with an Arabic and English label."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """Sex as recorded for disaggregation (SDG 17.18)."""

    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class LegalStatus(models.TextChoices):
    """Legal or displacement status in Jordan."""

    JORDANIAN = "jordanian", _("Jordanian")
    REFUGEE = "refugee", _("Refugee registered with UNHCR")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    MIGRANT_WORKER = "migrant_worker", _("Migrant worker")
    OTHER = "other", _("Other")


class Nationality(models.TextChoices):
    """Nationalities most present among Maharat's users (ISO 3166-1 alpha-2), and other."""

    JORDAN = "JO", _("Jordanian")
    SYRIA = "SY", _("Syrian")
    IRAQ = "IQ", _("Iraqi")
    YEMEN = "YE", _("Yemeni")
    SUDAN = "SD", _("Sudanese")
    PALESTINE = "PS", _("Palestinian")
    EGYPT = "EG", _("Egyptian")
    SOMALIA = "SO", _("Somali")
    OTHER = "XX", _("Other")


class HouseholdRole(models.TextChoices):
    """Place of the person in their household."""

    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse of the head")
    CHILD = "child", _("Son or daughter")
    OTHER = "other", _("Other member")


class WGAnswer(models.IntegerChoices):
    """The four answers of every Washington Group Short Set question."""

    NO_DIFFICULTY = 1, _("No difficulty")
    SOME = 2, _("Some difficulty")
    A_LOT = 3, _("A lot of difficulty")
    CANNOT = 4, _("Cannot do at all")


WG_DOMAINS = [
    ("wg_seeing", _("Seeing, even if wearing glasses")),
    ("wg_hearing", _("Hearing, even if using a hearing aid")),
    ("wg_walking", _("Walking or climbing steps")),
    ("wg_cognition", _("Remembering or concentrating")),
    ("wg_selfcare", _("Self-care, such as washing all over or dressing")),
    ("wg_communication", _("Communicating, for example understanding or being understood")),
]


class EducationLevel(models.TextChoices):
    """Highest level of education completed (ISCED-like bands)."""

    NONE = "none", _("No formal education")
    PRIMARY = "primary", _("Primary")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    TAWJIHI = "tawjihi", _("Secondary (Tawjihi)")
    VOCATIONAL = "vocational", _("Vocational diploma")
    DIPLOMA = "diploma", _("College diploma")
    BACHELOR = "bachelor", _("Bachelor's degree")
    POSTGRADUATE = "postgraduate", _("Postgraduate degree")


class EmploymentStatus(models.TextChoices):
    """Current work situation."""

    UNEMPLOYED = "unemployed", _("Unemployed, looking for work")
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    FREELANCER = "freelancer", _("Freelancer")
    STUDENT = "student", _("Student")
    INACTIVE = "inactive", _("Not looking for work")


class Channel(models.TextChoices):
    """How a person prefers to be reached."""

    SMS = "sms", _("Text message (SMS)")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WEB = "web", _("Web")


class Language(models.TextChoices):
    """Languages people speak (ISO 639-1)."""

    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    KURDISH = "ku", _("Kurdish")
    TURKISH = "tr", _("Turkish")
    SOMALI = "so", _("Somali")
    OTHER = "other", _("Other")


class OrganizationKind(models.TextChoices):
    """What an organization is to the programme."""

    IMPLEMENTING_AGENCY = "implementing_agency", _("Implementing agency")
    PARTNER = "partner", _("Partner NGO / support organization")
    EMPLOYER = "employer", _("Employer")
    TRAINING_PROVIDER = "training_provider", _("Training provider or education institution")
    DONOR = "donor", _("Donor")
    RESEARCH = "research", _("Research institution")


class ConsentPurpose(models.TextChoices):
    """What a person agreed their data may be used for."""

    REGISTRATION = "registration", _("Registration and programme services")
    SHARING = "sharing", _("Sharing my record with the named organizations")
    MESSAGING = "messaging", _("Receiving text messages")
    MATCHING = "matching", _("Showing my profile to employers")
    RESEARCH = "research", _("Anonymized use in research and evaluation")


class ConsentChannel(models.TextChoices):
    """How the consent was given."""

    WEB = "web", _("Web form")
    PAPER = "paper", _("Signed paper form")
    VERBAL = "verbal", _("Verbal, recorded by staff")
    SMS = "sms", _("Text message")
    IMPORT = "import", _("Imported with the record")


class DuplicateStatus(models.TextChoices):
    """Where a suspected duplicate is in staff review."""

    OPEN = "open", _("Waiting for review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not a duplicate")
