"""Merging two cases that turn out to be one (TheHive: alerts and cases merged into one case).

Everything moves to the target: items (what the target already holds is not doubled), tasks, notes,
attachments, proposals, referrals and the timeline; the source's members become members of the target too. Timeline
events keep ``case_reference``, so the target's timeline still says in which case each step happened. The source is
closed with outcome "merged", points to the target (``merged_into``) and stays readable for its members.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vigil.audit.log import record
from vigil.cases.access import visible_cases
from vigil.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseItem,
    CaseMember,
    CaseProposal,
    CaseStatus,
    Note,
    Outcome,
    Referral,
    Task,
)
from vigil.cases.service import CaseError, event, set_status


def _check(user, source: Case, target: Case) -> None:
    mine = set(visible_cases(user).filter(pk__in=[source.pk, target.pk]).values_list("pk", flat=True))
    if mine != {source.pk, target.pk}:
        raise CaseError(_("You can only merge cases you are a member of."))
    if source.pk == target.pk:
        raise CaseError(_("A case cannot be merged into itself."))
    for case in (source, target):
        if case.merged_into_id:
            raise CaseError(_("%(ref)s was already merged into another case.") % {"ref": case.reference})
        if case.status == CaseStatus.CLOSED:
            raise CaseError(_("%(ref)s is closed: reopen it before merging.") % {"ref": case.reference})


@transaction.atomic
def merge(user, source: Case, target: Case) -> Case:
    """Move ``source`` into ``target``; returns the target."""
    source, target = (Case.objects.select_for_update().get(pk=c.pk) for c in (source, target))
    _check(user, source, target)
    moved = {}
    # items: those the target already holds stay behind and go when the source's items are cleared
    held = CaseItem.objects.filter(case=target)
    doubles = (Q(signal__in=held.filter(signal__isnull=False).values("signal"))
               | Q(entity__in=held.filter(entity__isnull=False).values("entity"))
               | Q(ad__in=held.filter(ad__isnull=False).values("ad")))
    items = CaseItem.objects.filter(case=source)
    moved["items"] = items.exclude(doubles).update(case=target)
    moved["items_already_held"] = items.count()
    items.delete()
    # proposals: the target's own proposal of a signal stands; an open one for a signal the target now holds is moot
    held_signals = CaseItem.objects.filter(case=target, signal__isnull=False).values("signal")
    proposals = CaseProposal.objects.filter(case=source)
    proposals.filter(signal__in=CaseProposal.objects.filter(case=target).values("signal")).delete()
    CaseProposal.objects.filter(case__in=[source, target], decision=CaseProposal.Decision.OPEN,
                                signal__in=held_signals).delete()
    moved["proposals"] = proposals.update(case=target)
    for model, name in ((Task, "tasks"), (Note, "notes"), (Attachment, "attachments"), (Referral, "referrals")):
        moved[name] = model.objects.filter(case=source).update(case=target)
    moved["events"] = CaseEvent.objects.filter(case=source).update(case=target)
    have = set(CaseMember.objects.filter(case=target).values_list("user_id", flat=True))
    members = [CaseMember(case=target, user_id=m.user_id, added_by=user)
               for m in CaseMember.objects.filter(case=source).exclude(user_id__in=have)]
    CaseMember.objects.bulk_create(members)
    moved["members"] = len(members)
    target.forms = sorted(set(target.forms) | set(source.forms))
    target.save(update_fields=["forms"])
    event(target, user, "merged_from", source=source.reference, title=source.title, **moved)
    set_status(user, source, CaseStatus.CLOSED, outcome=Outcome.MERGED, note=f"merged into {target.reference}")
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    event(source, user, "merged_into", target=target.reference, title=target.title)
    record(user, "update", source, detail={"merged_into": target.reference, **moved})
    record(user, "update", target, detail={"merged_from": source.reference, **moved})
    target.refresh_from_db()
    return target
