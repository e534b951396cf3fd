"""Coded answers of the learning app, each with an Arabic and English label."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Track(models.TextChoices):
    """The families of courses the portal offers."""

    DIGITAL_LITERACY = "digital_literacy", _("Digital literacy")
    ICT_CODING = "ict_coding", _("ICT and coding")
    SOFT_SKILLS = "soft_skills", _("Soft skills")
    FREELANCING = "freelancing", _("Freelancing and remote work")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")
    TRADES = "trades", _("Trades")


class Level(models.IntegerChoices):
    """How advanced a course is; it also sets the proficiency of the skills a certificate adds."""

    BEGINNER = 1, _("Beginner")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")


class DeliveryMode(models.TextChoices):
    """How a course is delivered."""

    SELF_PACED = "self_paced", _("Self-paced")
    WORKSHOPS = "workshops", _("Workshop-based")
    BLENDED = "blended", _("Blended")
    IN_PERSON = "in_person", _("In person")


class ModuleKind(models.TextChoices):
    """What a module of a course is."""

    LESSON = "lesson", _("Lesson")
    VIDEO = "video", _("Video")
    QUIZ = "quiz", _("Quiz")
    ASSIGNMENT = "assignment", _("Assignment")
    WORKSHOP = "workshop", _("Virtual workshop")
    IN_PERSON = "in_person", _("In-person session")


SESSION_KINDS = frozenset({ModuleKind.WORKSHOP, ModuleKind.IN_PERSON})


class QuestionKind(models.TextChoices):
    """Whether one or several choices of a quiz question are right."""

    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class EnrolmentSource(models.TextChoices):
    """How a person came into a course."""

    COHORT = "cohort", _("Programme cohort")
    SELF = "self", _("Self-enrolment")


class EnrolmentStatus(models.TextChoices):
    """Where a person stands in a course."""

    ACTIVE = "active", _("Active")
    WAITLISTED = "waitlisted", _("Waitlisted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")


SEAT_HOLDING = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


class Verb(models.TextChoices):
    """What a learner did with a module; each maps to an xAPI verb."""

    STARTED = "started", _("Started")
    PROGRESSED = "progressed", _("Progressed")
    COMPLETED = "completed", _("Completed")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    ATTENDED = "attended", _("Attended")


XAPI_VERBS = {
    Verb.STARTED: "http://adlnet.gov/expapi/verbs/attempted",
    Verb.PROGRESSED: "http://adlnet.gov/expapi/verbs/progressed",
    Verb.COMPLETED: "http://adlnet.gov/expapi/verbs/completed",
    Verb.PASSED: "http://adlnet.gov/expapi/verbs/passed",
    Verb.FAILED: "http://adlnet.gov/expapi/verbs/failed",
    Verb.ATTENDED: "http://adlnet.gov/expapi/verbs/attended",
}
