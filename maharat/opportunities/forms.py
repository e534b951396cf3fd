"""Forms of the opportunity pages: offers, search, applying, reports, the pipeline, moderation, follow-ups."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from maharat.core.models import Governorate
from maharat.opportunities.choices import (
    ApplicationStatus,
    Importance,
    NotSelectedReason,
    OpportunityKind,
    ReportReason,
)
from maharat.opportunities.models import Opportunity
from maharat.people.choices import WG_DOMAINS, Language
from maharat.skills.choices import IsicSection
from maharat.skills.models import Occupation, Skill

CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "checks"})
DATE = forms.DateInput(attrs={"type": "date"})
SKILL_ROWS = 5


class SkillField(forms.CharField):
    """A skill typed by its Arabic or English label or its code (the page offers the curated labels)."""

    def clean(self, value: Any) -> Skill | None:  # type: ignore[override]
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        skill = (
            Skill.objects.filter(Q(code__iexact=text) | Q(label_en__iexact=text) | Q(label_ar=text))
            .order_by("-curated", "id")
            .first()
        )
        if skill is None:
            raise forms.ValidationError(_("No skill is called “%(name)s”.") % {"name": text[:80]})
        return skill


def skill_options() -> list[str]:
    """Labels of the curated skills in the active language, for the page's suggestion list."""
    return [
        skill.label
        for skill in Skill.objects.filter(curated=True).only("label_en", "label_ar").order_by("label_en")
    ]


class OpportunityForm(forms.ModelForm):
    """An offer: what, where, pay, dates, who it is open to, and up to five required skills."""

    languages = forms.MultipleChoiceField(
        choices=Language.choices, label=_("languages required"), required=False, widget=CHECKS
    )
    accommodations = forms.MultipleChoiceField(
        choices=WG_DOMAINS, label=_("accommodations offered"), required=False, widget=CHECKS
    )

    class Meta:
        model = Opportunity
        fields = [
            "kind",
            "title_ar",
            "title_en",
            "description_ar",
            "description_en",
            "sector",
            "occupation",
            "governorate",
            "locality",
            "remote",
            "foreign_client",
            "wage_amount",
            "wage_period",
            "hours_per_week",
            "seats",
            "start_date",
            "closing_date",
            "duration_weeks",
            "supervisor_name",
            "languages",
            "min_education",
            "accessible",
            "accommodations",
            "open_to_non_jordanians",
        ]
        widgets = {
            "start_date": DATE,
            "closing_date": DATE,
            "description_ar": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = Occupation.objects.filter(kind=Occupation.Kind.ISCO_GROUP)  # type: ignore[attr-defined]
        existing = list(self.instance.required_skills.select_related("skill")) if self.instance.pk else []
        for i in range(SKILL_ROWS):
            row = existing[i] if i < len(existing) else None
            self.fields[f"skill_{i}"] = SkillField(
                required=False,
                label=capfirst(_("required skill")),
                initial=row.skill.label if row else None,
                widget=forms.TextInput(attrs={"list": "skill-options", "autocomplete": "off"}),
            )
            self.fields[f"importance_{i}"] = forms.TypedChoiceField(
                choices=Importance.choices,
                coerce=int,
                label=capfirst(_("importance")),
                initial=row.importance if row else Importance.IMPORTANT,
            )
            self.fields[f"level_{i}"] = forms.TypedChoiceField(
                choices=[(n, str(n)) for n in range(1, 5)],
                coerce=int,
                label=capfirst(_("minimum proficiency (1–4)")),
                initial=row.min_proficiency if row else 1,
            )

    def skill_rows(self) -> list[tuple[Any, int, int]]:
        """The chosen (skill, importance, minimum level) rows."""
        rows = []
        for i in range(SKILL_ROWS):
            skill = self.cleaned_data.get(f"skill_{i}")
            if skill is not None:
                rows.append((skill, self.cleaned_data[f"importance_{i}"], self.cleaned_data[f"level_{i}"]))
        return rows

    def skill_fields(self) -> list[tuple[Any, Any, Any]]:
        """Bound fields of the skill rows, for the template."""
        return [(self[f"skill_{i}"], self[f"importance_{i}"], self[f"level_{i}"]) for i in range(SKILL_ROWS)]

    def opportunity_data(self) -> dict[str, Any]:
        """Cleaned values of the offer's own fields."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SearchForm(forms.Form):
    """Filters of the opportunity list."""

    q = forms.CharField(label=_("words"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("any"))] + OpportunityKind.choices
    )
    governorate = forms.ModelChoiceField(
        label=_("governorate"), required=False, queryset=Governorate.objects.all(), empty_label=_("any")
    )
    sector = forms.ChoiceField(
        label=_("sector"), required=False, choices=[("", _("any"))] + IsicSection.choices
    )
    remote = forms.BooleanField(label=_("remote only"), required=False)
    open_to_me = forms.BooleanField(label=_("only offers open to me"), required=False)


class ApplyForm(forms.Form):
    """Apply with the profile, an optional note and an optional CV."""

    note = forms.CharField(
        label=_("message to the employer (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cv = forms.FileField(label=_("CV (PDF or Word .docx, optional)"), required=False)


class ReportForm(forms.Form):
    """Report an offer to the moderators."""

    reason = forms.ChoiceField(label=_("reason"), choices=ReportReason.choices)
    text = forms.CharField(
        label=_("what happened"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MoveForm(forms.Form):
    """Move an application to the next step of the pipeline."""

    to_status = forms.ChoiceField(
        label=_("new status"),
        choices=[c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.APPLIED],
    )
    interview_at = forms.DateTimeField(
        label=_("interview date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    interview_place = forms.CharField(label=_("interview place or link"), required=False, max_length=300)
    not_selected_reason = forms.ChoiceField(
        label=_("reason not selected"), required=False, choices=[("", "—"), *NotSelectedReason.choices]
    )
    start_date = forms.DateField(label=_("start date"), required=False, widget=DATE)
    wage_amount = forms.DecimalField(label=_("wage agreed (JOD)"), required=False, min_value=0, max_digits=10)
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class DecisionForm(forms.Form):
    """Approve or reject, with a note."""

    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class ResolveForm(forms.Form):
    """Resolve a report."""

    note = forms.CharField(label=_("what was done"), max_length=500)
    close_offer = forms.BooleanField(label=_("close the offer too"), required=False)


class DocumentForm(forms.Form):
    """An employer's registration document and facts staff check."""

    document = forms.FileField(label=_("registration document (PDF, PNG or JPEG)"))
    registration_number = forms.CharField(
        label=_("commercial registration number"), required=False, max_length=40
    )
    insured_workers = forms.IntegerField(label=_("insured workers"), required=False, min_value=0)


class RetentionForm(forms.Form):
    """A follow-up of a placement."""

    still_employed = forms.TypedChoiceField(
        label=_("still employed"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    earnings_amount = forms.DecimalField(
        label=_("earnings reported (JOD per month)"), required=False, min_value=0, max_digits=10
    )
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class MessageForm(forms.Form):
    """A text message to a candidate."""

    text = forms.CharField(label=_("message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


# Labels are written in lower case above (they read as phrases in sentences elsewhere); shown on a form they start
# with a capital letter, like the labels Django derives from model fields.
for _form in (
    SearchForm,
    ApplyForm,
    ReportForm,
    MoveForm,
    DecisionForm,
    ResolveForm,
    DocumentForm,
    RetentionForm,
    MessageForm,
    OpportunityForm,
):
    for _field in _form.base_fields.values():
        if _field.label:
            _field.label = capfirst(_field.label)
