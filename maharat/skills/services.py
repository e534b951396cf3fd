"""Writes to people's skills: add, change, remove, and merge when two records are merged."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.skills.models import Evidence, PersonSkill, Skill


def _check(proficiency: int, evidence: str) -> None:
    if proficiency not in (1, 2, 3, 4):
        raise DomainError(_("Proficiency must be between 1 and 4."))
    if evidence not in Evidence.values:
        raise DomainError(_("Unknown kind of evidence."))


@transaction.atomic
def person_skill_set(
    *,
    actor: Any,
    person: Any,
    skill: Skill,
    proficiency: int,
    evidence: str = Evidence.SELF_DECLARED,
    source: str = "",
) -> PersonSkill:
    """Add a skill to a person or change its level; audited as a change to the person."""
    _check(proficiency, evidence)
    if evidence != Evidence.SELF_DECLARED and not source.strip():
        raise DomainError(_("Say where assessed or certified evidence comes from."))
    item, created = PersonSkill.objects.get_or_create(
        person=person,
        skill=skill,
        defaults={"proficiency": proficiency, "evidence": evidence, "source": source[:200]},
    )
    changed = ["proficiency", "evidence", "source"] if created else []
    if not created:
        for field, value in (("proficiency", proficiency), ("evidence", evidence), ("source", source[:200])):
            if getattr(item, field) != value:
                setattr(item, field, value)
                changed.append(field)
        if changed:
            item.save(update_fields=[*changed, "updated_at"])
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.CHANGE,
            subject=item,
            person_id=person.pk,
            fields=changed,
            detail={"skill": skill.code},
        )
    return item


@transaction.atomic
def person_skill_remove(*, actor: Any, item: PersonSkill) -> None:
    """Remove a skill from a person."""
    person_id, code = item.person_id, item.skill.code
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        subject=item,
        person_id=person_id,
        fields=["skill"],
        detail={"skill": code},
    )
    item.delete()


def person_skills_merge(*, keep: Any, drop: Any) -> None:
    """Move skills of a merged record to the kept one, keeping the stronger level and evidence."""
    kept = {ps.skill_id: ps for ps in PersonSkill.objects.filter(person=keep)}
    rank: dict[str, int] = {Evidence.SELF_DECLARED: 0, Evidence.ASSESSED: 1, Evidence.CERTIFIED: 2}
    for item in PersonSkill.objects.filter(person=drop):
        existing = kept.get(item.skill_id)
        if existing is None:
            item.person = keep
            item.save(update_fields=["person", "updated_at"])
            continue
        if (rank[item.evidence], item.proficiency) > (rank[existing.evidence], existing.proficiency):
            existing.proficiency, existing.evidence, existing.source = (
                item.proficiency,
                item.evidence,
                item.source,
            )
            existing.save(update_fields=["proficiency", "evidence", "source", "updated_at"])
        item.delete()
