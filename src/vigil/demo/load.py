"""Load the generated demo world into the database: organisations, one user per role, signals, a few shares."""

from __future__ import annotations

import random

from django.db import transaction

from vigil.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from vigil.organisations.models import Organisation, User
from vigil.organisations.roles import Role
from vigil.register.models import Signal, SignalShare
from vigil.register.records import prepare
from vigil.register.writer import BatchResult, OwnerResolver, write_batch

SHARE_WITH_PARTNER = 40


def load_organisations(orgs: list[dict]) -> None:
    for o in orgs:
        Organisation.objects.update_or_create(slug=o["slug"], defaults={
            "name": o["name"], "kind": o["kind"], "aliases": o.get("aliases", [])})


def load_users(password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    out = []
    for username, role, org, first, last in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.role, user.organisation = role, Organisation.objects.get(slug=org)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.vigil.invalid"
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.set_password(password)
        user.save()
        out.append((username, Role(role).label, user.organisation.name))
    return out


def load_signals(signals: list[dict], batch_size: int = 500) -> BatchResult:
    resolver = OwnerResolver()
    total = BatchResult()
    for start in range(0, len(signals), batch_size):
        batch, keys = [], set()
        for rec in signals[start:start + batch_size]:
            prep = prepare(rec)
            if prep.key in keys:
                total.add(write_batch(batch, resolver, "demo"))
                batch, keys = [], set()
            batch.append(prep)
            keys.add(prep.key)
        total.add(write_batch(batch, resolver, "demo"))
    return total


def share_with_hub(hub_slug: str = "emm") -> None:
    """Every organisation in the chain passes its signals on to the national expertise centre, as in practice."""
    hub = Organisation.objects.get(slug=hub_slug)
    ids = Signal.objects.exclude(owner=hub).values_list("id", flat=True)
    SignalShare.objects.bulk_create(
        [SignalShare(signal_id=i, organisation=hub, reason="Doorgezet aan het landelijk expertisecentrum (demo)")
         for i in ids], ignore_conflicts=True, batch_size=2000)


def share_some(seed: int) -> None:
    """Victim-support partner gets some signals about possible victims, as after a referral."""
    partner = Organisation.objects.get(slug="comensha")
    if SignalShare.objects.filter(organisation=partner).exists():
        return
    rng = random.Random(seed)
    ids = sorted(Signal.objects.filter(persons__role="possible_victim").exclude(owner=partner)
                 .values_list("id", flat=True).distinct())
    chosen = rng.sample(ids, min(SHARE_WITH_PARTNER, len(ids)))
    SignalShare.objects.bulk_create([
        SignalShare(signal_id=i, organisation=partner, reason="Doorverwijzing voor slachtofferzorg (demo)")
        for i in chosen])


DEMO_REPORTS = [  # (receipt code, language, answers, question from the analyst, answer of the reporter)
    ("DEMO-7K3D-9QXP-M2RT", "nl", {
        "what": "In het portiek van Mathenesserlaan 212 komen elke avond andere mannen. Er wonen jonge vrouwen die "
                "geen Nederlands spreken en nooit alleen naar buiten gaan.",
        "danger": "unknown", "address": "Mathenesserlaan 212B", "city": "Rotterdam", "people": "Drie vrouwen, "
        "ongeveer 20 jaar. Een oudere man met een grijze bestelbus haalt het geld op.", "names": "Henk",
        "phones": "06-41 27 83 90", "vehicles": "54-TVR-1", "when": "Elke avond sinds de zomer", "ongoing": True,
        "relation": "neighbour", "anonymous": "yes"},
     "Weet u op welke dagen de man met de bestelbus komt?", "Meestal op zondagavond rond 23 uur."),
    ("DEMO-H8FW-2C6N-TY4B", "ro", {
        "what": "Lucrez într-o seră în Westland. Agenția ne-a luat pașapoartele și ne oprește jumătate din salariu "
                "pentru cazare. Dormim câte opt într-o cameră.",
        "danger": "no", "address": "Dijkweg 41", "city": "Naaldwijk", "people": "Noi, 12 muncitori din România și "
        "Polonia.", "names": "Nelu", "phones": "+40 745 319 822", "when": "De trei luni", "ongoing": True,
        "relation": "self", "anonymous": "yes"},
     "", ""),
]


def load_public_reports() -> list[str]:
    """A few reports from the public web form, with a conversation, so the follow-up can be tried."""
    from vigil.public import service
    from vigil.public.models import Message

    for code, language, answers, question, reply in DEMO_REPORTS:
        if service.find(code) is None:  # each demo report once, whatever else was reported meanwhile
            report, _ = service.submit(dict(answers), [], language, code=code)
            service.build_pending_signals()
            if question:
                Message.objects.create(report=report, author=Message.Author.STAFF, body=question,
                                       staff_user=User.objects.get(username="analist"), day=report.day)
                Message.objects.create(report=report, author=Message.Author.REPORTER, body=reply, day=report.day)
    return [code for code, *_ in DEMO_REPORTS]


def load_demo(seed: int = 2026, n_signals: int = 2200):
    """Load the world; ``n_signals=0`` loads only organisations and users (benchmarks bring their own signals)."""
    from vigil.demo.world import ORGANISATIONS, World, generate_world

    world = generate_world(seed=seed, n_signals=n_signals) if n_signals else World(ORGANISATIONS, [], {})
    with transaction.atomic():
        load_organisations(world.organisations)
    logins = load_users()
    if not n_signals:
        return world, logins, BatchResult()
    result = load_signals(world.signals)
    share_with_hub()
    share_some(seed)
    load_public_reports()
    return world, logins, result


def load_case_work(world) -> dict:
    """After linking (a case takes entities and proposals from the graph): the demo analyst's case on the three-city
    network, with tasks and notes (vigil.cases.demo)."""
    from vigil.cases import demo

    return demo.load(world)
