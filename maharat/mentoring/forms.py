"""Forms of mentoring: a mentor profile, a mentee request, the confirmation grid, sessions and feedback."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maharat.core.phones import try_normalize_phone
from maharat.learning.models import Course
from maharat.mentoring.choices import Language, MenteeGroup, Sector, SessionStatus, Weekday
from maharat.mentoring.models import MenteeRequest, MentorProfile, Session
from maharat.programmes.models import Cohort
from maharat.skills.models import Skill

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _skills() -> Any:
    return Skill.objects.filter(curated=True).order_by("label_en")


class MentorProfileForm(forms.ModelForm):
    """What a mentor offers: sectors, skills, languages, where, when and how many mentees."""

    sectors = forms.MultipleChoiceField(
        label=_("Sectors"), choices=Sector.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Usual days"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_groups = forms.MultipleChoiceField(
        label=_("Prefers mentees from"),
        choices=MenteeGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = MentorProfile
        fields = [
            "organization",
            "display_name",
            "sex",
            "bio",
            "sectors",
            "skills",
            "languages",
            "governorate",
            "remote",
            "availability",
            "weekdays",
            "hours_per_month",
            "capacity",
            "preferred_groups",
            "active",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organizations: Any, users: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field: Any = self.fields["organization"]
        org_field.queryset = organizations
        skills_field: Any = self.fields["skills"]
        skills_field.queryset = _skills()
        if users is not None:
            self.fields["user"] = forms.ModelChoiceField(
                label=_("Mentor's account"),
                queryset=users,
                help_text=_("A mentor or staff user without a profile."),
            )
            self.order_fields(["user"])


def mentor_candidates(org_ids: list[int] | None) -> Any:
    """Accounts staff may create a profile for: mentors and staff of their organizations, without a profile yet."""
    users = get_user_model().objects.filter(is_active=True, mentor_profile__isnull=True)
    if org_ids is None:
        return users.filter(memberships__active=True).distinct().order_by("username")
    return (
        users.filter(memberships__active=True, memberships__organization_id__in=org_ids)
        .distinct()
        .order_by("username")
    )


class MenteeRequestForm(forms.ModelForm):
    """A person's wish for a mentor, found by phone number among the people the officer may see."""

    phone = forms.CharField(label=_("Mentee's phone number"), max_length=20)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills wanted"),
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = MenteeRequest
        fields = [
            "organization",
            "cohort",
            "course",
            "goals",
            "sector",
            "skills",
            "language",
            "governorate",
            "remote_ok",
            "wants_female_mentor",
        ]
        widgets = {"goals": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organizations: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.order_fields(["phone"])
        org_field: Any = self.fields["organization"]
        org_field.queryset = organizations
        cohort_field: Any = self.fields["cohort"]
        cohort_field.queryset = Cohort.objects.filter(programme__owner__in=organizations).order_by("pk")
        course_field: Any = self.fields["course"]
        course_field.queryset = (
            Course.objects.filter(
                Q(provider__in=organizations) | Q(cohorts__programme__owner__in=organizations)
            )
            .distinct()
            .order_by("label_en")
        )
        skills_field: Any = self.fields["skills"]
        skills_field.queryset = _skills()
        self.fields["governorate"].help_text = _("Where the mentee can meet.")

    def clean_phone(self) -> str:
        phone = try_normalize_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("Enter a valid phone number."))
        person = self.people.filter(phone=phone).first()
        if person is None:
            raise forms.ValidationError(_("No person you may see has this phone number."))
        self.instance.person = person
        return phone


class ConfirmForm(forms.Form):
    """One select per open request: the suggested mentor preselected, another mentor, or none for now."""

    def __init__(
        self, *args: Any, rows: list[dict[str, Any]], mentors: list[MentorProfile], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("No mentor for now"))] + [
            (
                str(m.pk),
                _("%(name)s (%(free)s of %(capacity)s places free)")
                % {"name": m.display_name, "free": m.free_places, "capacity": m.capacity},
            )
            for m in mentors
        ]
        self.rows = rows
        for row in rows:
            request = row["request"]
            self.fields[f"r{request.pk}"] = forms.ChoiceField(
                label=request.person.display_name,
                choices=[o for o in options if not o[0] or int(o[0]) in row["mentor_ids"]],
                required=False,
                initial=str(row["suggested"].pk) if row["suggested"] else "",
            )

    def choices(self) -> list[tuple[int, int]]:
        """(request id, mentor id) for every request given a mentor."""
        picked = []
        for name, value in self.cleaned_data.items():
            if value:
                picked.append((int(name[1:]), int(value)))
        return picked


class SessionScheduleForm(forms.ModelForm):
    """When and where the next session takes place."""

    meeting_url = forms.URLField(label=_("Meeting link"), required=False, assume_scheme="https")

    class Meta:
        model = Session
        fields = ["starts_at", "duration_minutes", "mode", "meeting_url", "place"]
        widgets = {"starts_at": DATETIME}


class SessionRecordForm(forms.Form):
    """Whether a session was held, and the mentor's private notes."""

    status = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (SessionStatus.HELD, SessionStatus.HELD.label),
            (SessionStatus.MISSED, SessionStatus.MISSED.label),
            (SessionStatus.CANCELLED, SessionStatus.CANCELLED.label),
        ],
    )
    notes = forms.CharField(
        label=_("Private notes (never shown to the mentee)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackForm(forms.Form):
    """The mentee's rating of a held session."""

    rating = forms.TypedChoiceField(
        label=_("How useful was the session?"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MessageForm(forms.Form):
    """A short message from mentor to mentee, sent by the platform."""

    text = forms.CharField(label=_("Message"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class AlertWeeksForm(forms.Form):
    """How many weeks without a held session raise an alert."""

    weeks = forms.IntegerField(label=_("Weeks without a held session"), min_value=1, max_value=52, initial=3)
