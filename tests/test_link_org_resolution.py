"""Organisation resolution on the register: one entity per organisation however each signal wrote its name, the
same name in another city kept apart, a new signal joining a known organisation at once, judgements that override
the model (audited, undoable, contradictions refused), the explained panel, need-to-know."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import make_record, store
from vigil.audit.models import AuditEntry
from vigil.linking import graph, resolution, service
from vigil.linking.models import Entity, Kind, OrganisationJudgement, OrganisationLink, ResolvedOrganisation
from vigil.linking.queries import entity_of_row
from vigil.register.models import Company

pytestmark = pytest.mark.django_db

OFFICE = {"role": "bedrijfsadres", "street": "Cartesiusweg", "house_number": "90", "city": "Utrecht"}
# (ref, owner, organisation, addresses, phones): the Utrecht cleaning company written three ways (office and phone
# shared); 'Restaurant Lotus' in Amsterdam and in Groningen, nothing shared; one KvK number given to two names
SIGNALS = [
    ("G-1", "politie-rotterdam", {"name": "Glansmakers Schoonmaak B.V.", "registration_number": "67204518"},
     [{**OFFICE, "postcode": "3534 BD"}], ["030-2947715"]),
    ("G-2", "politie-rotterdam", {"name": "De Glansmakers", "role": "werkgever"},
     [{"role": "huisvesting", "street": "Kanaalstraat", "house_number": "212", "city": "Utrecht"}, OFFICE],
     ["+31 30 294 7715"]),
    ("G-3", "emm", {"name": "Glans Makers schoonmaakdiensten"}, [{"role": "werklocatie", "city": "Utrecht"}],
     ["(030) 294 77 15"]),
    ("L-1", "politie-rotterdam", {"name": "Restaurant Lotus"},
     [{"role": "werklocatie", "street": "Kinkerstraat", "house_number": "12", "city": "Amsterdam"}],
     ["020-6123456"]),
    ("L-2", "politie-rotterdam", {"name": "Restaurant Lotus"},
     [{"role": "werklocatie", "street": "Oosterstraat", "house_number": "5", "city": "Groningen"}],
     ["050-3123456"]),
    ("K-1", "politie-rotterdam", {"name": "Vriesland Vastgoedbeheer B.V.", "registration_number": "71846203"},
     [{"street": "Mathenesserlaan", "house_number": "212B", "city": "Rotterdam"}], []),
    ("K-2", "politie-rotterdam", {"name": "Zuidwest Beheer", "registration_number": "7184 6203"},
     [{"city": "Leeuwarden"}], []),
]


def signal(ref, organisation, addresses, phones=()):
    return make_record(ref, organisations=[organisation], addresses=addresses, **({"phones": list(phones)}
                                                                                 if phones else {}))


@pytest.fixture
def rows(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for ref, owner, org, addresses, phones in SIGNALS:
            store(signal(ref, org, addresses, phones), owner=owner)
    service.link_stale()
    return {c.signal.ref: c for c in Company.objects.select_related("signal")}


def entity(row):
    return entity_of_row(row)


def test_before_any_resolution_the_graph_links_on_kvk_or_name_and_municipality(rows):
    assert entity(rows["K-1"]) == entity(rows["K-2"])  # one KvK number, written two ways
    assert entity(rows["K-1"]).key == "kvk:71846203"
    assert entity(rows["L-1"]) != entity(rows["L-2"])  # the same name in two cities: two businesses
    assert entity(rows["L-1"]).key == graph.organisation_key("Restaurant Lotus") + "|amsterdam"
    assert entity(rows["L-1"]).city == "amsterdam"
    # no KvK number is an entity of its own beside its company
    assert not Entity.objects.filter(kind=Kind.ORGANISATION, label="67204518").exists()


def test_variants_become_one_organisation_and_the_same_name_in_another_city_stays_apart(rows):
    result = resolution.resolve_organisations()
    assert result["organisations"] == len(SIGNALS) and result["signals_relinked"] == len(SIGNALS)
    glans = {entity(rows[ref]) for ref in ("G-1", "G-2", "G-3")}
    assert len(glans) == 1
    (org,) = glans
    cluster = ResolvedOrganisation.objects.get(company=rows["G-1"]).cluster
    assert org.kind == Kind.ORGANISATION and org.key == f"org:{cluster}"
    assert {"Glansmakers Schoonmaak B.V.", "De Glansmakers", "Glans Makers schoonmaakdiensten"} <= set(org.variants)
    assert entity(rows["L-1"]) != entity(rows["L-2"])
    assert entity(rows["K-1"]) == entity(rows["K-2"])  # the same KvK number is one organisation
    # every row resolution saw is stored (alone: its own id), with what a new row is matched on
    lotus = ResolvedOrganisation.objects.get(company=rows["L-2"])
    assert lotus.cluster == rows["L-2"].pk
    assert (lotus.name_key, lotus.municipality) == (graph.organisation_key("Restaurant Lotus"), "groningen")
    # the pairs are explained field by field; the keys of before resolution are gone from the graph
    three = [rows[ref] for ref in ("G-1", "G-2", "G-3")]
    link = OrganisationLink.objects.filter(linked=True, a__in=three, b__in=three).first()
    assert link is not None and link.probability >= 0.5 and link.explanation["fields"]
    assert {"comparison", "level", "weight", "left", "right"} <= set(link.explanation["fields"][0])
    assert not Entity.objects.filter(kind=Kind.ORGANISATION).exclude(key__startswith="org:").exists()
    # resolving again moves nothing
    assert resolution.resolve_organisations()["signals_relinked"] == 0


def test_a_new_signal_joins_its_organisation_at_once(rows, django_capture_on_commit_callbacks):
    resolution.resolve_organisations()
    glans, amsterdam = entity(rows["G-1"]), entity(rows["L-1"])
    with django_capture_on_commit_callbacks(execute=True):  # linked as it is stored, before any resolution
        store(signal("N-1", {"name": "GM Schoonmaak", "registration_number": "6720 4518"}, [{"city": "Rotterdam"}]),
              signal("N-2", {"name": "Restaurant Lotus B.V."}, [{"role": "werklocatie", "city": "Amsterdam"}]),
              signal("N-3", {"name": "Restaurant Lotus"}, [{"city": "Utrecht"}]),
              signal("N-4", {"name": "Restaurant Lotus"}, []), owner="politie-rotterdam")
    new = {c.signal.ref: c for c in Company.objects.filter(signal__ref__startswith="N-").select_related("signal")}
    assert not ResolvedOrganisation.objects.filter(company__in=new.values()).exists()
    assert entity(new["N-1"]) == glans  # the same KvK number
    assert entity(new["N-2"]) == amsterdam  # the same name (legal form left out) in the same municipality
    others = {entity(new["N-3"]), entity(new["N-4"])}
    assert len(others) == 2 and not others & {amsterdam, entity(rows["L-2"])}
    assert entity(new["N-4"]).key == f"org:{new['N-4'].pk}"  # a name without a place stays alone
    # the node of the new signal is in the network of the organisation's other signals
    assert Entity.objects.get(signal=new["N-1"].signal).network == Entity.objects.get(signal=rows["G-2"].signal).network


def test_judgements_override_and_undo_and_contradictions_are_refused(client, rows, users, password):
    resolution.resolve_organisations()
    g1, g2, g3 = rows["G-1"], rows["G-2"], rows["G-3"]
    investigator = users["investigator"]
    client.login(username="rechercheur", password=password)
    # not the same: the merge is undone, audited
    resp = client.post(reverse("linking:judge"), {"kind": "organisation", "a": g1.pk, "b": g2.pk,
                                                  "verdict": "different", "reason": "other KvK extract", "back": "/"})
    assert resp.status_code == 302 and resp.url == reverse("linking:entity", args=[entity(g1).pk])
    assert entity(g1) != entity(g2)
    assert AuditEntry.objects.filter(action="review", object_type="organisation_pair",
                                     object_id=f"{g1.pk}-{g2.pk}").exists()
    # the same KvK number is one organisation unless judged different
    k1, k2 = rows["K-1"], rows["K-2"]
    resolution.judge(investigator, k1, k2, "different", "a typing error in the KvK number")
    resolution.resolve_organisations()
    assert entity(k1) != entity(k2)
    # a chain of "same" judgements, then "different" at its ends: refused with the chain named, not stored
    resolution.judge(investigator, g1, g2, "unsure", "taken back")
    resolution.judge(investigator, g1, g3, "same", "same phone")
    resolution.judge(investigator, g3, g2, "same", "same office")
    with pytest.raises(ValueError, match="chain"):
        resolution.judge(investigator, g1, g2, "different", "x")
    resp = client.post(reverse("linking:judge"), {"kind": "organisation", "a": g2.pk, "b": g1.pk,
                                                  "verdict": "different", "reason": "x", "back": "/"}, follow=True)
    assert f"{g1.pk} = {g3.pk} = {g2.pk}" in resp.content.decode() or \
        f"{g2.pk} = {g3.pk} = {g1.pk}" in resp.content.decode()
    assert OrganisationJudgement.objects.filter(verdict="different", a=g2, b=g1).count() == 0
    # two businesses judged the same by mistake, then taken back: the latest judgement counts
    lotus_a, lotus_g = rows["L-1"], rows["L-2"]
    resolution.judge(investigator, lotus_a, lotus_g, "same", "mistake")
    resolution.resolve_organisations()
    assert entity(lotus_a) == entity(lotus_g)
    resolution.judge(investigator, lotus_a, lotus_g, "unsure", "taken back")
    resolution.resolve_organisations()
    assert entity(lotus_a) != entity(lotus_g)


def test_the_panel_explains_and_holds_to_need_to_know(client, rows, users, password):
    resolution.resolve_organisations()
    org = entity(rows["G-1"])
    client.login(username="rechercheur", password=password)  # reads politie-rotterdam's signals, not G-3 (emm)
    page = client.get(reverse("linking:entity", args=[org.pk])).content.decode()
    for ref in ("G-1", "G-2"):
        assert ref in page and rows[ref].name in page
    assert "67204518" in page and "Cartesiusweg 90" in page  # its KvK number and its place
    assert 'name="kind" value="organisation"' in page  # the judgement form for organisations
    link = OrganisationLink.objects.get(a__in=[rows["G-1"], rows["G-2"]], b__in=[rows["G-1"], rows["G-2"]])
    for f in link.explanation["fields"]:
        assert f["comparison"] in page
    # the row of the signal this investigator may not read: not listed, not spelled, not its pairs
    assert "G-3" not in page and "Glans Makers schoonmaakdiensten" not in page
    assert AuditEntry.objects.filter(action="view", object_type="entity", object_id=str(org.pk)).exists()
    # judging needs both signals readable: 404, audited, nothing stored
    resp = client.post(reverse("linking:judge"), {"kind": "organisation", "a": rows["G-1"].pk,
                                                  "b": rows["G-3"].pk, "verdict": "same", "reason": "x"})
    assert resp.status_code == 404 and not OrganisationJudgement.objects.exists()
    assert AuditEntry.objects.filter(action="denied", object_type="organisation",
                                     object_id=str(rows["G-3"].pk)).exists()
    # a role without the review capability: 403
    client.logout()
    client.login(username="partner", password=password)
    resp = client.post(reverse("linking:judge"), {"kind": "organisation", "a": rows["G-1"].pk,
                                                  "b": rows["G-2"].pk, "verdict": "same", "reason": "x"})
    assert resp.status_code == 403


def test_bad_judgement_input_is_a_clear_message(client, rows, password):
    client.login(username="rechercheur", password=password)
    resp = client.post(reverse("linking:judge"), {"kind": "organisation", "a": rows["G-1"].pk, "b": "x",
                                                  "verdict": "maybe", "reason": "", "back": "/"}, follow=True)
    assert resp.status_code == 200 and not OrganisationJudgement.objects.exists()
    resp = client.post(reverse("linking:judge"), {"kind": "organisation", "a": rows["G-1"].pk,
                                                  "b": rows["G-1"].pk, "verdict": "same", "reason": "x",
                                                  "back": "/"}, follow=True)
    assert "always the same as itself" in resp.content.decode()


def test_the_command_and_the_export(rows, tmp_path, capsys):
    call_command("link_organisations", "--quiet")
    entry = AuditEntry.objects.filter(object_type="graph", object_id="organisations").latest("pk")
    assert entry.detail["organisations"] == len(SIGNALS) and entry.detail["clusters"] >= 2
    out = tmp_path / "graph.ftm.jsonl"
    call_command("export_ftm", str(out))
    companies = [row for row in map(json.loads, out.read_text().splitlines()) if row["schema"] == "Company"]
    numbers = {n for c in companies for n in c["properties"].get("registrationNumber", [])}
    assert {"67204518", "71846203"} <= numbers


def test_the_demo_world_shows_it(django_capture_on_commit_callbacks):
    """The demo's company stories, as the demo generates them (with the three-city manager's company and its near
    miss): one cleaning company written three ways, two nail studios of one name, one KvK number four ways."""
    from vigil.demo.load import load_organisations
    from vigil.demo.world import generate_world

    world = generate_world()
    refs = {ref for story in world.companies.values() for ref in story}
    shown = [s for s in world.signals if s["ref"] in refs or any(
        o["name"].startswith(("Vriesland", "Friesland")) for o in s.get("organisations", []))]
    load_organisations(world.organisations)
    with django_capture_on_commit_callbacks(execute=True):
        store(*shown)
    resolution.resolve_organisations()

    def entities(story):
        return {entity(c) for c in Company.objects.filter(signal__ref__in=world.companies[story])}

    assert len(world.companies["glansmakers"]) == 3 and len(entities("glansmakers")) == 1
    (enschede,) = entities("sunflower-enschede")
    (breda,) = entities("sunflower-breda")
    assert enschede != breda and len(world.companies["sunflower-enschede"]) == 2
    vriesland = {entity(c) for c in Company.objects.filter(name__startswith="Vriesland")}
    assert Company.objects.filter(name__startswith="Vriesland").count() == 4 and len(vriesland) == 1
    assert entity(Company.objects.get(name__startswith="Friesland")) not in vriesland  # KvK two digits apart
