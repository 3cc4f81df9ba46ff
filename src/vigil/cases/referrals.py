"""Referrals after they are sent: the receiver accepts or declines and reports back; the sender sees each step on the
case's timeline. Views and the API call these; each step is audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from vigil.audit.log import record
from vigil.cases.models import FeedbackKind, Referral, ReferralStatus, ReferralUpdate
from vigil.cases.service import CaseError, event


def _receiver(user, referral: Referral) -> None:
    if not user.can("receive_referrals") or user.organisation_id != referral.to_organisation_id:
        raise CaseError("only the receiving organisation answers a referral")


@transaction.atomic
def decide(user, referral: Referral, *, accept: bool, reason: str = "") -> Referral:
    """Accept or decline a referral that was sent; declining needs a reason."""
    _receiver(user, referral)
    if referral.status != ReferralStatus.SENT:
        raise CaseError(f"referral {referral.reference} is already {referral.status}")
    if not accept and not reason.strip():
        raise CaseError("declining a referral needs a reason")
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.decline_reason = "" if accept else reason.strip()
    referral.decided_by, referral.decided_at = user, timezone.now()
    referral.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    if not accept:
        ReferralUpdate.objects.create(referral=referral, kind=FeedbackKind.DECLINED, note=referral.decline_reason,
                                      by=user, by_organisation_id=user.organisation_id)
    event(referral.case, None, "referral_" + referral.status, referral=referral.reference,
          organisation=referral.to_organisation.name, reason=referral.decline_reason)
    record(user, "status", referral, detail={"status": referral.status})
    return referral


@transaction.atomic
def report_back(user, referral: Referral, kind: str, *, count: int | None = None, note: str = "") -> ReferralUpdate:
    """What the receiver did with an accepted referral (investigation opened, persons identified, arrests, ...)."""
    _receiver(user, referral)
    if referral.status != ReferralStatus.ACCEPTED:
        raise CaseError(f"referral {referral.reference} is {referral.status}: accept it before reporting back")
    if kind not in FeedbackKind.values or kind == FeedbackKind.DECLINED:
        raise CaseError(f"unknown report: {kind}")
    if count is not None and count < 0:
        raise CaseError("a number cannot be negative")
    update = ReferralUpdate.objects.create(referral=referral, kind=kind, count=count, note=note.strip(), by=user,
                                           by_organisation_id=user.organisation_id)
    event(referral.case, None, "referral_update", referral=referral.reference,
          organisation=referral.to_organisation.name, report=kind, count=count, note=update.note)
    record(user, "update", referral, detail={"report": kind, "count": count})
    return update
