"""Store a signal typed in by staff (plain Python: the form view and the API call this)."""

from __future__ import annotations

import secrets

from django.utils import timezone

from vigil.audit.log import record as audit
from vigil.register.models import Signal
from vigil.register.records import prepare
from vigil.register.writer import OwnerResolver, write_one


def new_ref(org_slug: str) -> str:
    return f"VIGIL-{org_slug.upper()}-{timezone.now():%Y%m%d}-{secrets.token_hex(3).upper()}"


def store_staff_signal(user, rec: dict) -> tuple[Signal, list[str]]:
    """Validate and store; returns the signal and the values that were kept but flagged as invalid."""
    rec = {k: v for k, v in rec.items() if v not in (None, "", [])}
    rec.setdefault("organisation", user.organisation.name)
    rec.setdefault("ref", new_ref(user.organisation.slug))
    prep = prepare(rec)
    signal = write_one(prep, OwnerResolver(user.organisation.slug), recorded_by=user.get_username(), user=user)
    audit(user, "create", signal, detail={"channel": signal.channel})
    flagged = [f"{i.get_kind_display()} {i.value_given!r}: {i.problem}" for i in signal.identifiers.filter(valid=False)]
    for p in signal.persons.exclude(problems=[]):
        flagged += [f"{p.name or p.get_role_display()}: {problem}" for problem in p.problems]
    for a in signal.addresses.exclude(problems=[]):
        flagged += [f"{a}: {problem}" for problem in a.problems]
    return signal, flagged
