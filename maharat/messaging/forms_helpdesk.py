"""Forms of the helpdesk, FAQ and survey pages."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from maharat.messaging.helpdesk import MAX_REPLY_CHARS
from maharat.messaging.models_conversations import FaqEntry, FaqTopic, Survey, TicketStatus


class ReplyForm(forms.Form):
    """A staff reply to a ticket; the nonce makes a form sent twice send one message."""

    text = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_REPLY_CHARS
    )
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("nonce", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    """Who works on a ticket."""

    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = users


class CloseForm(forms.Form):
    """The topic a closed ticket was about."""

    topic = forms.ChoiceField(label=_("Topic"), choices=FaqTopic.choices)


class InboxFilterForm(forms.Form):
    """Filters of the helpdesk inbox."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Not closed")), *TicketStatus.choices, ("all", _("All"))],
    )
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))],
    )


class FaqForm(forms.ModelForm):
    """An FAQ entry in both languages."""

    class Meta:
        model = FaqEntry
        fields = [
            "code",
            "topic",
            "question_en",
            "question_ar",
            "answer_en",
            "answer_ar",
            "keywords_en",
            "keywords_ar",
            "active",
        ]
        widgets = {
            "answer_en": forms.Textarea(attrs={"rows": 3}),
            "answer_ar": forms.Textarea(attrs={"rows": 3, "dir": "rtl"}),
            "question_ar": forms.TextInput(attrs={"dir": "rtl"}),
            "keywords_ar": forms.TextInput(attrs={"dir": "rtl"}),
        }


class SurveyForm(forms.ModelForm):
    """A three-question survey for one of the user's organizations."""

    class Meta:
        model = Survey
        fields = [
            "organization",
            "title",
            "question1_en",
            "question1_ar",
            "question2_en",
            "question2_ar",
            "question3_en",
            "question3_ar",
        ]

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - a foreign key field
        field.queryset = organizations


class SurveySendForm(forms.Form):
    """Whom to send a survey to: a person's record number."""

    person = forms.IntegerField(label=_("Record number of the person"), min_value=1)
