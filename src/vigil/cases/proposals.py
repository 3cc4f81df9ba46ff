"""A new or changed signal that touches a case is proposed to the case's members; they add it or set it aside.

"Touches" is read off the linking graph: the signal mentions an entity that is an item of the case, or that a
signal of the case mentions too. Hubs (``graph.HUB_DEGREE``: a city hall, a big platform) touch too much to say
anything and are left out. Need-to-know holds per organisation: a case is proposed only signals its owning
organisation may read (own, or shared with it). Closed cases get no proposals.

``propose_for_signals`` runs after linking stored a batch (``linking.service.link_signals``): one statement for the
whole batch, whatever the number of signals and cases.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.audit.log import record
from vigil.cases.models import Case, CaseProposal, CaseStatus
from vigil.cases.service import CaseError, add_items, event
from vigil.cases.work import workable
from vigil.linking.graph import HUB_DEGREE

PROPOSE = """
    WITH new AS (  -- what the new signals mention
        SELECT DISTINCT x.b_id AS entity
        FROM linking_entity n JOIN linking_edge x ON x.source_id = n.id AND x.relation = 'mentions'
        JOIN linking_entity e ON e.id = x.b_id AND e.degree <= %(hub)s
        WHERE n.signal_id = ANY(%(ids)s)
    ), touched AS (  -- of those, the ones a case holds or one of its signals mentions
        SELECT i.case_id, i.entity_id AS entity FROM cases_caseitem i
        WHERE i.entity_id IN (SELECT entity FROM new)
        UNION
        SELECT i.case_id, x.b_id FROM cases_caseitem i
        JOIN linking_entity sn ON sn.signal_id = i.signal_id
        JOIN linking_edge x ON x.source_id = sn.id AND x.relation = 'mentions'
        WHERE x.b_id IN (SELECT entity FROM new)
    )  -- back from each touched entity to the new signals that mention it (the edges' index on b)
    INSERT INTO cases_caseproposal (case_id, signal_id, entities, proposed_at, decision)
    SELECT t.case_id, n.signal_id, array_agg(DISTINCT t.entity ORDER BY t.entity), %(now)s, ''
    FROM touched t
    JOIN linking_edge x ON x.b_id = t.entity AND x.relation = 'mentions'
    JOIN linking_entity n ON n.id = x.source_id AND n.signal_id = ANY(%(ids)s)
    JOIN cases_case c ON c.id = t.case_id AND c.status <> %(closed)s AND c.merged_into_id IS NULL
    JOIN register_signal s ON s.id = n.signal_id
    WHERE NOT EXISTS (SELECT 1 FROM cases_caseitem i WHERE i.case_id = t.case_id AND i.signal_id = n.signal_id)
      AND (s.owner_id = c.owner_id OR EXISTS (SELECT 1 FROM register_signalshare sh
                                              WHERE sh.signal_id = s.id AND sh.organisation_id = c.owner_id))
    GROUP BY t.case_id, n.signal_id
    ON CONFLICT (case_id, signal_id) DO UPDATE SET entities = EXCLUDED.entities, proposed_at = EXCLUDED.proposed_at
        WHERE cases_caseproposal.decision = '' AND cases_caseproposal.entities IS DISTINCT FROM EXCLUDED.entities
"""


def propose_for_signals(signal_ids: Iterable[int]) -> int:
    """Propose these (just linked) signals to every open case they touch; an open proposal is brought up to date,
    a decided one is left as decided. Returns the number of proposals written."""
    ids = sorted({int(i) for i in signal_ids})
    if not ids:
        return 0
    with connection.cursor() as cur:
        cur.execute(PROPOSE, {"ids": ids, "hub": HUB_DEGREE, "now": timezone.now(), "closed": CaseStatus.CLOSED})
        return cur.rowcount


def open_proposals(case: Case):
    return (CaseProposal.objects.filter(case=case, decision=CaseProposal.Decision.OPEN)
            .select_related("signal").order_by("-proposed_at", "-id"))


@transaction.atomic
def decide(user, case: Case, proposal: CaseProposal, *, accept: bool) -> CaseProposal:
    """Accept (the signal becomes an item of the case, "via proposal") or set aside; both on the timeline."""
    workable(case)
    if proposal.case_id != case.pk:
        raise CaseError(_("Proposal not found."))
    if proposal.decision:
        raise CaseError(_("This proposal was already decided: %(decision)s.") % {
            "decision": proposal.get_decision_display()})
    if accept:
        add_items(user, case, signals=[proposal.signal_id], via="proposal")
    proposal.decision = CaseProposal.Decision.ACCEPTED if accept else CaseProposal.Decision.REJECTED
    proposal.decided_by, proposal.decided_at = user, timezone.now()
    proposal.save(update_fields=["decision", "decided_by", "decided_at"])
    event(case, user, "proposal_" + proposal.decision, signal=proposal.signal_id, ref=proposal.signal.ref)
    record(user, "update", case, detail={"proposal": proposal.pk, "decision": proposal.decision})
    return proposal
