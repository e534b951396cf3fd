"""Matching tables: runs of the engine (resumable by chunks) and the recommendations they stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel
from maharat.opportunities.models import Opportunity
from maharat.people.models import Person


class RunKind(models.TextChoices):
    """What a run computes."""

    ALL = "all", _("Everyone")
    OPPORTUNITY = "opportunity", _("One opportunity")


class RunStatus(models.TextChoices):
    """Where a run is."""

    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped with an error")


class Side(models.TextChoices):
    """Whose list a recommendation belongs to."""

    PERSON = "person", _("Opportunities recommended to a person")
    OPPORTUNITY = "opportunity", _("Candidates ranked for an opportunity")


class ChunkPhase(models.TextChoices):
    """The two passes of a full run: people's lists, then opportunities' candidate lists."""

    PEOPLE = "people", _("People")
    OPPORTUNITIES = "opportunities", _("Opportunities")


class MatchRun(BaseModel):
    """One computation of recommendations, for everyone or for one opportunity, with its settings and progress."""

    kind = models.CharField(_("kind"), max_length=12, choices=RunKind.choices)
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_runs",
    )
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.PENDING)
    done = models.PositiveIntegerField(_("chunks done"), default=0)
    total = models.PositiveIntegerField(_("chunks in all"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    code_version = models.CharField(_("code version"), max_length=80, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        """How far the run is, in whole percent."""
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class MatchChunk(models.Model):
    """A slice of a run (a range of people or of opportunities); a restarted run skips the finished ones."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="chunks")
    phase = models.CharField(_("phase"), max_length=13, choices=ChunkPhase.choices)
    number = models.PositiveIntegerField(_("number"))
    first_id = models.BigIntegerField(_("first id"))
    last_id = models.BigIntegerField(_("last id"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    stored = models.PositiveIntegerField(_("recommendations stored"), default=0)

    class Meta:
        ordering = ["run", "phase", "number"]
        verbose_name = _("matching chunk")
        verbose_name_plural = _("matching chunks")
        constraints = [
            models.UniqueConstraint(fields=["run", "phase", "number"], name="match_chunk_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.phase}/{self.number}"


class Recommendation(models.Model):
    """One (person, opportunity) pair in a ranked list, with its score split into terms and the skills behind it."""

    run = models.ForeignKey(
        MatchRun, verbose_name=_("run"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(_("list"), max_length=11, choices=Side.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="recommendations"
    )
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="recommendations"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    units = models.BigIntegerField(_("score in engine units"))
    terms = models.JSONField(_("score by term"), default=dict)
    matched = models.JSONField(_("skills met"), default=list, blank=True)
    missing = models.JSONField(_("skills missing"), default=list, blank=True)
    reasons = models.JSONField(_("eligibility notes"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        ordering = ["side", "rank"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["side", "person", "opportunity"], name="recommendation_unique_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "side", "rank"], name="recommendation_person_idx"),
            models.Index(fields=["opportunity", "side", "rank"], name="recommendation_opp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.side} #{self.person_id} ↔ {self.opportunity_id} ({self.rank})"
