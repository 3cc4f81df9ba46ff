"""A new or changed signal or ad network that touches a case is proposed to the case's members; they add it or
set it aside.

"Touches" is read off the linking graph: the signal (or ad network) mentions an entity that is an item of the case, or that a
signal of the case mentions too. Hubs (``graph.HUB_DEGREE``: a city hall, a big platform) touch too much to say
anything and are left out. Need-to-know holds per organisation: a case is proposed only signals its owning
organisation may read (own, or shared with it); an ad network is shown only to members who may read ads. Closed
cases get no proposals.

``propose_for_signals`` and ``propose_for_ad_networks`` run after linking stored a batch (``linking.service``): one
statement for the whole batch, whatever the number of sources and cases.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.ads.queries import may_read_ads
from vigil.audit.log import record
from vigil.cases.models import Case, CaseProposal, CaseStatus
from vigil.cases.service import CaseError, add_items, event
from vigil.cases.work import workable
from vigil.linking.graph import HUB_DEGREE
from vigil.linking.models import Entity, Kind
from vigil.register.access import visible_signals

TOUCHED = """
    WITH src AS (  -- the new sources: signals, or ad networks (whose node key is the network's id)
        SELECT n.id, n.signal_id, NULL::bigint AS ad_network
        FROM linking_entity n WHERE n.signal_id = ANY(%(signals)s)
        UNION ALL SELECT n.id, NULL, n.key::bigint FROM linking_entity n
        WHERE n.kind = 'ad_network' AND n.key = ANY(%(ad_networks)s)
    ), new AS (  -- what they mention
        SELECT DISTINCT x.b_id AS entity FROM linking_edge x
        JOIN linking_entity e ON e.id = x.b_id AND e.degree <= %(hub)s
        WHERE x.source_id IN (SELECT id FROM src) AND x.relation = 'mentions'
    ), touched AS (  -- of those, the ones a case holds or one of its signals mentions
        SELECT i.case_id, i.entity_id AS entity FROM cases_caseitem i
        WHERE i.entity_id IN (SELECT entity FROM new)
        UNION
        SELECT i.case_id, x.b_id FROM cases_caseitem i
        JOIN linking_entity sn ON sn.signal_id = i.signal_id
        JOIN linking_edge x ON x.source_id = sn.id AND x.relation = 'mentions'
        WHERE x.b_id IN (SELECT entity FROM new)
    ), hit AS (  -- back from each touched entity to the new sources that mention it (the edges' index on b)
        SELECT t.case_id, src.id AS node, src.signal_id, src.ad_network, t.entity FROM touched t
        JOIN linking_edge x ON x.b_id = t.entity AND x.relation = 'mentions'
        JOIN src ON src.id = x.source_id
        JOIN cases_case c ON c.id = t.case_id AND c.status <> %(closed)s AND c.merged_into_id IS NULL
    )"""

# A signal only to cases whose owning organisation may read it (own, or shared with it).
PROPOSE_SIGNALS = TOUCHED + """
    INSERT INTO cases_caseproposal (case_id, signal_id, entities, proposed_at, decision)
    SELECT h.case_id, h.signal_id, array_agg(DISTINCT h.entity ORDER BY h.entity), %(now)s, ''
    FROM hit h JOIN cases_case c ON c.id = h.case_id JOIN register_signal s ON s.id = h.signal_id
    WHERE NOT EXISTS (SELECT 1 FROM cases_caseitem i WHERE i.case_id = h.case_id AND i.signal_id = h.signal_id)
      AND (s.owner_id = c.owner_id OR EXISTS (SELECT 1 FROM register_signalshare sh
                                              WHERE sh.signal_id = s.id AND sh.organisation_id = c.owner_id))
    GROUP BY h.case_id, h.signal_id
    ON CONFLICT (case_id, signal_id) DO UPDATE SET entities = EXCLUDED.entities, proposed_at = EXCLUDED.proposed_at
        WHERE cases_caseproposal.decision = '' AND cases_caseproposal.entities IS DISTINCT FROM EXCLUDED.entities
"""

# An ad network to every case it touches that does not hold it yet (ads are public material; the case page shows
# it only to members who may read ads).
PROPOSE_AD_NETWORKS = TOUCHED + """
    INSERT INTO cases_caseproposal (case_id, ad_network_id, entities, proposed_at, decision)
    SELECT h.case_id, h.ad_network, array_agg(DISTINCT h.entity ORDER BY h.entity), %(now)s, ''
    FROM hit h JOIN ads_adnetwork a ON a.id = h.ad_network
    WHERE NOT EXISTS (SELECT 1 FROM cases_caseitem i WHERE i.case_id = h.case_id AND i.entity_id = h.node)
    GROUP BY h.case_id, h.ad_network
    ON CONFLICT (case_id, ad_network_id) WHERE ad_network_id IS NOT NULL
        DO UPDATE SET entities = EXCLUDED.entities, proposed_at = EXCLUDED.proposed_at
        WHERE cases_caseproposal.decision = '' AND cases_caseproposal.entities IS DISTINCT FROM EXCLUDED.entities
"""


def _propose(sql: str, signals: list[int] = (), ad_networks: list[str] = ()) -> int:
    if not signals and not ad_networks:
        return 0
    with connection.cursor() as cur:
        cur.execute(sql, {"signals": list(signals), "ad_networks": list(ad_networks), "hub": HUB_DEGREE,
                          "now": timezone.now(), "closed": CaseStatus.CLOSED})
        return cur.rowcount


def propose_for_signals(signal_ids: Iterable[int]) -> int:
    """Propose these (just linked) signals to every open case they touch; an open proposal is brought up to date,
    a decided one is left as decided. Returns the number of proposals written."""
    return _propose(PROPOSE_SIGNALS, signals=sorted({int(i) for i in signal_ids}))


def propose_for_ad_networks(network_ids: Iterable[int]) -> int:
    """The same for ad networks just linked (their phones, e-mails or accounts changed)."""
    return _propose(PROPOSE_AD_NETWORKS, ad_networks=sorted({str(int(i)) for i in network_ids}))


def open_proposals(case: Case):
    return (CaseProposal.objects.filter(case=case, decision=CaseProposal.Decision.OPEN)
            .select_related("signal", "ad_network").order_by("-proposed_at", "-id"))


@transaction.atomic
def decide(user, case: Case, proposal: CaseProposal, *, accept: bool) -> CaseProposal:
    """Accept (the signal becomes an item of the case, an ad network its entity, "via proposal") or set aside; both
    on the timeline. Only who may read the source decides on it."""
    workable(case)
    if proposal.case_id != case.pk:
        raise CaseError(_("Proposal not found."))
    if proposal.decision:
        raise CaseError(_("This proposal was already decided: %(decision)s.") % {
            "decision": proposal.get_decision_display()})
    if proposal.ad_network_id:
        if not may_read_ads(user):
            raise CaseError(_("Ads are not readable for this role."))
        node = Entity.objects.filter(kind=Kind.AD_NETWORK, key=str(proposal.ad_network_id)).first()
        if accept:
            if node is None:
                raise CaseError(_("This ad network is no longer in the graph."))
            add_items(user, case, entities=[node], via="proposal")
        source = {"ad_network": proposal.ad_network_id}
    else:
        if not visible_signals(user).filter(pk=proposal.signal_id).exists():
            raise CaseError(_("Proposal not found."))
        if accept:
            add_items(user, case, signals=[proposal.signal_id], via="proposal")
        source = {"signal": proposal.signal_id, "ref": proposal.signal.ref}
    proposal.decision = CaseProposal.Decision.ACCEPTED if accept else CaseProposal.Decision.REJECTED
    proposal.decided_by, proposal.decided_at = user, timezone.now()
    proposal.save(update_fields=["decision", "decided_by", "decided_at"])
    event(case, user, "proposal_" + proposal.decision, **source)
    record(user, "update", case, detail={"proposal": proposal.pk, "decision": proposal.decision})
    return proposal
