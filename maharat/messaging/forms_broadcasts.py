"""Forms of the staff broadcast pages: segments, broadcasts and RapidPro API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maharat.core.models import Governorate
from maharat.messaging.models import MessageTemplate
from maharat.messaging.models_api import Segment
from maharat.people.choices import LegalStatus, Nationality, Sex
from maharat.people.models import Organization


class OrganizationChoiceForm(forms.Form):
    """A form acting for one of the organizations the user works for."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations if organizations is not None else Organization.objects.none()  # type: ignore[attr-defined]
        if field.queryset.count() == 1:  # type: ignore[attr-defined]
            field.initial = field.queryset.first()  # type: ignore[attr-defined]


class SegmentForm(OrganizationChoiceForm):
    """A named filter on the registry."""

    name = forms.CharField(label=_("Name"), max_length=100)
    governorates = forms.MultipleChoiceField(
        label=_("Governorates"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("Any")), *Sex.choices])
    legal_statuses = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=LegalStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    nationalities = forms.MultipleChoiceField(
        label=_("Nationality"),
        required=False,
        choices=Nationality.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    age_min = forms.IntegerField(label=_("Lowest age"), required=False, min_value=0, max_value=120)
    age_max = forms.IntegerField(label=_("Highest age"), required=False, min_value=0, max_value=120)
    disability = forms.ChoiceField(
        label=_("Disability"),
        required=False,
        choices=[("", _("Any")), ("yes", _("With a disability")), ("no", _("Without a disability"))],
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any")), ("ar", _("Arabic")), ("en", _("English"))],
    )
    programme = forms.TypedChoiceField(label=_("Programme"), required=False, coerce=int, empty_value=None)
    cohort = forms.TypedChoiceField(label=_("Cohort"), required=False, coerce=int, empty_value=None)
    course = forms.TypedChoiceField(label=_("Course"), required=False, coerce=int, empty_value=None)
    skill = forms.CharField(label=_("Skill code"), required=False, max_length=80)

    FILTER_FIELDS = (
        "governorates",
        "sex",
        "legal_statuses",
        "nationalities",
        "age_min",
        "age_max",
        "disability",
        "language",
        "programme",
        "cohort",
        "course",
        "skill",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from maharat.learning.models import Course
        from maharat.programmes.models import Cohort, Programme

        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["governorates"].choices = [(g.code, g.label) for g in Governorate.objects.all()]  # type: ignore[attr-defined]
        self.fields["programme"].choices = any_choice + [(p.pk, p.label) for p in Programme.objects.all()]  # type: ignore[attr-defined]
        self.fields["cohort"].choices = any_choice + [(c.pk, c.label) for c in Cohort.objects.all()]  # type: ignore[attr-defined]
        self.fields["course"].choices = any_choice + [(c.pk, c.label) for c in Course.objects.all()]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The filter part of the cleaned data."""
        return {key: self.cleaned_data.get(key) for key in self.FILTER_FIELDS}


class BroadcastForm(OrganizationChoiceForm):
    """A broadcast to a saved segment, in Arabic and English or from a template, now or later."""

    segment = forms.ModelChoiceField(label=_("Send to"), queryset=Segment.objects.none())
    text_ar = forms.CharField(
        label=_("Arabic text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ar"}),
    )
    text_en = forms.CharField(
        label=_("English text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr", "lang": "en"}),
    )
    template = forms.ModelChoiceField(
        label=_("Or a message template"), required=False, queryset=MessageTemplate.objects.all()
    )
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty to send now. Messages wait for the end of quiet hours."),
    )

    def __init__(self, *args: Any, segments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments if segments is not None else Segment.objects.none()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text_ar") or data.get("text_en") or data.get("template")):
            raise forms.ValidationError(_("Write the message in Arabic or English, or choose a template."))
        segment, organization = data.get("segment"), data.get("organization")
        if segment is not None and organization is not None and segment.organization_id != organization.pk:
            self.add_error("segment", _("This segment belongs to another organization."))
        when = data.get("scheduled_at")
        if when is not None and when < timezone.now() - dt.timedelta(minutes=5):
            self.add_error("scheduled_at", _("This time has passed: leave it empty to send now."))
        return data


class TokenForm(OrganizationChoiceForm):
    """A new API token for an organization's RapidPro workspace."""

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("e.g. the RapidPro workspace using it")
    )
