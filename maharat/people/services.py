"""Writes to the registry: register, update, consent, merge, export, anonymize."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError, DuplicatePersonError
from maharat.core.models import AuditAction
from maharat.core.phones import normalize_phone
from maharat.people.choices import ConsentChannel, ConsentPurpose, DuplicateStatus, WGAnswer
from maharat.people.duplicates import HARD_FIELDS, find_hard_duplicate, find_similar, search_name_for
from maharat.people.models import WG_FIELDS, Consent, DeletionRequest, DuplicateFlag, Organization, Person

EDITABLE_FIELDS = (
    "given_name_ar",
    "family_name_ar",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "nationality",
    "legal_status",
    "national_id",
    "moi_card_number",
    "unhcr_case_number",
    "phone",
    "governorate",
    "locality",
    "household_role",
    "female_headed_household",
    *WG_FIELDS,
    "education_level",
    "employment_status",
    "languages",
    "preferred_language",
    "preferred_channel",
)
DUPLICATE_FIELD_MESSAGES = {
    "phone": gettext_lazy("phone number"),
    "national_id": gettext_lazy("national ID number"),
    "moi_card_number": gettext_lazy("MOI service card number"),
    "unhcr_case_number": gettext_lazy("UNHCR case number"),
}


def disability_from_wg(answers: Iterable[int | None]) -> bool:
    """Washington Group cut-off: a disability when any domain is 'a lot of difficulty' or 'cannot do at all'."""
    return any(answer is not None and answer >= WGAnswer.A_LOT for answer in answers)


def _normalize(values: Mapping[str, Any]) -> dict[str, Any]:
    data = {key: value for key, value in values.items() if key in EDITABLE_FIELDS}
    for field in ("national_id", "moi_card_number", "unhcr_case_number", "phone"):
        if field in data:
            raw = (data[field] or "").strip() if isinstance(data[field], str) else data[field]
            data[field] = raw or None
    for field in WG_FIELDS:
        if field in data:
            data[field] = _wg_value(field, data[field])
    if data.get("phone"):
        try:
            data["phone"] = normalize_phone(data["phone"])
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    for field in ("given_name_ar", "family_name_ar", "given_name_latin", "family_name_latin", "locality"):
        if field in data and isinstance(data[field], str):
            data[field] = " ".join(data[field].split())
    if "unhcr_case_number" in data and data["unhcr_case_number"]:
        data["unhcr_case_number"] = data["unhcr_case_number"].upper()
    return data


def _wg_value(field: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        answer = int(value)
    except (TypeError, ValueError):
        answer = 0
    if answer not in WGAnswer.values:
        raise ValidationError({field: _("Answer with 1 (no difficulty) to 4 (cannot do at all).")})
    return answer


def _refuse_hard_duplicate(values: Mapping[str, Any], exclude_id: int | None) -> None:
    hit = find_hard_duplicate({f: values.get(f) for f in HARD_FIELDS}, exclude_id=exclude_id)
    if hit is not None:
        raise DuplicatePersonError(
            _("A person with this %(field)s is already registered (record %(id)s).")
            % {"field": DUPLICATE_FIELD_MESSAGES[hit.field], "id": hit.person_id},
            existing_id=hit.person_id,
            field=hit.field,
        )


def _require_names(person: Person) -> None:
    if not (person.given_name_ar or person.given_name_latin):
        raise ValidationError({"given_name_ar": _("Enter a given name in Arabic or Latin script.")})


def _flag_similar(person: Person) -> list[DuplicateFlag]:
    flags = []
    for similar in find_similar(person):
        flag, _created = DuplicateFlag.objects.get_or_create(
            person=person,
            other_id=similar.person_id,
            defaults={"score": similar.score, "reason": "same date of birth, similar name"},
        )
        flags.append(flag)
    return flags


@transaction.atomic
def person_register(
    *,
    actor: Any,
    data: Mapping[str, Any],
    consent_purposes: Iterable[str],
    consent_channel: str,
    organization: Organization | None = None,
    reason: str = "",
    check_similar: bool = True,
) -> Person:
    """Register a person with their consent; refuse hard duplicates and flag similar names for review."""
    purposes = set(consent_purposes)
    if ConsentPurpose.REGISTRATION not in purposes:
        raise DomainError(_("The person must consent to registration before their data can be recorded."))
    values = _normalize(data)
    person = Person(registered_by=organization, **values)
    person.has_disability = disability_from_wg(person.wg_answers().values())
    person.search_name = search_name_for(person)
    _require_names(person)
    _refuse_hard_duplicate(values, exclude_id=None)
    person.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        # A concurrent registration took the phone or document between our check and the insert.
        _refuse_hard_duplicate(values, exclude_id=None)
        raise DomainError(_("This person could not be saved; please try again.")) from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=person,
        person_id=person.pk,
        fields=[f for f, v in values.items() if v not in (None, "", [])],
        reason=reason or "registration",
    )
    for purpose in sorted(purposes):
        consent_record(
            actor=actor,
            person=person,
            purpose=purpose,
            channel=consent_channel,
            organizations=[organization] if organization is not None else [],
        )
    if check_similar:
        _flag_similar(person)
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: Mapping[str, Any], reason: str = "") -> list[str]:
    """Change a person's record; returns the fields that changed (audited with the reason)."""
    values = _normalize(data)
    changed = []
    for field, value in values.items():
        current = getattr(person, f"{field}_id" if field == "governorate" else field)
        new = value.pk if field == "governorate" and value is not None else value
        if current != new:
            setattr(person, field, value)
            changed.append(field)
    if not changed:
        return []
    _require_names(person)
    _refuse_hard_duplicate({f: getattr(person, f) for f in HARD_FIELDS}, exclude_id=person.pk)
    person.has_disability = disability_from_wg(person.wg_answers().values())
    person.search_name = search_name_for(person)
    person.full_clean(validate_unique=False)
    person.save(update_fields=[*changed, "has_disability", "search_name", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=person,
        person_id=person.pk,
        fields=changed,
        reason=reason,
    )
    return changed


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    person: Person,
    purpose: str,
    channel: str,
    organizations: Iterable[Organization] = (),
    expires_at: dt.datetime | None = None,
) -> Consent:
    """Record that a person agreed to a purpose, for the named organizations."""
    if purpose not in ConsentPurpose.values:
        raise DomainError(_("Unknown consent purpose."))
    if channel not in ConsentChannel.values:
        raise DomainError(_("Unknown consent channel."))
    recorder = actor if getattr(actor, "is_authenticated", False) else None
    consent = Consent.objects.create(
        person=person, purpose=purpose, channel=channel, expires_at=expires_at, recorded_by=recorder
    )
    orgs = [org for org in organizations if org is not None]
    if orgs:
        consent.organizations.set(orgs)
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT,
        subject=consent,
        person_id=person.pk,
        fields=["purpose"],
        detail={"purpose": purpose, "channel": channel, "organizations": [o.pk for o in orgs]},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, reason: str = "") -> Consent:
    """Withdraw a consent from now on; the person is no longer processed for that purpose."""
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        subject=consent,
        person_id=consent.person_id,
        fields=["withdrawn_at"],
        reason=reason,
        detail={"purpose": consent.purpose},
    )
    return consent


def has_valid_consent(person: Person, purpose: str, organization: Organization | None = None) -> bool:
    """Whether the person may be processed for a purpose (and, if given, by an organization)."""
    from maharat.people.models import valid_consent_q

    consents = person.consents.filter(valid_consent_q(purpose))
    if organization is not None:
        consents = consents.filter(organizations=organization)
    return consents.exists()


def require_consent(person: Person, purpose: str, organization: Organization | None = None) -> None:
    """Refuse to process a person for a purpose they have not (or no longer) consented to."""
    if not has_valid_consent(person, purpose, organization):
        raise DomainError(
            _("%(name)s has not given valid consent for: %(purpose)s.")
            % {"name": person, "purpose": ConsentPurpose(purpose).label}
        )


@transaction.atomic
def person_merge(*, actor: Any, keep: Person, drop: Person, reason: str) -> Person:
    """Merge a duplicate record into the one kept; the dropped record stays as history, pointing to it."""
    if keep.pk == drop.pk:
        raise DomainError(_("A record cannot be merged with itself."))
    if drop.merged_into_id is not None or keep.merged_into_id is not None:
        raise DomainError(_("One of these records has already been merged."))
    if not reason.strip():
        raise DomainError(_("Give a reason for the merge."))
    filled = []
    for field in EDITABLE_FIELDS:
        if field in HARD_FIELDS:
            continue
        attr = f"{field}_id" if field == "governorate" else field
        if getattr(keep, attr) in (None, "", []) and getattr(drop, attr) not in (None, "", []):
            setattr(keep, attr, getattr(drop, attr))
            filled.append(field)
    moved_identifiers = {}
    for field in HARD_FIELDS:
        if getattr(keep, field) is None and getattr(drop, field) is not None:
            moved_identifiers[field] = getattr(drop, field)
            setattr(drop, field, None)
    drop.merged_into = keep
    drop.save(update_fields=[*moved_identifiers.keys(), "merged_into", "updated_at"])
    for field, value in moved_identifiers.items():
        setattr(keep, field, value)
        filled.append(field)
    if keep.user_id is None and drop.user_id is not None:
        keep.user_id, drop.user_id = drop.user_id, None
        drop.save(update_fields=["user", "updated_at"])
        filled.append("user")
    keep.has_disability = disability_from_wg(keep.wg_answers().values())
    keep.search_name = search_name_for(keep)
    keep.save(update_fields=[*filled, "has_disability", "search_name", "updated_at"])
    drop.consents.update(person=keep)
    _merge_skills(keep, drop)
    DuplicateFlag.objects.filter(person__in=[keep, drop], other__in=[keep, drop]).update(
        status=DuplicateStatus.MERGED,
        resolved_by=actor if getattr(actor, "is_authenticated", False) else None,
        resolved_at=timezone.now(),
    )
    detail = {"kept": keep.pk, "dropped": drop.pk}
    audit_record(
        actor=actor,
        action=AuditAction.MERGE,
        subject=keep,
        person_id=keep.pk,
        fields=filled,
        reason=reason,
        detail=detail,
    )
    audit_record(
        actor=actor,
        action=AuditAction.MERGE,
        subject=drop,
        person_id=drop.pk,
        fields=["merged_into"],
        reason=reason,
        detail=detail,
    )
    return keep


def _merge_skills(keep: Person, drop: Person) -> None:
    from maharat.skills.services import person_skills_merge

    person_skills_merge(keep=keep, drop=drop)


@transaction.atomic
def duplicate_dismiss(*, actor: Any, flag: DuplicateFlag, reason: str = "") -> DuplicateFlag:
    """Mark a flagged pair as two different people."""
    flag.status = DuplicateStatus.DISMISSED
    flag.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
    flag.resolved_at = timezone.now()
    flag.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=flag,
        person_id=flag.person_id,
        fields=["status"],
        reason=reason or "not a duplicate",
    )
    return flag


def person_export_data(*, actor: Any, person: Person) -> dict[str, Any]:
    """Everything Maharat holds about a person, for their own download (audited as an export)."""
    record: dict[str, Any] = {"public_id": str(person.public_id)}
    for field in EDITABLE_FIELDS:
        value = getattr(person, field)
        if field == "governorate":
            value = {"code": value.code, "en": value.label_en, "ar": value.label_ar}
        elif isinstance(value, dt.date):
            value = value.isoformat()
        record[field] = value
    record["has_disability"] = person.has_disability
    record["registered_at"] = person.created_at.isoformat()
    record["consents"] = [
        {
            "purpose": c.purpose,
            "channel": c.channel,
            "given_at": c.given_at.isoformat(),
            "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            "organizations": [o.label_en for o in c.organizations.all()],
        }
        for c in person.consents.prefetch_related("organizations")
    ]
    record["skills"] = [
        {
            "code": ps.skill.code,
            "en": ps.skill.label_en,
            "ar": ps.skill.label_ar,
            "proficiency": ps.proficiency,
            "evidence": ps.evidence,
            "source": ps.source,
        }
        for ps in person.skills.select_related("skill")
    ]
    record["history"] = [
        {"at": entry.at.isoformat(), "action": entry.action, "fields": entry.fields, "by": entry.actor_label}
        for entry in _history(person)
    ]
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        subject=person,
        person_id=person.pk,
        reason="personal data download",
    )
    return record


def _history(person: Person) -> Any:
    from maharat.people.selectors import person_history

    return person_history(person).order_by("at", "id")


@transaction.atomic
def deletion_request_create(*, actor: Any, person: Person, reason: str = "") -> DeletionRequest:
    """A person asks for their record to be deleted; staff carry it out with ``person_anonymize``."""
    request = DeletionRequest.objects.create(person=person, reason=reason[:500])
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        subject=request,
        person_id=person.pk,
        reason="deletion requested",
    )
    return request


AnonymizeHook = Callable[[Person], object]
_anonymize_hooks: list[AnonymizeHook] = []


def register_anonymize_hook(hook: AnonymizeHook) -> None:
    """Let another app erase what it holds about a person when the person is anonymized (same transaction)."""
    if hook not in _anonymize_hooks:
        _anonymize_hooks.append(hook)


@transaction.atomic
def person_anonymize(*, actor: Any, person: Person, reason: str) -> Person:
    """Delete a person's identifying data while keeping the counts (sex, birth year, place, status) intact."""
    if person.anonymized_at is not None:
        return person
    cleared = ["given_name_ar", "family_name_ar", "given_name_latin", "family_name_latin", "locality"]
    for field in cleared:
        setattr(person, field, "")
    for field in HARD_FIELDS:
        setattr(person, field, None)
    person.date_of_birth = dt.date(person.date_of_birth.year, 7, 1)
    person.search_name = ""
    person.languages = []
    account = person.user
    person.user = None
    person.anonymized_at = timezone.now()
    person.save(
        update_fields=[
            *cleared,
            *HARD_FIELDS,
            "date_of_birth",
            "search_name",
            "languages",
            "user",
            "anonymized_at",
            "updated_at",
        ]
    )
    now = timezone.now()
    person.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    person.deletion_requests.filter(completed_at__isnull=True).update(completed_at=now)
    if account is not None:
        get_user_model().objects.filter(pk=account.pk).delete()
    for hook in _anonymize_hooks:
        hook(person)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        subject=person,
        person_id=person.pk,
        fields=[*cleared, *HARD_FIELDS, "date_of_birth", "user"],
        reason=reason,
    )
    return person


@transaction.atomic
def beneficiary_signup(*, phone: str, password: str, data: Mapping[str, Any], language: str = "ar") -> Person:
    """A person registers themself on the web with their phone number and a password."""
    from django.contrib.auth.password_validation import validate_password

    e164 = normalize_phone(phone)
    user_model = get_user_model()
    if user_model.objects.filter(phone=e164).exists():
        raise DuplicatePersonError(
            _(
                "This phone number already has an account. Log in, or ask the programme to reset your password."
            ),
            existing_id=0,
            field="phone",
        )
    user = user_model(username=e164, phone=e164, preferred_language=language)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    person = person_register(
        actor=user,
        data={**data, "phone": e164, "preferred_language": language},
        consent_purposes=data.get("consent_purposes", [ConsentPurpose.REGISTRATION]),
        consent_channel=ConsentChannel.WEB,
        reason="self-registration",
    )
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return person


def send_one_time_code(*, phone: str, purpose: str) -> bool:
    """Hook for log-in by one-time SMS code; the messaging app provides the sender.

    Returns False while no SMS channel is configured, so pages offer password log-in only.
    """
    from django.conf import settings

    sender = getattr(settings, "ONE_TIME_CODE_SENDER", None)
    if not sender:
        return False
    from django.utils.module_loading import import_string

    return bool(import_string(sender)(phone=phone, purpose=purpose))
