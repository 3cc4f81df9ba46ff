"""Need-to-know: which signals a user may read. Every view, search, export and API path goes through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from vigil.audit.log import record
from vigil.register.models import Signal, SignalShare


def visible_signals(user) -> QuerySet[Signal]:
    """Signals owned by the user's organisation or explicitly shared with it; nothing for roles without reading."""
    if not user.is_authenticated or not user.can("read_signals") or user.organisation_id is None:
        return Signal.objects.none()
    org = user.organisation_id
    shared = SignalShare.objects.filter(organisation_id=org).values("signal_id")
    return Signal.objects.filter(Q(owner_id=org) | Q(id__in=shared))


def readable(user, path: str) -> Q:
    """The need-to-know condition on a signal reached through ``path`` (e.g. ``"source__signal"``), for queries that
    start elsewhere (edges of the graph): checked row by row with an index lookup, where ``visible_signals`` as a
    subquery would make PostgreSQL build the set of every signal the user may read first."""
    if not user.is_authenticated or not user.can("read_signals") or user.organisation_id is None:
        return Q(pk__in=[])
    org = user.organisation_id
    shared = SignalShare.objects.filter(signal_id=OuterRef(f"{path}_id"), organisation_id=org)
    return Q(**{f"{path}__owner_id": org}) | Q(Exists(shared))


def get_visible(user, visible: QuerySet, pk, *, object_type: str, purpose: str = "view"):
    """The object with ``pk`` among ``visible`` (what the user may read); otherwise 404, so its existence is not
    revealed, and audited as denied. Every getter of a need-to-know object goes through here."""
    try:
        return visible.get(pk=pk)
    except (visible.model.DoesNotExist, ValueError, TypeError):
        record(user, "denied", object_type=object_type, object_id=pk, detail={"purpose": purpose})
        raise Http404(f"{object_type} not found") from None


def get_signal(user, pk, *, purpose: str = "view") -> Signal:
    """The signal if the user may read it; otherwise 404 and audited."""
    return get_visible(user, visible_signals(user), pk, object_type="signal", purpose=purpose)


def works_on(user, signal, capability: str) -> bool:
    """Only the owning organisation works a signal (status, questions, judgements); organisations it is shared with
    only read it."""
    return user.can(capability) and signal.owner_id == user.organisation_id


def require(user, capability: str) -> None:
    if not user.is_authenticated or not user.can(capability):
        record(user, "denied", object_type="capability", object_id=capability)
        raise PermissionDenied(capability)
