"""Writes and reads behind RapidPro flow webhooks: find a person by URN, register one, record flow answers.

Flows send either RapidPro's default webhook body (``contact``, ``flow``, ``results``) or the fuller legacy
body (``run``, ``path``, ``input``, ``channel``, ``contact``); ``FlowCall`` reads both into one shape.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.core.text import normalize_arabic
from maharat.messaging.access_broadcasts import organization_people
from maharat.messaging.models_api import FlowResult, FlowRun
from maharat.messaging.rapidpro_common import language_from_iso3, name_parts, phone_from_urn, registry_values
from maharat.people.choices import ConsentChannel, ConsentPurpose
from maharat.people.models import Organization, Person
from maharat.people.services import person_register

_YES = {"yes", "y", "true", "1", "ok", "نعم", "ايوه", "اه", "موافق", "موافقه"}
_RUN_NAMESPACE = uuid.UUID("6f1c3a52-0d8e-4a59-9a43-3b1f8f6e2c10")


class BadFlowCall(ValueError):
    """The webhook body is not one RapidPro sends."""


@dataclass
class Answer:
    """One flow result: its key, name, value, category, node and when it was given."""

    key: str
    name: str
    value: str
    category: str = ""
    node_uuid: str = ""
    input: str = ""
    at: dt.datetime | None = None


@dataclass
class FlowCall:
    """What a flow webhook said, whichever body it used."""

    urn: str = ""
    contact_uuid: str = ""
    contact_name: str = ""
    flow_uuid: str = ""
    flow_name: str = ""
    run_uuid: str = ""
    input_text: str = ""
    last_node: str = ""
    answers: list[Answer] = field(default_factory=list)

    @property
    def phone(self) -> str | None:
        """The E.164 number of the contact's URN."""
        return phone_from_urn(self.urn)

    def answer(self, *names: str) -> str:
        """The value (or, when empty, the category) of the first result with one of these keys or names."""
        wanted = {n.casefold() for n in names}
        for answer in self.answers:
            if answer.key.casefold() in wanted or answer.name.casefold() in wanted:
                return answer.value or answer.category
        return ""


def _text(value: Any, limit: int = 1000) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise BadFlowCall("expected text")
    return str(value)[:limit]


def _obj(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadFlowCall(f"{key} must be an object")
    return value


def _when(value: Any) -> dt.datetime | None:
    parsed = parse_datetime(str(value)) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def parse_flow_call(body: Mapping[str, Any], urn: str = "") -> FlowCall:
    """Read a default or legacy webhook body; ``urn`` (from the query string) is used when the body has none."""
    contact, flow, run = _obj(body, "contact"), _obj(body, "flow"), _obj(body, "run")
    inbound = _obj(body, "input")
    call = FlowCall(
        urn=_text(contact.get("urn") or inbound.get("urn") or urn, 100),
        contact_uuid=_text(contact.get("uuid"), 40),
        contact_name=_text(contact.get("name"), 200),
        flow_uuid=_text(flow.get("uuid"), 40),
        flow_name=_text(flow.get("name"), 200),
        run_uuid=_text(run.get("uuid"), 40),
        input_text=_text(inbound.get("text"), 1600),
    )
    path = body.get("path") or []
    if not isinstance(path, list):
        raise BadFlowCall("path must be a list")
    if path and isinstance(path[-1], dict):
        call.last_node = _text(path[-1].get("node_uuid"), 40)
    results = body.get("results") or {}
    if not isinstance(results, dict):
        raise BadFlowCall("results must be an object")
    for key, result in results.items():
        if not isinstance(result, dict):
            raise BadFlowCall("each result must be an object")
        call.answers.append(
            Answer(
                key=str(key)[:64],
                name=_text(result.get("name") or key, 64),
                value=_text(result.get("value"), 5000),
                category=_text(result.get("category"), 100),
                node_uuid=_text(result.get("node_uuid") or result.get("node"), 40),
                input=_text(result.get("input"), 1600),
                at=_when(result.get("created_on")),
            )
        )
    return call


def person_for_urn(organization: Organization, urn: str) -> Person | None:
    """The person with this URN's number whom the organization may see, or None."""
    phone = phone_from_urn(urn)
    if not phone:
        return None
    return organization_people(organization).select_related("governorate").filter(phone=phone).first()


def _yes(value: str) -> bool:
    return normalize_arabic(value or "").strip().casefold() in _YES


@transaction.atomic
def person_register_from_flow(*, organization: Organization, call: FlowCall, actor: str) -> Person:
    """Register the person texting a flow, with the answers they gave and the consent they said yes to."""
    phone = call.phone
    if not phone:
        raise ValidationError({"urn": _("The contact has no phone number (a tel: or whatsapp: URN).")})
    if not _yes(call.answer("consent")):
        raise ValidationError({"consent": _("The person has not agreed to be registered.")})
    name = call.answer("name") or call.contact_name
    if not name.strip():
        raise ValidationError({"name": _("Ask the person's name before registering them.")})
    answers = {key: call.answer(key) for key in ("sex", "date_of_birth", "birth_year", "nationality")}
    answers.update({key: call.answer(key) for key in ("legal_status", "governorate", "locality")})
    data: dict[str, Any] = {**name_parts(name), **registry_values(answers), "phone": phone}
    language = call.answer("language")
    if language:
        data["preferred_language"] = _language(language)
    purposes = [ConsentPurpose.REGISTRATION]
    if _yes(call.answer("messaging", "sms_consent")):
        purposes.append(ConsentPurpose.MESSAGING)
    return person_register(
        actor=actor,
        data=data,
        consent_purposes=purposes,
        consent_channel=ConsentChannel.SMS,
        organization=organization,
        reason="registered by text message in a RapidPro flow",
    )


def _language(value: str) -> str:
    words = {"arabic": "ar", "عربي": "ar", "العربيه": "ar", "english": "en", "انجليزي": "en", "انكليزي": "en"}
    folded = normalize_arabic(value).strip().casefold()
    if folded in words:
        return words[folded]
    try:
        return language_from_iso3(folded)
    except ValidationError:
        raise ValidationError({"language": _("Answer Arabic or English.")}) from None


def run_uuid_for(organization: Organization, call: FlowCall) -> uuid.UUID:
    """The run's UUID, or, for bodies without one, a stable one per organization, contact and flow."""
    if call.run_uuid:
        try:
            return uuid.UUID(call.run_uuid)
        except ValueError:
            raise BadFlowCall("run.uuid is not a UUID") from None
    who = call.contact_uuid or call.urn
    return uuid.uuid5(_RUN_NAMESPACE, f"{organization.pk}:{who}:{call.flow_uuid}")


@transaction.atomic
def flow_results_record(
    *, organization: Organization, call: FlowCall, actor: str, result_name: str = ""
) -> tuple[FlowRun, int]:
    """Store a flow's answers (or the last input under ``result_name``); a repeated call updates, never doubles."""
    if not call.flow_uuid and not call.flow_name:
        raise ValidationError({"flow": _("The webhook body names no flow.")})
    answers = list(call.answers)
    if not answers and call.input_text:
        key = (result_name or "input")[:64]
        answers = [Answer(key=key, name=key, value=call.input_text, node_uuid=call.last_node)]
    if not answers:
        raise ValidationError({"results": _("The webhook body holds no answer to record.")})
    run_id = run_uuid_for(organization, call)
    run = FlowRun.objects.select_for_update().filter(uuid=run_id).first()
    if run is not None and run.organization_id != organization.pk:
        raise DomainError(_("This run belongs to another organization."))
    person = person_for_urn(organization, call.urn)
    if run is None:
        run = FlowRun.objects.create(
            uuid=run_id,
            organization=organization,
            person=person,
            contact_uuid=call.contact_uuid,
            urn=call.urn,
            flow_uuid=call.flow_uuid,
            flow_name=call.flow_name,
        )
    else:
        run.flow_name = call.flow_name or run.flow_name
        run.person = run.person or person
        run.save(update_fields=["flow_name", "person", "updated_at"])
    now = timezone.now()
    for answer in answers:
        FlowResult.objects.update_or_create(
            run=run,
            key=answer.key,
            defaults={
                "name": answer.name,
                "value": answer.value,
                "category": answer.category,
                "node_uuid": answer.node_uuid,
                "input": answer.input,
                "answered_at": answer.at or now,
            },
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=run,
        person_id=run.person_id,
        fields=[a.key for a in answers],
        reason="flow answers from RapidPro",
    )
    return run, len(answers)


def application_status(person: Person) -> dict[str, Any]:
    """The person's applications in a few flat values, with a sentence in their language."""
    from maharat.programmes.models import Application

    applications = list(
        Application.objects.filter(person=person).select_related("call").order_by("-status_changed_at", "-pk")
    )
    with translation.override(person.preferred_language or "ar"):
        if not applications:
            return {"applications": 0, "status": "", "call": "", "text": _("You have no applications yet.")}
        latest = applications[0]
        label = str(latest.get_status_display())
        return {
            "applications": len(applications),
            "status": latest.status,
            "call": latest.call.label,
            "text": _("%(call)s: %(status)s") % {"call": latest.call.label, "status": label},
        }
