"""Forms of the registry: self-registration, profile, staff registration and the list filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from maharat.core.models import Governorate
from maharat.core.phones import normalize_phone
from maharat.people.access import IDENTIFIER_FIELDS
from maharat.people.choices import (
    ConsentPurpose,
    Language,
    LegalStatus,
    Sex,
)
from maharat.people.models import WG_FIELDS, Person
from maharat.people.selectors import AGE_GROUPS
from maharat.people.services import EDITABLE_FIELDS

# Staff edit every registry field; a person edits all but identity documents (changed by staff, audited).
STAFF_FIELDS = list(EDITABLE_FIELDS)
PROFILE_FIELDS = [f for f in EDITABLE_FIELDS if f not in IDENTIFIER_FIELDS]
WG_QUESTION = {
    "wg_seeing": _("Do you have difficulty seeing, even if wearing glasses?"),
    "wg_hearing": _("Do you have difficulty hearing, even if using a hearing aid?"),
    "wg_walking": _("Do you have difficulty walking or climbing steps?"),
    "wg_cognition": _("Do you have difficulty remembering or concentrating?"),
    "wg_selfcare": _("Do you have difficulty with self-care, such as washing all over or dressing?"),
    "wg_communication": _(
        "Using your usual language, do you have difficulty communicating, for example understanding or being "
        "understood?"
    ),
}


class PersonForm(forms.ModelForm):
    """A person's record as staff or the person edit it; services do the final checks."""

    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Year-month-day"),
    )

    required_css_class = "required"

    class Meta:
        model = Person
        fields = STAFF_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in WG_FIELDS:
            if field in self.fields:
                self.fields[field].label = WG_QUESTION[field]
                self.fields[field].required = False
                self.fields[field].help_text = _("Answering is voluntary.")
        if "governorate" in self.fields:
            self.fields["governorate"].queryset = Governorate.objects.all()  # type: ignore[attr-defined]
        if "phone" in self.fields:
            self.fields["phone"].help_text = _("Mobile number, for example 079 123 4567.")
            self.fields["phone"].required = False

    def clean_phone(self) -> str | None:
        raw = self.cleaned_data.get("phone")
        return normalize_phone(raw) if raw else None

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service, which names the existing record."""

    def _post_clean(self) -> None:
        # The service validates the model; the form only parses input.
        pass


class ProfileForm(PersonForm):
    """What a beneficiary may change about themself (identity documents are changed by staff)."""

    class Meta(PersonForm.Meta):
        fields = [f for f in PROFILE_FIELDS if f != "phone"]


class SignupForm(PersonForm):
    """Self-registration with a phone number, a password and consent."""

    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        strip=False,
        help_text=_("At least 8 characters, not only numbers."),
    )
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)
    consent_registration = forms.BooleanField(
        label=_("I agree that the programme records my data to register me and offer me its services."),
        required=True,
        error_messages={"required": _("You must agree to registration to create an account.")},
    )
    consent_messaging = forms.BooleanField(label=_("I agree to receive text messages."), required=False)
    consent_matching = forms.BooleanField(
        label=_("Employers may see my profile and skills when they look for candidates."), required=False
    )
    consent_research = forms.BooleanField(
        label=_("My data may be used without my name for research on what works."), required=False
    )

    class Meta(PersonForm.Meta):
        fields = [f for f in PROFILE_FIELDS if f not in ("preferred_language",)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are different."))
        elif p1:
            try:
                validate_password(p1)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def consent_purposes(self) -> list[str]:
        """The purposes the person ticked."""
        purposes: list[str] = [ConsentPurpose.REGISTRATION]
        for name, purpose in (
            ("consent_messaging", ConsentPurpose.MESSAGING),
            ("consent_matching", ConsentPurpose.MATCHING),
            ("consent_research", ConsentPurpose.RESEARCH),
        ):
            if self.cleaned_data.get(name):
                purposes.append(purpose)
        return purposes


class StaffRegisterForm(PersonForm):
    """Staff register a person on behalf of their organization, with the consent the person gave."""

    consent_channel = forms.ChoiceField(
        label=_("How did the person give consent?"),
        choices=[("paper", _("Signed paper form")), ("verbal", _("Verbal, recorded by staff"))],
    )
    consent_confirmed = forms.BooleanField(
        label=_("The person agreed to be registered and to share their record with our organization."),
        required=True,
        error_messages={"required": _("Register a person only after they have given consent.")},
    )
    consent_messaging = forms.BooleanField(label=_("They agreed to receive text messages."), required=False)
    consent_research = forms.BooleanField(
        label=_("They agreed to anonymized use in research."), required=False
    )

    def consent_purposes(self) -> list[str]:
        """The purposes the person agreed to."""
        purposes: list[str] = [ConsentPurpose.REGISTRATION]
        if self.cleaned_data.get("consent_messaging"):
            purposes.append(ConsentPurpose.MESSAGING)
        if self.cleaned_data.get("consent_research"):
            purposes.append(ConsentPurpose.RESEARCH)
        return purposes


class PersonFilterForm(forms.Form):
    """Filters of the staff people list."""

    q = forms.CharField(label=_("Name or phone"), required=False, max_length=100)
    governorate = forms.ChoiceField(label=_("Governorate"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("Any")), *Sex.choices])
    age_group = forms.ChoiceField(
        label=_("Age group"), required=False, choices=[("", _("Any")), *[(g, g) for g in AGE_GROUPS]]
    )
    legal_status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *LegalStatus.choices]
    )
    disability = forms.ChoiceField(
        label=_("Disability"),
        required=False,
        choices=[("", _("Any")), ("yes", _("With a disability")), ("no", _("Without a disability"))],
    )
    organization = forms.TypedChoiceField(
        label=_("Registered by"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, organizations: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["governorate"].choices = [("", _("Any"))] + [  # type: ignore[attr-defined]
            (g.code, g.label) for g in Governorate.objects.all()
        ]
        self.fields["organization"].choices = [("", _("Any")), *(organizations or [])]  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    """A reason, required for merges and deletions."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
