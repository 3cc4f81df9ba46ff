"""What changed between the versions of a signal, for the history on the signal page."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.register.models import Signal


@dataclass
class Change:
    version: int
    recorded_at: object
    recorded_by: str
    fields: list[tuple[str, object, object]]  # (field, before, after)


def changes(signal: Signal) -> list[Change]:
    out, before = [], {}
    for v in signal.versions.all().order_by("version"):
        keys = sorted(set(before) | set(v.data))
        diff = [(k, before.get(k), v.data.get(k)) for k in keys if before.get(k) != v.data.get(k)]
        out.append(Change(v.version, v.recorded_at, v.recorded_by, diff if before else []))
        before = v.data
    return list(reversed(out))
