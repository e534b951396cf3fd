"""Skill pages: a beneficiary records their skills, finding them with the bilingual search."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maharat.core.errors import DomainError
from maharat.people.models import Person
from maharat.skills import services
from maharat.skills.models import PersonSkill, Proficiency, Skill
from maharat.skills.selectors import person_skills, skill_search


class AddSkillForm(forms.Form):
    """Add a skill at a level."""

    skill = forms.ModelChoiceField(queryset=Skill.objects.all(), widget=forms.HiddenInput)
    proficiency = forms.TypedChoiceField(label=gettext_lazy("Level"), choices=Proficiency.choices, coerce=int)


def _own_person(request: HttpRequest) -> Person:
    person = Person.objects.active().filter(user_id=request.user.pk or 0).first()
    if person is None:
        raise PermissionDenied
    return person


@login_required
def my_skills(request: HttpRequest) -> HttpResponse:
    """List my skills, search the taxonomy and add or remove skills."""
    person = _own_person(request)
    query = request.GET.get("q", "").strip()[:100]
    results = skill_search(query, limit=10) if query else []
    held = set(person_skills(person).values_list("skill_id", flat=True))
    context = {
        "items": person_skills(person),
        "query": query,
        "results": [s for s in results if s.pk not in held],
        "levels": Proficiency.choices,
    }
    return render(request, "skills/my_skills.html", context)


@login_required
@require_POST
def my_skill_add(request: HttpRequest) -> HttpResponse:
    """Add a skill to my profile or change its level."""
    person = _own_person(request)
    form = AddSkillForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a skill and a level."))
        return redirect("skills:my_skills")
    try:
        services.person_skill_set(
            actor=request.user,
            person=person,
            skill=form.cleaned_data["skill"],
            proficiency=form.cleaned_data["proficiency"],
        )
    except DomainError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Skill saved."))
    return redirect("skills:my_skills")


@login_required
@require_POST
def my_skill_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a skill from my profile."""
    person = _own_person(request)
    item = get_object_or_404(PersonSkill, pk=pk, person=person)
    services.person_skill_remove(actor=request.user, item=item)
    messages.success(request, _("Skill removed."))
    return redirect("skills:my_skills")


def skill_search_json(request: HttpRequest) -> JsonResponse:
    """Typeahead: skills matching ``q`` in both languages (public taxonomy data, no personal data)."""
    query = request.GET.get("q", "").strip()[:100]
    skills = skill_search(query, limit=10) if query else []
    return JsonResponse(
        {
            "results": [
                {"id": s.pk, "code": s.code, "label": s.label, "en": s.label_en, "ar": s.label_ar}
                for s in skills
            ]
        }
    )
