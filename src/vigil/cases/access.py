"""Need-to-know for case work. Cases: deny by default, members only. Referrals: the receiving organisation reads its
frozen copy, the sending side reads it through the case."""

from __future__ import annotations

from django.db.models import QuerySet

from vigil.cases.models import Case, Referral
from vigil.register.access import get_visible, require


def visible_cases(user) -> QuerySet[Case]:
    """Cases the user is a member of, within the user's own organisation."""
    if not user.is_authenticated or not user.can("cases") or user.organisation_id is None:
        return Case.objects.none()
    return Case.objects.filter(owner_id=user.organisation_id, members__user=user)


def get_case(user, pk, *, purpose: str = "view") -> Case:
    """The case if the user is a member; otherwise 404 (its existence is not revealed), audited as denied."""
    require(user, "cases")
    return get_visible(user, visible_cases(user), pk, object_type="case", purpose=purpose)


def received_referrals(user) -> QuerySet[Referral]:
    """Referrals sent to the user's organisation."""
    if not user.is_authenticated or not user.can("receive_referrals") or user.organisation_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(to_organisation_id=user.organisation_id)


def sent_referrals(user) -> QuerySet[Referral]:
    """Referrals sent from cases the user is a member of."""
    return Referral.objects.filter(case__in=visible_cases(user))


def get_received_referral(user, pk, *, purpose: str = "view") -> Referral:
    require(user, "receive_referrals")
    return get_visible(user, received_referrals(user), pk, object_type="referral", purpose=purpose)
