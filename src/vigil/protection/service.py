"""Victim protection and permit actions as plain functions: views, API, CLI and the demo call these.

Each change is checked against the rules of the scheme (the models' ``clean()``; a ``ValidationError`` names the
field), written together with its history row (``ProtectionEvent`` with the fields before and after, or a
``FlagStep``) in one transaction, and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.audit.log import record as audit
from vigil.cases.access import visible_cases
from vigil.linking.models import Entity
from vigil.linking.queries import may_see
from vigil.protection.models import (
    FLAG_STEPS,
    Exemption,
    FlagStatus,
    FlagStep,
    Permit,
    PermitFlag,
    ProtectionEvent,
    ProtectionRecord,
)
from vigil.register.access import require, visible_signals
from vigil.register.models import Company, Person

# The fields each step of the record page changes.
STEPS: dict[str, tuple[str, ...]] = {
    "details": ("display_name", "nationality", "birth_date", "v_number", "person", "entity", "case"),
    "reflection": ("reflection_offered", "reflection_offered_on", "reflection_offered_by", "reflection_start",
                   "reflection_end", "reflection_ended_on", "reflection_end_reason"),
    "cooperation": ("cooperation", "cooperation_on"),
    "closed": ("closed_on", "closed_reason"),
}


def _real(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _value(v):
    if isinstance(v, dt.date):
        return v.isoformat()
    return getattr(v, "pk", v)


def event(record: ProtectionRecord, user, kind: str, /, **detail) -> ProtectionEvent:
    return ProtectionEvent.objects.create(record=record, user=_real(user), kind=kind, detail=detail)


def _touch(record: ProtectionRecord) -> None:
    record.updated_at = timezone.now()
    ProtectionRecord.objects.filter(pk=record.pk).update(updated_at=record.updated_at)


def check_links(user, *, person=None, entity=None, company=None, case=None) -> None:
    """A record or flag may only point at what the user may read: a person or company of a visible signal, a
    visible entity of the graph, a case the user is a member of."""
    errors = {}
    for field, obj in (("person", person), ("company", company)):
        if obj is not None and not visible_signals(user).filter(pk=obj.signal_id).exists():
            errors[field] = "not found"
    if entity is not None and not may_see(user, entity):
        errors["entity"] = "not found"
    if case is not None and not visible_cases(user).filter(pk=case.pk).exists():
        errors["case"] = "not found"
    if errors:
        raise ValidationError(errors)


# --- records -------------------------------------------------------------------------------------------------------


@transaction.atomic
def open_record(user, *, display_name: str = "", person: Person | None = None, entity: Entity | None = None,
                case=None, **fields) -> ProtectionRecord:
    """A new record in the user's organisation. The name and nationality come from the signal's person when not
    given."""
    require(user, "protection")
    check_links(user, person=person, entity=entity, case=case)
    if person is not None:
        display_name = display_name or person.name
        fields["nationality"] = fields.get("nationality") or person.nationality
    if entity is not None:
        display_name = display_name or entity.label
    now = timezone.now()
    rec = ProtectionRecord(reference=f"new-{now.timestamp()}-{user.pk}", owner_id=user.organisation_id,
                           display_name=(display_name or "").strip(), person=person, entity=entity, case=case,
                           created_by=user, created_at=now, updated_at=now, **fields)
    rec.full_clean(exclude=["reference"])
    rec.save()
    rec.reference = f"B83-{now.year}-{rec.pk:05d}"
    rec.save(update_fields=["reference"])
    event(rec, user, "opened", **{f: _value(getattr(rec, f)) for f in (*STEPS["details"], *STEPS["reflection"],
                                                                        *STEPS["cooperation"])
                                  if getattr(rec, f) not in (None, "")})
    audit(user, "create", rec)
    return rec


@transaction.atomic
def update(user, record: ProtectionRecord, step: str, values: dict) -> dict:
    """Change the fields of one step (``STEPS``); returns the changes as {field: [before, after]}."""
    require(user, "protection")
    fields = STEPS[step]
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"not fields of {step}: {sorted(unknown)}")
    stored = ProtectionRecord.objects.select_for_update().get(pk=record.pk)
    if step == "details":
        check_links(user, **{k: values[k] for k in ("person", "entity", "case") if values.get(k) is not None
                             and getattr(stored, f"{k}_id") != values[k].pk})
    for name, value in values.items():
        setattr(record, name, value)
    record.full_clean()
    changes = {f: [_value(getattr(stored, f)), _value(getattr(record, f))] for f in values
               if _value(getattr(stored, f)) != _value(getattr(record, f))}
    if not changes:
        return {}
    record.updated_at = timezone.now()
    record.save(update_fields=[*values, "updated_at"])
    event(record, user, step, changes=changes)
    audit(user, "update", record, detail={"step": step, "fields": sorted(changes)})
    return changes


@transaction.atomic
def apply_permit(user, record: ProtectionRecord, *, kind: str, applied_on: dt.date, ground: str = "",
                 note: str = "", **decision) -> Permit:
    """An application for a B8/3 permit, its renewal or continued residence (optionally already decided)."""
    require(user, "protection")
    permit = Permit(record=record, kind=kind, applied_on=applied_on, ground=ground, note=note, **decision)
    permit.full_clean()
    permit.save()
    event(record, user, "permit_applied", permit=permit.pk, kind=kind, applied_on=_value(applied_on), ground=ground,
          **{k: _value(v) for k, v in decision.items() if v})
    audit(user, "update", record, detail={"step": "permit_applied", "permit": permit.pk, "kind": kind})
    _touch(record)
    return permit


@transaction.atomic
def decide_permit(user, permit: Permit, *, decision: str, decided_on: dt.date | None,
                  valid_from: dt.date | None = None, valid_until: dt.date | None = None, note: str = "") -> Permit:
    require(user, "protection")
    stored = Permit.objects.select_for_update().get(pk=permit.pk)
    permit.decision, permit.decided_on, permit.valid_from, permit.valid_until = (decision, decided_on, valid_from,
                                                                                 valid_until)
    if note:
        permit.note = note
    permit.full_clean()
    permit.save()
    fields = ("decision", "decided_on", "valid_from", "valid_until")
    event(permit.record, user, "permit_decided", permit=permit.pk, kind=permit.kind,
          changes={f: [_value(getattr(stored, f)), _value(getattr(permit, f))] for f in fields
                   if getattr(stored, f) != getattr(permit, f)}, note=note)
    audit(user, "update", permit.record, detail={"step": "permit_decided", "permit": permit.pk, "decision": decision})
    _touch(permit.record)
    return permit


@transaction.atomic
def request_exemption(user, record: ProtectionRecord, *, ground: str, applied_on: dt.date, note: str = "",
                      **decision) -> Exemption:
    require(user, "protection")
    exemption = Exemption(record=record, ground=ground, applied_on=applied_on, note=note, **decision)
    exemption.full_clean()
    exemption.save()
    event(record, user, "exemption_requested", exemption=exemption.pk, ground=ground, applied_on=_value(applied_on),
          **{k: _value(v) for k, v in decision.items() if v})
    audit(user, "update", record, detail={"step": "exemption_requested", "exemption": exemption.pk, "ground": ground})
    _touch(record)
    return exemption


@transaction.atomic
def decide_exemption(user, exemption: Exemption, *, decision: str, decided_on: dt.date | None,
                     note: str = "") -> Exemption:
    require(user, "protection")
    stored = Exemption.objects.select_for_update().get(pk=exemption.pk)
    exemption.decision, exemption.decided_on = decision, decided_on
    if note:
        exemption.note = note
    exemption.full_clean()
    exemption.save()
    event(exemption.record, user, "exemption_decided", exemption=exemption.pk, ground=exemption.ground,
          changes={f: [_value(getattr(stored, f)), _value(getattr(exemption, f))] for f in ("decision", "decided_on")
                   if getattr(stored, f) != getattr(exemption, f)}, note=note)
    audit(user, "update", exemption.record, detail={"step": "exemption_decided", "exemption": exemption.pk,
                                                    "decision": decision})
    _touch(exemption.record)
    return exemption


# --- permit actions ------------------------------------------------------------------------------------------------


@transaction.atomic
def flag(user, *, action: str, subject_name: str = "", permit: str, summary: str, signals: Iterable = (),
         cases: Iterable = (), person: Person | None = None, company: Company | None = None,
         entity: Entity | None = None, reason: str = "") -> PermitFlag:
    """Propose refusing or revoking a permit. The flag must cite evidence the user may read: at least one signal
    or case, and a written summary."""
    require(user, "permits")
    check_links(user, person=person, entity=entity, company=company)
    signal_ids = {getattr(s, "pk", s) for s in signals}
    case_ids = {getattr(c, "pk", c) for c in cases}
    if not signal_ids and not case_ids:
        raise ValidationError({"signals": "cite at least one signal or case the flag rests on"})
    found = set(visible_signals(user).filter(pk__in=signal_ids).values_list("pk", flat=True))
    if signal_ids - found:
        raise ValidationError({"signals": f"signals not found: {sorted(signal_ids - found)}"})
    found_cases = set(visible_cases(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    if case_ids - found_cases:
        raise ValidationError({"cases": f"cases not found: {sorted(case_ids - found_cases)}"})
    subject_name = subject_name or (person.name if person else company.name if company else
                                    entity.label if entity else "")
    now = timezone.now()
    f = PermitFlag(reference=f"new-{now.timestamp()}-{user.pk}", owner_id=user.organisation_id, action=action,
                   subject_name=subject_name.strip(), person=person, company=company, entity=entity, permit=permit,
                   summary=summary, created_by=user, created_at=now, updated_at=now)
    f.full_clean(exclude=["reference"])
    f.save()
    f.reference = f"VGA-{now.year}-{f.pk:05d}"  # vergunningactie
    f.save(update_fields=["reference"])
    f.signals.set(signal_ids)
    f.cases.set(case_ids)
    FlagStep.objects.create(flag=f, status=FlagStatus.PROPOSED, user=user, at=now,
                            reason=reason.strip() or summary.strip(),
                            detail={"signals": sorted(visible_signals(user).filter(pk__in=signal_ids)
                                                      .values_list("ref", flat=True)),
                                    "cases": sorted(visible_cases(user).filter(pk__in=case_ids)
                                                    .values_list("reference", flat=True))})
    audit(user, "create", f, detail={"action": action, "signals": len(signal_ids), "cases": len(case_ids)})
    return f


@transaction.atomic
def move_flag(user, f: PermitFlag, status: str, reason: str) -> FlagStep:
    """One step along the decision trail (proposed → under review → upheld / not upheld), with why."""
    require(user, "permits")
    stored = PermitFlag.objects.select_for_update().get(pk=f.pk)
    if status not in FLAG_STEPS.get(stored.status, set()):
        raise ValidationError({"status": f"a flag that is {stored.get_status_display().lower()} cannot become "
                                         f"{FlagStatus(status).label.lower() if status in FlagStatus.values else status}"})
    if not reason.strip():
        raise ValidationError({"reason": "say why"})
    now = timezone.now()
    step = FlagStep.objects.create(flag=f, status=status, user=user, at=now, reason=reason.strip(),
                                   detail={"before": stored.status})
    f.status, f.updated_at = status, now
    f.save(update_fields=["status", "updated_at"])
    audit(user, "status", f, detail={"before": stored.status, "after": status}, reason=reason.strip())
    return step
