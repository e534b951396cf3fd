"""Forms of the programme pages: programmes, calls and their rules, applications and selection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from maharat.people.choices import EducationLevel, EmploymentStatus, LegalStatus, OrganizationKind, Sex
from maharat.people.models import Organization
from maharat.programmes.choices import ApplyChannel, Component, Group, QuestionKind
from maharat.programmes.models import Call, Cap, PriorityCriterion, Programme, Question, Quota

CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "checks"})


def _multi(choices: Any, label: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, label=label, required=False, widget=CHECKS, help_text=help_text
    )


class ProgrammeForm(forms.ModelForm):
    """A programme: owner, donor, dates, target groups, components and the governorates it serves."""

    target_groups = _multi(Group.choices, _("target groups"))
    components = _multi(Component.choices, _("components"))

    class Meta:
        model = Programme
        fields = [
            "owner",
            "donor",
            "slug",
            "label_ar",
            "label_en",
            "description_ar",
            "description_en",
            "starts_on",
            "ends_on",
            "target_groups",
            "components",
            "governorates",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "governorates": CHECKS,
            "description_ar": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["donor"].queryset = Organization.objects.filter(kind=OrganizationKind.DONOR)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The programme must end after it starts."))
        return data


class CallForm(forms.ModelForm):
    """A call: dates, seats, ways to apply, control group and eligibility rules."""

    channels = _multi(ApplyChannel.choices, _("ways to apply"), _("None ticked: every way."))
    sexes = _multi(Sex.choices, _("sexes"), _("None ticked: anyone."))
    legal_statuses = _multi(LegalStatus.choices, _("legal statuses"), _("None ticked: anyone."))
    education_levels = _multi(EducationLevel.choices, _("education levels"), _("None ticked: anyone."))
    employment_statuses = _multi(
        EmploymentStatus.choices, _("employment statuses"), _("None ticked: anyone.")
    )
    control_percent = forms.DecimalField(
        label=_("control group, as a percentage of the selected pool"),
        min_value=Decimal("0"),
        max_value=Decimal("50"),
        decimal_places=1,
        required=False,
        help_text=_("For an evaluation; 0 for none."),
    )

    class Meta:
        model = Call
        fields = [
            "code",
            "label_ar",
            "label_en",
            "description_ar",
            "description_en",
            "status",
            "opens_on",
            "closes_on",
            "seats",
            "channels",
            "min_age",
            "max_age",
            "sexes",
            "eligible_governorates",
            "legal_statuses",
            "education_levels",
            "employment_statuses",
            "disability",
            "previous_participation",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
            "eligible_governorates": CHECKS,
            "description_ar": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["eligible_governorates"].help_text = _("None ticked: every governorate.")
        if self.instance.pk:
            self.fields["control_percent"].initial = self.instance.control_share * 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The call must close after it opens."))
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error("max_age", _("The maximum age must not be below the minimum age."))
        return data

    def save(self, commit: bool = True) -> Call:
        self.instance.control_share = (self.cleaned_data.get("control_percent") or Decimal("0")) / 100
        return super().save(commit=commit)


class _ListField(forms.CharField):
    """Comma-separated codes, stored as a list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(str(v) for v in value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.replace("،", ",").split(",") if part.strip()]


class _OptionsField(forms.CharField):
    """Choice options, one per line: code | English | Arabic."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(" | ".join(str(part) for part in option) for option in value)
        return value

    def to_python(self, value: Any) -> list[list[str]]:  # type: ignore[override]
        text = super().to_python(value) or ""
        options = []
        for line in text.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if not parts[0]:
                continue
            while len(parts) < 3:
                parts.append(parts[-1])
            options.append(parts[:3])
        return options


class QuestionForm(forms.ModelForm):
    """A custom question of a call."""

    options = _OptionsField(
        label=_("options"),
        required=False,
        help_text=_("For a choice, one per line: code | English | Arabic."),
    )
    eligible_answers = _ListField(
        label=_("answers that make a person eligible"),
        required=False,
        help_text=_("Codes separated by commas (yes or no for a yes-or-no question); empty: any answer."),
    )

    class Meta:
        model = Question
        fields = [
            "code",
            "label_ar",
            "label_en",
            "kind",
            "options",
            "required",
            "eligible_answers",
            "min_value",
            "max_value",
            "position",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == QuestionKind.CHOICE and not data.get("options") and not data.get("DELETE"):
            self.add_error("options", _("A choice question needs options."))
        return data


class CriterionForm(forms.ModelForm):
    """One priority criterion with its points."""

    answers = _ListField(label=_("answers that earn the points"), required=False)

    class Meta:
        model = PriorityCriterion
        fields = ["criterion", "points", "question", "answers", "threshold"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_question = data.get("criterion") in ("answer", "below")
        if needs_question and not data.get("question") and not data.get("DELETE"):
            self.add_error("question", _("This criterion needs a question."))
        if data.get("criterion") == "below" and data.get("threshold") is None and not data.get("DELETE"):
            self.add_error("threshold", _("Give the threshold."))
        return data


class QuotaForm(forms.ModelForm):
    """A minimum share of the cohort for a group, and reserved seats."""

    min_percent = forms.DecimalField(
        label=_("minimum share, in percent"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=1,
    )

    class Meta:
        model = Quota
        fields = ["group", "min_percent", "reserved_seats"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["min_percent"].initial = self.instance.min_share * 100

    def save(self, commit: bool = True) -> Quota:
        self.instance.min_share = self.cleaned_data["min_percent"] / 100
        return super().save(commit=commit)


class CapForm(forms.ModelForm):
    """A maximum per governorate or organization."""

    max_percent = forms.DecimalField(
        label=_("at most, as a percentage of the cohort"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=1,
        required=False,
    )

    class Meta:
        model = Cap
        fields = ["attribute", "value", "max_count", "max_percent"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].help_text = _(
            "A governorate code (AM, IR, MA, …) or an organization's short name; empty: each one."
        )
        if self.instance.pk and self.instance.max_share is not None:
            self.fields["max_percent"].initial = self.instance.max_share * 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = (data.get("value") or "").strip()
        if value and data.get("attribute") == "governorate":
            from maharat.core.models import Governorate

            if not Governorate.objects.filter(code=value.upper()).exists():
                self.add_error("value", _("No governorate has this code."))
            data["value"] = value.upper()
        elif (
            value
            and data.get("attribute") == "organization"
            and not Organization.objects.filter(slug=value).exists()
        ):
            self.add_error("value", _("No organization has this short name."))
        if data.get("max_count") is None and data.get("max_percent") is None and not data.get("DELETE"):
            self.add_error("max_count", _("Give a number of people or a share."))
        return data

    def save(self, commit: bool = True) -> Cap:
        percent = self.cleaned_data.get("max_percent")
        self.instance.max_share = None if percent is None else percent / 100
        return super().save(commit=commit)


QuestionFormSet = inlineformset_factory(Call, Question, form=QuestionForm, extra=1, can_delete=True)
CriterionFormSet = inlineformset_factory(
    Call, PriorityCriterion, form=CriterionForm, extra=1, can_delete=True
)
QuotaFormSet = inlineformset_factory(Call, Quota, form=QuotaForm, extra=1, can_delete=True)
CapFormSet = inlineformset_factory(Call, Cap, form=CapForm, extra=1, can_delete=True)


class AnswersForm(forms.Form):
    """The call's custom questions, and the consent to share the record with the programme."""

    def __init__(self, *args: Any, call: Call, consent_label: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # questions end with their own question mark
        super().__init__(*args, **kwargs)
        for question in call.questions.all():
            field: forms.Field
            if question.kind == QuestionKind.YES_NO:
                field = forms.ChoiceField(
                    choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect
                )
            elif question.kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(
                    choices=[("", "—")] + [(o[0], question.option_label(o[0])) for o in question.options]
                )
            elif question.kind == QuestionKind.NUMBER:
                field = forms.DecimalField(max_digits=12, decimal_places=2)
            else:
                field = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
            field.label = question.label
            field.required = question.required
            self.fields[f"q_{question.code}"] = field
        self.fields["consent"] = forms.BooleanField(label=consent_label, required=True)

    def answers(self) -> dict[str, Any]:
        """Answers by question code."""
        return {
            name[2:]: ("" if value is None else str(value))
            for name, value in self.cleaned_data.items()
            if name.startswith("q_")
        }


class FindPersonForm(forms.Form):
    """Staff find the person they apply for: phone number or identity document number."""

    lookup = forms.CharField(
        label=_("Phone number or ID document number"),
        max_length=40,
        help_text=_("The person must be registered."),
    )


class SelectionForm(forms.Form):
    """Run a selection: an optional public lottery seed."""

    seed = forms.IntegerField(
        label=_("lottery seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_(
            "Optional. Draw it in public (for example, from dice) and announce it; empty: drawn at random."
        ),
    )


class ApplicationFilterForm(forms.Form):
    """Filters of the staff list of applications."""

    status = forms.ChoiceField(required=False, label=_("status"))
    eligible = forms.ChoiceField(
        required=False,
        label=_("eligible"),
        choices=[("", _("Any")), ("yes", _("Eligible")), ("no", _("Not eligible"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from maharat.programmes.choices import ApplicationStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *ApplicationStatus.choices]  # type: ignore[attr-defined]
