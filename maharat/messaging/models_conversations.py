"""Conversation tables: the FAQ knowledge base, SMS dialogues and surveys, and the helpdesk's tickets."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel
from maharat.messaging.models import Message
from maharat.messaging.parts import sms_parts
from maharat.people.models import Organization, Person

FAQ_MAX_PARTS = 2

__all__ = [
    "CannedReply",
    "Conversation",
    "ConversationState",
    "DialogueKind",
    "FaqEntry",
    "FaqTopic",
    "Survey",
    "SurveyResponse",
    "Ticket",
    "TicketStatus",
]


class FaqTopic(models.TextChoices):
    """What a question to the programme is about (FAQ entries and closed tickets)."""

    SOCIAL_SECURITY = "social_security", _("Social security")
    WORK_PERMITS = "work_permits", _("Work permits")
    REGISTRATION = "registration", _("Registration")
    PROGRAMMES = "programmes", _("Programmes and applications")
    LEARNING = "learning", _("Courses and workshops")
    JOBS = "jobs", _("Jobs and income")
    TECHNICAL = "technical", _("Phone or website problem")
    COMPLAINT = "complaint", _("Complaint or concern")
    OTHER = "other", _("Other")


class FaqEntry(BaseModel):
    """A question people often ask by text message, with a short answer in Arabic and English."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    topic = models.CharField(_("topic"), max_length=20, choices=FaqTopic.choices, default=FaqTopic.OTHER)
    question_en = models.CharField(_("English question"), max_length=300)
    question_ar = models.CharField(_("Arabic question"), max_length=300)
    answer_en = models.TextField(_("English answer"))
    answer_ar = models.TextField(_("Arabic answer"))
    keywords_en = models.CharField(
        _("English keywords"),
        max_length=300,
        blank=True,
        help_text=_("Words people use, separated by commas."),
    )
    keywords_ar = models.CharField(
        _("Arabic keywords"),
        max_length=300,
        blank=True,
        help_text=_("Words people use, separated by commas."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["topic", "code"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question_en or self.question_ar

    def clean(self) -> None:
        """Refuse answers longer than two text messages in either language."""
        errors = {}
        for field in ("answer_en", "answer_ar"):
            parts = sms_parts(getattr(self, field) or "")
            if parts > FAQ_MAX_PARTS:
                errors[field] = _(
                    "An answer must fit in %(max)d text messages; this one takes %(parts)d."
                ) % {
                    "max": FAQ_MAX_PARTS,
                    "parts": parts,
                }
        if errors:
            raise ValidationError(errors)

    def answer_for(self, language: str) -> str:
        """The answer in a language, falling back to the other one."""
        if (language or "ar").startswith("ar"):
            return self.answer_ar or self.answer_en
        return self.answer_en or self.answer_ar


class CannedReply(BaseModel):
    """A reply staff send often, written once in Arabic and English."""

    title = models.CharField(_("title"), max_length=100)
    text_en = models.TextField(_("English text"))
    text_ar = models.TextField(_("Arabic text"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title

    def text_for(self, language: str) -> str:
        """The text in a language, falling back to the other one."""
        if (language or "ar").startswith("ar"):
            return self.text_ar or self.text_en
        return self.text_en or self.text_ar


class Survey(BaseModel):
    """A three-question follow-up survey that staff send by text message and people answer one by one."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=150)
    question1_en = models.CharField(_("question 1 (English)"), max_length=300)
    question1_ar = models.CharField(_("question 1 (Arabic)"), max_length=300)
    question2_en = models.CharField(_("question 2 (English)"), max_length=300)
    question2_ar = models.CharField(_("question 2 (Arabic)"), max_length=300)
    question3_en = models.CharField(_("question 3 (English)"), max_length=300)
    question3_ar = models.CharField(_("question 3 (Arabic)"), max_length=300)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def questions(self, language: str) -> list[str]:
        """The three questions in a language, each falling back to the other language."""
        arabic = (language or "ar").startswith("ar")
        result = []
        for n in (1, 2, 3):
            en, ar = getattr(self, f"question{n}_en"), getattr(self, f"question{n}_ar")
            result.append((ar or en) if arabic else (en or ar))
        return result


class SurveyResponse(BaseModel):
    """One person's answers to a survey sent to them; complete when all three are in."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(_("answers"), default=list, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="survey_response_once")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.person_id}"

    def cells(self) -> list[str]:
        """The three answers, empty where none came yet."""
        given = [str(a) for a in (self.answers or [])][:3]
        return given + [""] * (3 - len(given))


class DialogueKind(models.TextChoices):
    """Which multi-step exchange a conversation is."""

    REGISTER = "register", _("Registration by text message")
    SURVEY = "survey", _("Follow-up survey")


class ConversationState(models.TextChoices):
    """Where a dialogue is: running, finished, cancelled by the person, or abandoned after its time-out."""

    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    ABANDONED = "abandoned", _("Timed out")


class Conversation(BaseModel):
    """A dialogue with one phone number: which questions were asked, the answers so far, and when it lapses."""

    phone = models.CharField(_("phone number"), max_length=20)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("dialogue"), max_length=10, choices=DialogueKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ConversationState.choices, default=ConversationState.ACTIVE
    )
    step = models.PositiveSmallIntegerField(_("step"), default=0)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=5, default="ar")
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    last_message = models.ForeignKey(
        Message,
        verbose_name=_("last message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=Q(state="active"), name="conversation_one_active_per_phone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.phone} · {self.kind} · {self.step}"


class TicketStatus(models.TextChoices):
    """Where a helpdesk ticket is: waiting for staff, waiting for the person, or closed."""

    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting for the person")
    CLOSED = "closed", _("Closed")


class Ticket(BaseModel):
    """A message nobody's keyword understood, and the thread of messages that follow, until staff close it."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField(_("phone number"), max_length=20)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Its staff answer the ticket; without one, only administrators see it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=20, choices=FaqTopic.choices, blank=True)
    language = models.CharField(_("language"), max_length=5, default="ar")
    messages = models.ManyToManyField(Message, verbose_name=_("messages"), related_name="tickets", blank=True)
    last_message_at = models.DateTimeField(_("last message at"))
    first_response_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(
        _("time to first response (seconds)"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [models.Index(fields=["phone", "status"], name="ticket_phone_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(status="closed"), name="ticket_one_open_per_phone"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.phone}"
