"""Fixed vocabularies of the programmes app: components, channels, groups, statuses and criteria."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Component(models.TextChoices):
    """What a programme offers its participants."""

    TRAINING = "training", _("Training tracks")
    MENTORSHIP = "mentorship", _("Mentorship")
    PLACEMENTS = "placements", _("Job and on-the-job placements")
    GRANTS = "grants", _("Micro-business grants")


class ApplyChannel(models.TextChoices):
    """How an application reached the programme."""

    WEB = "web", _("Web (self-service)")
    STAFF = "staff", _("Staff, on the person's behalf")
    IMPORT = "import", _("Imported file")
    SMS = "sms", _("Text message")


class Group(models.TextChoices):
    """Groups that quotas, priority and reports count; membership is derived from the registry."""

    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    REFUGEES = "refugees", _("Refugees and asylum seekers")
    HOST = "host", _("Jordanians (host community)")
    MIGRANTS = "migrants", _("Migrant workers")
    DISABILITY = "disability", _("Persons with disabilities")
    YOUTH = "youth", _("Youth")
    FEMALE_HEADED = "female_headed", _("Female-headed households")
    UNEMPLOYED_YOUTH = "unemployed_youth", _("Unemployed youth")
    UNEMPLOYED = "unemployed", _("Unemployed")


class CapAttribute(models.TextChoices):
    """What a cap limits the cohort by."""

    GOVERNORATE = "governorate", _("Governorate")
    ORGANIZATION = "organization", _("Referring organization")


class CallStatus(models.TextChoices):
    """Whether a call is being prepared, published or closed."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class ApplicationStatus(models.TextChoices):
    """Where an application stands; eligibility is recorded beside it."""

    SUBMITTED = "submitted", _("Submitted")
    SELECTED = "selected", _("Offered a seat")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CONTROL = "control", _("Not selected this round")
    ENROLLED = "enrolled", _("Enrolled")
    DECLINED = "declined", _("Declined the seat")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PreviousParticipation(models.TextChoices):
    """Whether people who took part before may apply again."""

    ALLOWED = "allowed", _("Anyone may apply")
    NOT_THIS = "not_this", _("Not people already enrolled in this programme")
    NOT_ANY = "not_any", _("Not people already enrolled in any programme")


class DisabilityRule(models.TextChoices):
    """Eligibility by disability."""

    ANY = "any", _("Anyone")
    ONLY = "only", _("Only persons with disabilities")


class Criterion(models.TextChoices):
    """A reason for priority points."""

    FEMALE_HEADED = "female_headed", _("Female-headed household")
    REFUGEE = "refugee", _("Refugee or asylum seeker")
    UNEMPLOYED_YOUTH = "unemployed_youth", _("Unemployed youth")
    DISABILITY = "disability", _("Disability")
    WOMAN = "woman", _("Woman")
    UNEMPLOYED = "unemployed", _("Unemployed")
    NEAR = "near", _("Lives in one of the programme's governorates")
    ANSWER = "answer", _("Answer to a question")
    BELOW = "below", _("Number at or below a threshold (income, for example)")


class QuestionKind(models.TextChoices):
    """How a custom question is answered."""

    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("One choice from a list")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Free text")


class NoticeKind(models.TextChoices):
    """What a notice to an applicant says."""

    RECEIVED = "received", _("Application received")
    SELECTED = "selected", _("Offered a seat")
    WAITLISTED = "waitlisted", _("On the waiting list")
    NOT_SELECTED = "not_selected", _("Not selected")
    ENROLLED = "enrolled", _("Enrolled")
