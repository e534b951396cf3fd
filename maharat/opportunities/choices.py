"""Fixed vocabularies of opportunities: kinds, statuses, wage periods, sectors and the hiring pipeline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OpportunityKind(models.TextChoices):
    """What kind of work or training an opportunity offers."""

    JOB_FULL_TIME = "job_full_time", _("Job, full-time")
    JOB_PART_TIME = "job_part_time", _("Job, part-time")
    GIG = "gig", _("Freelance or remote gig")
    PLACEMENT = "placement", _("On-the-job training placement")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    INTERNSHIP = "internship", _("Internship")


JOB_KINDS = frozenset({OpportunityKind.JOB_FULL_TIME, OpportunityKind.JOB_PART_TIME})
TRAINING_KINDS = frozenset(
    {OpportunityKind.PLACEMENT, OpportunityKind.APPRENTICESHIP, OpportunityKind.INTERNSHIP}
)


class OpportunityStatus(models.TextChoices):
    """Where an opportunity is between drafting and closing."""

    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


class WagePeriod(models.TextChoices):
    """The period a wage amount is paid for."""

    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    TASK = "task", _("per task or project")


class Importance(models.IntegerChoices):
    """How much a required skill weighs in an opportunity."""

    NICE = 1, _("Nice to have")
    USEFUL = 2, _("Useful")
    IMPORTANT = 3, _("Important")
    ESSENTIAL = 4, _("Essential")


class ApplicationStatus(models.TextChoices):
    """Steps of the hiring pipeline; they are taken in order (see services.TRANSITIONS)."""

    APPLIED = "applied", _("Applied")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    INTERVIEW = "interview", _("Invited to interview")
    OFFERED = "offered", _("Offered")
    HIRED = "hired", _("Hired or placed")
    NOT_SELECTED = "not_selected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION_STATUSES = frozenset(
    {
        ApplicationStatus.APPLIED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.INTERVIEW,
        ApplicationStatus.OFFERED,
    }
)


class NotSelectedReason(models.TextChoices):
    """Why an employer did not select a candidate (shown to the candidate)."""

    SKILLS = "skills", _("Skills did not match the role")
    EXPERIENCE = "experience", _("More experience was needed")
    POSITION_FILLED = "filled", _("The positions were filled")
    NO_SHOW = "no_show", _("Did not come to the interview")
    DECLINED = "declined", _("Declined the offer")
    OTHER = "other", _("Other reason")


class VerificationStatus(models.TextChoices):
    """Where an employer is in staff verification."""

    UNVERIFIED = "unverified", _("Not verified")
    PENDING = "pending", _("Documents sent, waiting for staff")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Verification refused")


class ReportReason(models.TextChoices):
    """Why someone reports an offer."""

    FEES = "fees", _("Asks for money or fees")
    DOCUMENTS = "documents", _("Keeps passports or documents")
    UNPAID = "unpaid", _("Unpaid or underpaid work")
    FAKE = "fake", _("Fake or misleading offer")
    ABUSE = "abuse", _("Harassment or abuse")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    """Where a report is in staff review."""

    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class WorkRightsListKind(models.TextChoices):
    """The two kinds of Ministry of Labour lists."""

    OCCUPATIONS = "occupations", _("Occupations closed to non-Jordanians")
    CRAFTS = "crafts", _("Crafts closed to non-Jordanians")


class PermitRouteKind(models.TextChoices):
    """Ways a non-Jordanian may lawfully work in an opportunity."""

    FLEXIBLE_UNION = "flexible_union", _("Flexible permit through the trade-union federation")
    FLEXIBLE_COOPERATIVE = "flexible_coop", _("Flexible permit through agricultural cooperatives")
    SYRIAN_SECTOR = "syrian_sector", _("Work permit in a sector open to Syrians")
    SKILLED = "skilled", _("Permit for skilled professionals")


class RetentionMonth(models.IntegerChoices):
    """When a placement is checked after its start."""

    ONE = 1, _("After 1 month")
    THREE = 3, _("After 3 months")
    SIX = 6, _("After 6 months")
