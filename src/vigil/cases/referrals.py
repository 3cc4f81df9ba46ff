"""Passing signs on: a case member refers a chosen part of a case to a partner organisation; the receiver accepts or
declines and reports back; the sender sees each step on the case's timeline. Views and the API call these; each
step is audited.

What is shared is frozen at the moment of referral (``Referral.content``, the dossier files): the receiver reads that
copy and never the case, so later changes to the case, its signals or the graph never reach the receiver, and the
sender can always show what exactly went out. Only the chosen items go: a link of the graph is shared only when the
source that gives it (a chosen signal, a chosen ad network) is shared, names are taken as the shared sources wrote
them, and reporters are never passed on (as in the graph: a reporter is not a lead).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.ads.models import Ad, AdVersion
from vigil.ads.queries import may_read_ads
from vigil.assessment import catalogue as catalogues
from vigil.assessment.models import Assessment
from vigil.assessment.service import effective, judgements
from vigil.audit.log import record
from vigil.cases.models import (
    Case,
    CaseItem,
    CaseMember,
    CaseStatus,
    FeedbackKind,
    Pap,
    Referral,
    ReferralStatus,
    ReferralUpdate,
    Tlp,
)
from vigil.cases.service import ALLOWED, CaseError, event, set_status
from vigil.cases.work import workable
from vigil.linking.models import SOURCES, Edge, Entity, Kind
from vigil.linking.queries import visible_edges
from vigil.organisations.models import Organisation
from vigil.register.access import require, visible_signals
from vigil.register.models import Person, Signal

CONTENT_VERSION = 1
AD_BODY = 4000  # characters of an ad's latest text kept in the dossier


# --- what a member may share ---------------------------------------------------------------------------------------

def shareable(user, case: Case) -> dict[str, dict[int, str]]:
    """The case's items this user may pass on, per kind (pk -> label): items of the case the user may see."""
    items = CaseItem.objects.filter(case=case)
    signal_ids = [pk for pk in items.values_list("signal_id", flat=True) if pk]
    entity_ids = [pk for pk in items.values_list("entity_id", flat=True) if pk]
    ad_ids = [pk for pk in items.values_list("ad_id", flat=True) if pk]
    signals = {s.pk: f"{s.ref} · {s.get_channel_display()} · {s.received_at:%Y-%m-%d}" for s in
               visible_signals(user).filter(pk__in=signal_ids).order_by("received_at", "pk")}
    seen = set()
    if entity_ids:
        for a, b in Edge.objects.filter(visible_edges(user)).filter(Q(a_id__in=entity_ids) | Q(b_id__in=entity_ids)) \
                .values_list("a_id", "b_id"):
            seen.update((a, b))
    entities = {e.pk: f"{e.get_kind_display()}: {e.label}" for e in
                Entity.objects.filter(pk__in=[pk for pk in entity_ids if pk in seen]).order_by("kind", "label")}
    ads = {}
    if ad_ids and may_read_ads(user):
        ads = {a.pk: f"{a.site} · {a.title[:80] or a.site_ad_id}" for a in
               Ad.objects.filter(pk__in=ad_ids).order_by("-last_collected")}
    return {"signals": signals, "entities": entities, "ads": ads}


def _ids(values: Iterable) -> set[int]:
    try:
        return {int(getattr(v, "pk", v)) for v in values}
    except (TypeError, ValueError):
        raise CaseError(_("Item numbers must be whole numbers.")) from None


# --- referring -------------------------------------------------------------------------------------------------------

def refer(user, case: Case, to_organisation, *, reason: str, tlp: str, pap: str, signals: Iterable = (),
          entities: Iterable = (), ads: Iterable = ()) -> Referral:
    """Refer the chosen items of ``case`` to ``to_organisation``: the frozen content and the dossier (PDF and FtM)
    are made and kept with the referral, the case's timeline and status show it, the audit log records it. Checked
    before the transaction, so a refusal stays in the audit log."""
    require(user, "refer")
    if case.owner_id != user.organisation_id or not CaseMember.objects.filter(case=case, user=user).exists():
        record(user, "denied", case, detail={"purpose": "refer"})
        raise CaseError(_("Only members of the case refer it."))
    workable(case)  # a merged case is referred from the case it was merged into
    if not isinstance(to_organisation, Organisation):
        try:
            to_organisation = Organisation.objects.filter(pk=int(getattr(to_organisation, "pk", to_organisation))) \
                .first()
        except (TypeError, ValueError):
            to_organisation = None
    if to_organisation is None:
        raise CaseError(_("Choose the organisation to refer to."))
    if to_organisation.pk == user.organisation_id:
        raise CaseError(_("A referral goes to another organisation."))
    if not reason or not reason.strip():
        raise CaseError(_("A referral needs a reason: why this organisation."))
    if tlp not in Tlp.values:
        raise CaseError(_("Unknown TLP marking: %(tlp)s") % {"tlp": tlp})
    if pap not in Pap.values:
        raise CaseError(_("Unknown PAP marking: %(pap)s") % {"pap": pap})
    chosen = {"signals": _ids(signals), "entities": _ids(entities), "ads": _ids(ads)}
    if not any(chosen.values()):
        raise CaseError(_("Choose at least one item of the case to share."))
    allowed = shareable(user, case)
    refused = {kind: sorted(ids - set(allowed[kind])) for kind, ids in chosen.items() if ids - set(allowed[kind])}
    if refused:
        record(user, "denied", case, detail={"purpose": "refer", "not_shareable": refused})
        raise CaseError(_("Not items of this case that you may share: %(items)s") % {"items": "; ".join(
            f"{kind} {ids}" for kind, ids in refused.items())})
    return _send(user, case, to_organisation, reason.strip(), tlp, pap, chosen)


@transaction.atomic
def _send(user, case: Case, to_organisation: Organisation, reason: str, tlp: str, pap: str,
          chosen: dict[str, set[int]]) -> Referral:
    from vigil.cases import dossier

    case.status = Case.objects.select_for_update().get(pk=case.pk).status  # one reference number at a time
    prefix = f"{case.reference}-V"  # after a merge the case also holds the merged case's referrals
    taken = Referral.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    n = max((int(r[len(prefix):]) for r in taken if r[len(prefix):].isdigit()), default=0) + 1
    referral = Referral.objects.create(
        case=case, reference=f"{prefix}{n}", from_organisation_id=user.organisation_id,
        to_organisation=to_organisation, reason=reason, tlp=tlp, pap=pap, sent_by=user,
        sent_at=timezone.now())
    referral.content = content(user, case, referral, **chosen)
    referral.save(update_fields=["content"])
    made = dossier.produce(referral)
    shared_refs = [s["ref"] for s in referral.content["signals"]]
    event(case, user, "referred", referral=referral.reference, organisation=to_organisation.name, tlp=tlp, pap=pap,
          reason=referral.reason, signals=shared_refs, entities=len(chosen["entities"]), ads=len(chosen["ads"]))
    record(user, "share", referral, reason=referral.reason, detail={
        "case": case.reference, "to": to_organisation.name, "tlp": tlp, "pap": pap, "signals": shared_refs,
        "entities": sorted(chosen["entities"]), "ads": sorted(chosen["ads"]), "pdf_sha256": made.pdf_sha256,
        "ftm_sha256": made.ftm_sha256})
    if CaseStatus.REFERRED in ALLOWED.get(case.status, set()):
        set_status(user, case, CaseStatus.REFERRED, note=referral.reference)
    return referral


def content(user, case: Case, referral: Referral, *, signals: set[int], entities: set[int], ads: set[int]) -> dict:
    """The frozen copy of what is shared: language-neutral (codes, the catalogue's labels in every language), so the
    receiver's page and the dossier render it in the reader's language."""
    chosen_entities = {e.pk: e for e in Entity.objects.filter(pk__in=entities)}
    # a signal's own node stands for the signal
    signals = signals | {e.signal_id for e in chosen_entities.values() if e.kind == Kind.SIGNAL and e.signal_id}
    chosen_entities = {pk: e for pk, e in chosen_entities.items() if e.kind != Kind.SIGNAL}
    shared_signals = _signals(signals)
    reporters = sum(s.pop("_reporters") for s in shared_signals)
    nodes, links = _graph(signals, chosen_entities)
    shared_ads = _ads(ads, nodes, links)
    return {
        "version": CONTENT_VERSION,
        "reference": referral.reference,
        "case": {"reference": case.reference, "title": case.title, "summary": case.summary, "forms": list(case.forms)},
        "from": {"organisation": referral.from_organisation.name,
                 "sent_by": user.get_full_name() or user.get_username()},
        "to": {"organisation": referral.to_organisation.name},
        "sent_at": referral.sent_at.isoformat(),
        "reason": referral.reason,
        "markings": {"tlp": referral.tlp, "pap": referral.pap},
        "signals": shared_signals,
        "ads": shared_ads,
        "nodes": nodes,
        "links": links,
        "withheld": {"reporters": reporters},
    }


def _signals(ids: set[int]) -> list[dict]:
    rows = list(Signal.objects.filter(pk__in=ids).order_by("received_at", "pk").prefetch_related(
        "persons", "addresses", "companies", "identifiers"))
    nodes = dict(Entity.objects.filter(kind=Kind.SIGNAL, signal_id__in=ids).values_list("signal_id", "pk"))
    assessments = {a.pk: a for a in Assessment.objects.filter(pk__in=ids)}
    verdicts, reviews = judgements(ids)
    out = []
    for s in rows:
        reporters = {p.pk for p in s.persons.all() if p.role == Person.PersonRole.REPORTER}
        idents = [i for i in s.identifiers.all() if i.person_id not in reporters]
        out.append({
            "ref": s.ref, "node": f"e{nodes[s.pk]}" if s.pk in nodes else "", "channel": s.channel,
            "sending_organisation": s.sending_organisation,
            "received_at": s.received_at.isoformat(),
            "observed_at": (s.observed_at.date().isoformat() if s.observed_date_only else s.observed_at.isoformat())
            if s.observed_at else "",
            "language": s.language, "urgent": s.urgent, "sensitive": s.sensitive, "forms": list(s.forms),
            "narrative": s.narrative, "online": list(s.online), "source_indicators": list(s.source_indicators),
            "persons": [{
                "name": p.name, "role": p.role, "aliases": list(p.aliases),
                "birth_date": p.birth_date_display or p.birth_date_given, "age": p.estimated_age,
                "gender": p.gender, "nationality": p.nationality or p.nationality_given, "description": p.description,
                "identifiers": [_identifier(i) for i in idents if i.person_id == p.pk],
            } for p in s.persons.all() if p.pk not in reporters],
            "addresses": [{"text": str(a), "role": a.role, "city": a.city} for a in s.addresses.all()],
            "companies": [{"name": c.name, "registration_number": c.registration_number, "role": c.role,
                           "identifiers": [_identifier(i) for i in idents if i.company_id == c.pk]}
                          for c in s.companies.all()],
            "identifiers": [_identifier(i) for i in idents if i.person_id is None and i.company_id is None],
            "assessment": _assessment(assessments.get(s.pk), verdicts.get(s.pk), reviews.get(s.pk)),
            "_reporters": len(reporters),
        })
    return out


def _identifier(i) -> dict:
    return {"kind": i.kind, "value": i.value_given, "normalised": i.value if i.valid else "", "valid": i.valid}


def _assessment(assessment: Assessment | None, verdicts, review) -> dict | None:
    """The reading as it counts now (the analysts' judgements folded in): indicators with their evidence quotes and
    the legal elements they evidence."""
    if assessment is None:
        return None
    eff = effective(assessment.reading, verdicts, review)
    return {
        "trafficking": eff["trafficking"], "minor": eff["minor"], "urgency": eff["urgency"]["level"],
        "priority": eff["priority"]["score"], "forms": eff["forms"]["likely"], "smuggling": eff["smuggling"]["reading"],
        "reviewed": eff["reviewed"], "vulnerability": eff["vulnerability"],
        "elements": {name: {"indicated": e["indicated"], "indicators": e["evidence"],
                            **({"required": e["required"]} if "required" in e else {})}
                     for name, e in eff["elements"].items()},
        "indicators": [{
            "id": i["id"], "label": i["label"], "element": i["element"], "family": i["family"], "weight": i["weight"],
            "forms": i["forms"], "source": i["source"],
            "evidence": [{"field": ev.get("field", ""), "before": ev.get("before", ""), "match": ev.get("match", ""),
                          "after": ev.get("after", "")} for ev in i["evidence"]],
        } for i in eff["indicators"]],
    }


# named the way the shared sources wrote them (another source's spelling is not shared)
_WRITTEN = (Kind.PERSON, Kind.ORGANISATION, Kind.ADDRESS)


def _graph(signal_ids: set[int], chosen: dict[int, Entity]) -> tuple[list[dict], list[dict]]:
    """The shared part of the graph: every link a shared source gives, with its evidence, and the chosen
    entities."""
    sources = list(Entity.objects.filter(kind=Kind.SIGNAL, signal_id__in=signal_ids))
    sources += [e for e in chosen.values() if e.kind == Kind.AD_NETWORK]
    edges = list(Edge.objects.filter(source__in=sources).select_related("a", "b", "source").order_by("pk"))
    entities: dict[int, Entity] = {e.pk: e for e in sources} | dict(chosen)
    given: dict[int, Counter] = {}
    seen_by: dict[int, set[str]] = {}
    for e in edges:
        entities.setdefault(e.a_id, e.a)
        entities.setdefault(e.b_id, e.b)
        if e.relation == "mentions" and (e.evidence or {}).get("given"):
            given.setdefault(e.b_id, Counter())[e.evidence["given"]] += 1
        for pk in (e.a_id, e.b_id):
            if pk != e.source_id:
                seen_by.setdefault(pk, set()).add(e.source.label)
    nodes = []
    for pk, entity in sorted(entities.items(), key=lambda x: (x[1].kind, x[1].label, x[0])):
        written = given.get(pk, Counter())
        label = entity.label
        if entity.kind in _WRITTEN and written:
            label = written.most_common(1)[0][0]
        nodes.append({"id": f"e{pk}", "kind": entity.kind, "label": label,
                      "variants": sorted(v for v in written if v != label)[:10],
                      "city": entity.city if entity.kind == Kind.ADDRESS else "",
                      "chosen": pk in chosen, "source": entity.kind in SOURCES,
                      "key": entity.key if entity.kind not in (Kind.PERSON, *SOURCES) else "",
                      "first_seen": entity.first_seen.date().isoformat() if entity.first_seen and
                      entity.kind in SOURCES else "",
                      "sources": sorted(seen_by.get(pk, ()))})
    links = [{"edge": e.pk, "a": f"e{e.a_id}", "b": f"e{e.b_id}", "relation": e.relation, "source": e.source.label,
              "field": (e.evidence or {}).get("field", ""), "given": (e.evidence or {}).get("given", ""),
              "role": (e.evidence or {}).get("role", ""), "at": e.at.date().isoformat() if e.at else ""}
             for e in edges]
    return nodes, links


AD_IDENTIFIERS = ((Kind.PHONE, "phones"), (Kind.EMAIL, "emails"), (Kind.HANDLE, "handles"))


def _ads(ids: set[int], nodes: list[dict], links: list[dict]) -> list[dict]:
    """The chosen ads as captured last, each a node of the shared graph linked to the phones, e-mails and accounts
    it shows (the graph's entity when there is one)."""
    if not ids:
        return []
    cat = catalogues.current()
    latest = AdVersion.objects.order_by("-number")
    rows = list(Ad.objects.filter(pk__in=ids).order_by("-last_collected", "pk")
                .prefetch_related(Prefetch("captures", queryset=latest)))
    wanted = {(kind, v) for ad in rows for kind, field in AD_IDENTIFIERS for v in getattr(ad, field)}
    known = {(e.kind, e.key): e for e in Entity.objects.filter(
        kind__in=[k for k, _f in AD_IDENTIFIERS], key__in=[v for _k, v in wanted])}
    have = {n["id"]: n for n in nodes}
    out = []
    for ad in rows:
        capture = next(iter(ad.captures.all()), None)
        ad_id = f"ad{ad.pk}"
        label = f"{ad.site} {ad.site_ad_id}"
        nodes.append({"id": ad_id, "kind": "ad", "label": label, "variants": [], "city": ad.city, "chosen": True,
                      "source": True, "key": "", "first_seen": ad.first_collected.date().isoformat(), "sources": []})
        for kind, field in AD_IDENTIFIERS:
            for value in getattr(ad, field):
                entity = known.get((kind, value))
                node_id = f"e{entity.pk}" if entity else f"{kind}:{value}"
                if node_id not in have:
                    have[node_id] = {"id": node_id, "kind": kind, "label": value, "variants": [], "city": "",
                                     "chosen": False, "source": False, "key": value, "first_seen": "", "sources": []}
                    nodes.append(have[node_id])
                have[node_id]["sources"] = sorted({*have[node_id]["sources"], label})
                links.append({"edge": None, "a": ad_id, "b": node_id, "relation": "shows", "source": label, "field": f"ads.{field}",
                              "given": value, "role": "", "at": ad.last_collected.date().isoformat()})
        out.append({
            "id": ad_id, "site": ad.site, "site_ad_id": ad.site_ad_id, "title": ad.title, "city": ad.city,
            "first_collected": ad.first_collected.isoformat(), "last_collected": ad.last_collected.isoformat(),
            "phones": list(ad.phones), "emails": list(ad.emails), "handles": list(ad.handles), "ages": list(ad.ages),
            "indicators": [{"id": i, "label": cat.indicators[i].label if i in cat.indicators else {"en": i}}
                           for i in ad.indicators],
            "url": capture.url if capture else "", "body": (capture.body if capture else "")[:AD_BODY],
        })
    return out


# --- the receiver's answers ------------------------------------------------------------------------------------------

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
    record(user, "update", referral, detail={"status": referral.status})
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
