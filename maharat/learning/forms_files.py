"""Forms of learning for files: hand in an assignment, grade it, attach a file to a module."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from maharat.learning.models_files import AttachmentKind


class SubmissionForm(forms.Form):
    """A learner picks the file of their assignment."""

    file = forms.FileField(
        label=_("Your file"),
        help_text=_("PDF, Word (DOCX), OpenDocument (ODT), text, JPG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt,.txt,.jpg,.jpeg,.png"}),
    )


class GradeForm(forms.Form):
    """The trainer's grade of one handed-in assignment."""

    score = forms.IntegerField(label=_("Score (%)"), min_value=0, max_value=100)
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Passed")), ("0", _("Not yet passed"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(label=_("Feedback to the learner"), widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    """The provider attaches an image, a file to download or a video file to a module."""

    kind = forms.ChoiceField(label=_("kind"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File"))
    title_en = forms.CharField(
        label=_("English description"),
        max_length=300,
        required=False,
        help_text=_("For an image: what it shows, read aloud."),
    )
    title_ar = forms.CharField(
        label=_("Arabic description"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl"}),
    )
