"""Case work for the demo: the analyst of the expertise centre has opened a case on the three-city flat manager.

The case holds the network's signals up to the last few (those come in "later" and are proposed to the case, so
the demo shows proposals), the manager and his phone, an assignee, three tasks (one overdue, one done) and two
notes. Run after linking (the entities and proposals need the graph); without a graph the case holds the signals
only. Idempotent: a second run finds the case and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from vigil.cases import proposals, service, work
from vigil.cases.models import Case, CaseStatus
from vigil.linking.models import Entity, Kind
from vigil.linking.queries import may_see
from vigil.organisations.models import User
from vigil.register.access import visible_signals
from vigil.register.models import Form

ANALYST = "analist"
TITLE = "Woningbeheerder met flats in Rotterdam, Amsterdam en Almere"
SUMMARY = ("Signalen van buren, de tiplijn, Meld Misdaad Anoniem, controles en online advertenties wijzen op één "
           "beheerder (Hendrik-Jan de Vries, Vriesland Vastgoedbeheer B.V.) van drie flats waar jonge vrouwen uit "
           "Roemenië, Bulgarije, Hongarije en Zuid-Amerika worden uitgebuit in de prostitutie. Eén van hen is "
           "mogelijk minderjarig.")
PHONE = "+31641278390"  # the manager's phone, however the sources wrote it
LATER = 3  # the network's newest signals, proposed to the case rather than in it
TASKS = [  # (task, due in days from today, done)
    ("Kadaster en KvK opvragen: eigendom Mathenesserlaan 212B, Postjesweg 87-3 en Grote Markt 14A "
     "(Vriesland Vastgoedbeheer B.V., KvK 71846203)", -3, False),
    ("Advertenties met 06-87349215, 06-15820647 en 06-28194573 vastleggen en aan de zaak toevoegen", 7, False),
    ("Netwerk rond 06-41278390 doorlopen op signalen van andere eenheden", -10, True),
]
NOTES = [
    "Drie flats, één beheerder: telefoon 06-41278390, de zwarte Mercedes V-klasse 54-TVR-1 en rekening "
    "NL58 RABO 0318 4472 95 komen in signalen uit alle drie de steden terug.",
    "Wervingslijn via 'Mario' (Marius Stoica, +40 744 218 905) naar Roemenië; één van de vrouwen is mogelijk 17. "
    "Overleg met de politie-eenheid Rotterdam over doorzetten.",
]


def _manager(phone: Entity | None) -> Entity | None:
    """The person entity that uses the manager's phone, the one most sources mention."""
    if phone is None:
        return None
    return (Entity.objects.filter(kind=Kind.PERSON, network=phone.network, label__icontains="vries")
            .order_by("-degree", "pk").first())


@transaction.atomic
def load(world) -> dict:
    analyst = User.objects.filter(username=ANALYST).first()
    refs = list(getattr(world, "networks", {}).get("flat-manager", ()))
    if analyst is None or not refs:
        return {"case": None, "created": False}
    existing = Case.objects.filter(created_by=analyst, title=TITLE).first()
    if existing is not None:
        return {"case": existing.reference, "created": False}
    signals = list(visible_signals(analyst).filter(ref__in=refs).order_by("received_at", "id"))
    held, later = signals[:-LATER], signals[-LATER:]
    phone = Entity.objects.filter(kind=Kind.PHONE, key=PHONE).first()
    entities = [e for e in (_manager(phone), phone) if e is not None and may_see(analyst, e)]
    case = service.open_case(analyst, TITLE, summary=SUMMARY, forms=[Form.SEXUAL], signals=held,
                             entities=entities, via=f"network {phone.pk}" if phone else "network flat-manager")
    work.assign(analyst, case, analyst)
    service.set_status(analyst, case, CaseStatus.INVESTIGATION)
    today = timezone.localdate()
    for title, days, done in TASKS:
        task = work.add_task(analyst, case, title, due=today + dt.timedelta(days=days), assignee=analyst)
        if done:
            work.complete_task(analyst, case, task)
    for text in NOTES:
        work.add_note(analyst, case, text)
    proposed = proposals.propose_for_signals([s.pk for s in later])
    return {"case": case.reference, "created": True, "signals": len(held), "entities": len(entities),
            "proposed": proposed}
