"""Forms of learning: a course, one form per kind of module, a quiz question, a quiz answer sheet."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from maharat.learning.choices import ModuleKind, QuestionKind
from maharat.learning.models import Course, Module, Question
from maharat.programmes.models import Cohort
from maharat.skills.models import Skill

COMMON_MODULE_FIELDS = ["label_en", "label_ar", "required", "prerequisites"]
MODULE_FIELDS: dict[str, list[str]] = {
    ModuleKind.LESSON: ["body_en", "body_ar"],
    ModuleKind.VIDEO: ["video_url", "body_en", "body_ar"],
    ModuleKind.QUIZ: ["pass_mark", "attempts_allowed", "deadline"],
    ModuleKind.ASSIGNMENT: ["body_en", "body_ar", "deadline"],
    ModuleKind.WORKSHOP: ["starts_at", "duration_minutes", "meeting_url", "capacity"],
    ModuleKind.IN_PERSON: [
        "starts_at",
        "duration_minutes",
        "venue",
        "venue_accessible",
        "accessibility_notes",
        "capacity",
    ],
}
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CourseForm(forms.ModelForm):
    """What a provider says about a course."""

    class Meta:
        model = Course
        fields = [
            "provider",
            "label_en",
            "label_ar",
            "description_en",
            "description_ar",
            "track",
            "level",
            "duration_hours",
            "delivery_mode",
            "skills_taught",
            "skills_required",
            "capacity",
            "self_enrolment",
            "attendance_share",
        ]
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
            "description_ar": forms.Textarea(attrs={"rows": 3, "dir": "rtl"}),
            "label_en": forms.TextInput(attrs={"dir": "ltr"}),
            "label_ar": forms.TextInput(attrs={"dir": "rtl"}),
            "skills_taught": forms.SelectMultiple(attrs={"size": 6}),
            "skills_required": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider_field: Any = self.fields["provider"]
        provider_field.queryset = providers
        skills = Skill.objects.filter(curated=True).order_by("label_en")
        taught: Any = self.fields["skills_taught"]
        needed: Any = self.fields["skills_required"]
        taught.queryset = needed.queryset = skills
        taught.required = needed.required = False


# English text, links and Arabic text keep their own direction whatever the language of the page.
MODULE_WIDGETS: dict[str, Any] = {
    "body_en": forms.Textarea(attrs={"rows": 12, "dir": "ltr"}),
    "body_ar": forms.Textarea(attrs={"rows": 12, "dir": "rtl"}),
    "label_en": forms.TextInput(attrs={"dir": "ltr"}),
    "label_ar": forms.TextInput(attrs={"dir": "rtl"}),
    "video_url": forms.URLInput(attrs={"dir": "ltr"}),
    "meeting_url": forms.URLInput(attrs={"dir": "ltr"}),
    "starts_at": DATETIME,
    "deadline": DATETIME,
    "prerequisites": forms.CheckboxSelectMultiple,
}


class BaseModuleForm(forms.ModelForm):
    """Fields shared by every kind of module; prerequisites are limited to earlier modules of the course."""

    class Meta:
        model = Module
        fields = COMMON_MODULE_FIELDS

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        earlier = Module.objects.filter(course=course)
        if self.instance.pk:
            earlier = earlier.filter(position__lt=self.instance.position)
        prerequisites: Any = self.fields["prerequisites"]
        prerequisites.queryset = earlier
        prerequisites.required = False
        for name in ("starts_at", "deadline"):
            if name in self.fields:
                self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]


def _formfield(field: Any, **kwargs: Any) -> Any:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def module_form_class(kind: str) -> Any:
    """A form with the fields that matter for one kind of module."""
    fields = COMMON_MODULE_FIELDS[:2] + MODULE_FIELDS[kind] + COMMON_MODULE_FIELDS[2:]
    return forms.modelform_factory(
        Module, form=BaseModuleForm, fields=fields, widgets=MODULE_WIDGETS, formfield_callback=_formfield
    )


class QuestionForm(forms.Form):
    """A quiz question typed in one go: the question in both languages and its answers, one per line."""

    text_en = forms.CharField(
        label=_("English question"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    text_ar = forms.CharField(
        label=_("Arabic question"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl"}),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=QuestionKind.choices, initial=QuestionKind.SINGLE)
    choices = forms.CharField(
        label=_("Answers"),
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text=_("One per line as “English | Arabic”; start each correct answer with *."),
    )


class CohortForm(forms.Form):
    """Pick a programme cohort to enrol in a course."""

    cohort = forms.ModelChoiceField(label=_("Programme cohort"), queryset=Cohort.objects.none())

    def __init__(self, *args: Any, cohorts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["cohort"]
        field.queryset = cohorts


class QuizForm(forms.Form):
    """A quiz as an answer sheet: radio buttons for single choice, check boxes for multiple choice."""

    submission_id = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_id"] = uuid.uuid4().hex
        for question in questions:
            options = [(c.pk, c.label) for c in question.choices.all()]
            name = f"q{question.pk}"
            if question.kind == QuestionKind.MULTIPLE:
                self.fields[name] = forms.TypedMultipleChoiceField(
                    label=question.text, choices=options, coerce=int, widget=forms.CheckboxSelectMultiple
                )
            else:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text, choices=options, coerce=int, widget=forms.RadioSelect
                )
        self.questions = questions

    def answers(self) -> dict[int, list[int]]:
        """Chosen answers by question id."""
        result: dict[int, list[int]] = {}
        for question in self.questions:
            value: Any = self.cleaned_data.get(f"q{question.pk}")
            result[question.pk] = list(value) if isinstance(value, list) else [int(value)]
        return result
