"""Choices of mentoring: economic sectors (ISIC Rev. 4 sections), languages, mentee groups, statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from maharat.skills.choices import IsicSection

# Mentoring speaks of sectors; they are the ISIC sections that opportunities use too.
Sector = IsicSection


class Language(models.TextChoices):
    """Languages a mentoring conversation can be held in."""

    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    KURDISH = "ku", _("Kurdish")
    SOMALI = "so", _("Somali")


class MentorSex(models.TextChoices):
    """The mentor's sex, asked because a woman may ask for a female mentor."""

    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class MenteeGroup(models.TextChoices):
    """Groups a mentor may prefer to mentor; a soft preference that adds to the fit."""

    WOMEN = "women", _("Women")
    REFUGEES = "refugees", _("Refugees")
    MIGRANTS = "migrants", _("Migrant workers")
    HOST = "host", _("Host community")
    YOUTH = "youth", _("Young people (15-29)")
    DISABILITY = "disability", _("Persons with disabilities")


class Weekday(models.IntegerChoices):
    """Days of the week a mentor is usually free."""

    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")


class RequestStatus(models.TextChoices):
    """Where a mentee request stands."""

    OPEN = "open", _("Waiting for a mentor")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", _("Closed")


class PairingStatus(models.TextChoices):
    """Whether a mentor and mentee are working together."""

    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class SessionMode(models.TextChoices):
    """Where a session takes place."""

    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")


class SessionStatus(models.TextChoices):
    """What became of a session."""

    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")
