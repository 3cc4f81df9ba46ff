"""Case work as plain functions: views, API and CLI call these. Each change and its timeline event are written in one
transaction, and each is audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.ads.models import Ad
from vigil.ads.queries import may_read_ads
from vigil.audit.log import record
from vigil.cases.models import Case, CaseEvent, CaseItem, CaseMember, CaseStatus, Outcome
from vigil.linking.models import Entity
from vigil.linking.queries import may_see
from vigil.register.access import require, visible_signals


class CaseError(ValueError):
    """A change the case cannot take; the message is shown to the user."""


def event(case: Case, user, kind: str, **detail) -> CaseEvent:
    return CaseEvent.objects.create(case=case, case_reference=case.reference, user=user if _real(user) else None,
                                    kind=kind, detail=detail)


def _real(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _touch(case: Case) -> None:
    case.updated_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(updated_at=case.updated_at)


@transaction.atomic
def open_case(user, title: str, *, summary: str = "", forms: Iterable[str] = (), signals: Iterable = (),
              entities: Iterable = (), ads: Iterable = (), via: str = "") -> Case:
    """A new case in the user's organisation with the user as its first member, and the given items."""
    require(user, "cases")
    if not title.strip():
        raise CaseError(_("A case needs a title."))
    now = timezone.now()
    case = Case.objects.create(reference=f"new-{now.timestamp()}-{user.pk}", title=title.strip()[:300],
                               summary=summary, forms=list(forms), owner_id=user.organisation_id, created_by=user,
                               created_at=now, updated_at=now)
    case.reference = f"ZAAK-{now.year}-{case.pk:05d}"
    case.save(update_fields=["reference"])
    CaseMember.objects.create(case=case, user=user, added_by=user)
    event(case, user, "opened", title=case.title, via=via)
    record(user, "create", case)
    add_items(user, case, signals=signals, entities=entities, ads=ads, via=via)
    return case


@transaction.atomic
def add_items(user, case: Case, *, signals: Iterable = (), entities: Iterable = (), ads: Iterable = (),
              via: str = "") -> int:
    """Add what the user may see; anything else is refused as a whole (CaseError names it). Returns how many were
    new to the case."""
    signal_ids = {getattr(s, "pk", s) for s in signals}
    entity_ids = {getattr(e, "pk", e) for e in entities}
    ad_ids = {getattr(a, "pk", a) for a in ads}
    visible = set(visible_signals(user).filter(pk__in=signal_ids).values_list("pk", flat=True))
    if signal_ids - visible:
        raise CaseError(_("Signals not found: %(ids)s") % {"ids": sorted(signal_ids - visible)})
    found = {e.pk: e for e in Entity.objects.filter(pk__in=entity_ids)}
    hidden = [pk for pk in entity_ids if pk not in found or not may_see(user, found[pk])]
    if hidden:
        raise CaseError(_("Entities not found: %(ids)s") % {"ids": sorted(hidden)})
    if ad_ids and not may_read_ads(user):
        raise CaseError(_("Ads are not readable for this role."))
    known_ads = set(Ad.objects.filter(pk__in=ad_ids).values_list("pk", flat=True))
    if ad_ids - known_ads:
        raise CaseError(_("Ads not found: %(ids)s") % {"ids": sorted(ad_ids - known_ads)})
    have = CaseItem.objects.filter(case=case)
    new = ([CaseItem(case=case, signal_id=pk, via=via, added_by=user) for pk in
            signal_ids - set(have.filter(signal__isnull=False).values_list("signal_id", flat=True))]
           + [CaseItem(case=case, entity_id=pk, via=via, added_by=user) for pk in
              entity_ids - set(have.filter(entity__isnull=False).values_list("entity_id", flat=True))]
           + [CaseItem(case=case, ad_id=pk, via=via, added_by=user) for pk in
              ad_ids - set(have.filter(ad__isnull=False).values_list("ad_id", flat=True))])
    if new:
        CaseItem.objects.bulk_create(new)
        event(case, user, "items_added", via=via,
              signals=sorted(i.signal_id for i in new if i.signal_id),
              entities=sorted(i.entity_id for i in new if i.entity_id),
              ads=sorted(i.ad_id for i in new if i.ad_id))
        record(user, "update", case, detail={"items_added": len(new), "via": via})
        _touch(case)
    return len(new)


ALLOWED = {
    CaseStatus.OPEN: {CaseStatus.INVESTIGATION, CaseStatus.REFERRED, CaseStatus.CLOSED},
    CaseStatus.INVESTIGATION: {CaseStatus.OPEN, CaseStatus.REFERRED, CaseStatus.CLOSED},
    CaseStatus.REFERRED: {CaseStatus.OPEN, CaseStatus.INVESTIGATION, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.OPEN},
}


@transaction.atomic
def set_status(user, case: Case, status: str, *, outcome: str = "", note: str = "") -> Case:
    """Move along the workflow; closing needs an outcome, reopening clears it."""
    if status not in ALLOWED.get(case.status, set()):
        raise CaseError(_("A case that is %(before)s cannot become %(after)s.") % {"before": case.get_status_display(), "after": CaseStatus(status).label if status in CaseStatus.values else status})
    if status == CaseStatus.CLOSED:
        if outcome not in Outcome.values:
            raise CaseError(_("Closing a case needs an outcome."))
        case.outcome, case.outcome_note, case.closed_at = outcome, note, timezone.now()
    else:
        case.outcome, case.outcome_note, case.closed_at = "", "", None
    before = case.status
    case.status = status
    case.updated_at = timezone.now()
    case.save(update_fields=["status", "outcome", "outcome_note", "closed_at", "updated_at"])
    event(case, user, "status", before=before, after=status, outcome=outcome, note=note)
    record(user, "update", case, detail={"before": before, "after": status, "outcome": outcome})
    return case


def add_member(user, case: Case, member) -> bool:
    """Members add colleagues of their own organisation who may work cases."""
    if member.organisation_id != case.owner_id or not member.can("cases"):
        raise CaseError(_("%(member)s cannot work cases of %(owner)s.") % {"member": member, "owner": case.owner})
    _member, created = CaseMember.objects.get_or_create(case=case, user=member, defaults={"added_by": user})
    if created:
        event(case, user, "member_added", member=member.get_username())
        record(user, "update", case, detail={"member_added": member.get_username()})
    return created

