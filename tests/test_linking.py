"""Linking: entities from signals with their evidence, networks, need-to-know on every edge, the pages."""

import pytest
from django.urls import reverse

from tests.conftest import make_record, store
from vigil.linking import graph, queries, service
from vigil.linking.models import Edge, Entity, Kind
from vigil.register.models import Signal, SignalShare

pytestmark = pytest.mark.django_db


def tip(ref, **fields):
    return make_record(ref, **fields)


@pytest.fixture
def three(users, django_capture_on_commit_callbacks):
    """Three signals of one manager written three ways, with a near miss that must not link; linked as they are
    stored (the import's commit hook)."""
    with django_capture_on_commit_callbacks(execute=True):
        _store_three()
    return {s.ref: s for s in Signal.objects.all()}


def _store_three():
    store(tip("T-1", persons=[{"role": "possible_suspect", "name": "H.J. de Vries", "phones": ["06-41278390"]},
                              {"role": "reporter", "name": "Ria Verhoeven", "phones": ["010-4763321"]}],
              addresses=[{"role": "residence", "street": "Mathenesserlaan", "house_number": "212B",
                          "city": "Rotterdam"}],
              vehicles=[{"plate": "54-TVR-1"}]), owner="politie-rotterdam")
    store(tip("T-2", phones=["+31 6 41 27 83 90"],
              addresses=[{"street": "Grote Markt", "house_number": "14 a", "postcode": "1315 JG", "city": "Almere"}],
              organisations=[{"name": "Vriesland Vastgoedbeheer B.V.", "registration_number": "71846203"}]),
          owner="politie-rotterdam")
    store(tip("T-3", vehicles=[{"plate": "54TVR1"}], persons=[{"name": "Ria Verhoeven", "phones": ["010-4763321"],
                                                                "role": "reporter"}],
              addresses=[{"street": "Grote Markt", "house_number": "14-A", "city": "Almere"},
                         {"street": "Postjesweg", "house_number": "87 3", "city": "Amsterdam"}]),
          owner="politie-rotterdam")
    store(tip("T-4", vehicles=[{"plate": "54-TVR-7"}],
              addresses=[{"street": "Grote Markt", "house_number": "14A", "city": "Groningen"}]),
          owner="politie-rotterdam")


def test_a_new_signal_is_linked_at_once_with_its_evidence(three):
    phone = Entity.objects.get(kind=Kind.PHONE, key="+31641278390")
    assert set(phone.variants) == {"06-41278390", "+31 6 41 27 83 90"}
    given = set(Edge.objects.filter(b=phone, relation="mentions").values_list("evidence__given", flat=True))
    assert given == {"06-41278390", "+31 6 41 27 83 90"}
    # the person uses the phone, said by the signal that names both
    person = Entity.objects.get(kind=Kind.PERSON, label="H.J. de Vries")
    assert Edge.objects.filter(a=person, b=phone, relation="uses").exists()
    # one address written '14 a' with postcode and '14-A' without; Groningen's 14A is another
    almere = Entity.objects.filter(kind=Kind.ADDRESS, key__contains="grote markt")
    assert almere.count() == 2 and almere.get(city="almere").degree == 2
    # the reporter is never an entity, nor her phone
    assert not Entity.objects.filter(label__contains="Verhoeven").exists()
    assert not Entity.objects.filter(kind=Kind.PHONE, key="+31104763321").exists()


def test_networks_join_through_shared_identifiers_and_keep_near_misses_apart(three):
    nodes = {ref: Entity.objects.get(signal=s) for ref, s in three.items()}
    assert nodes["T-1"].network == nodes["T-2"].network == nodes["T-3"].network  # phone; plate; address
    assert nodes["T-4"].network != nodes["T-1"].network
    assert graph.networks() == 2  # a full recomputation agrees with the incremental one
    nodes = {ref: Entity.objects.get(signal=s) for ref, s in three.items()}
    assert nodes["T-1"].network == nodes["T-3"].network != nodes["T-4"].network


def test_linking_again_replaces_only_that_sources_edges_and_a_full_run_skips_what_is_current(three):
    before = Edge.objects.count()
    service.link_signals([three["T-1"].pk])
    assert Edge.objects.count() == before
    assert service.link_stale() == {"signals": 0, "ad_networks": 0}


def test_need_to_know_holds_edge_by_edge(three, users):
    investigator, analyst = users["investigator"], users["analyst"]  # politie-rotterdam owns the signals; emm not
    phone = Entity.objects.get(kind=Kind.PHONE, key="+31641278390")
    assert queries.may_see(investigator, phone) and not queries.may_see(analyst, phone)
    SignalShare.objects.create(signal=three["T-2"], organisation=analyst.organisation, reason="test")
    assert queries.may_see(analyst, phone)
    near = queries.neighbourhood(analyst, phone)
    assert {e.source.signal_id for e in near.edges} == {three["T-2"].pk}  # T-1's edges stay hidden


def test_shortest_path_and_hubs(three, users):
    user = users["investigator"]
    person = Entity.objects.get(kind=Kind.PERSON, label="H.J. de Vries")
    amsterdam = Entity.objects.get(kind=Kind.ADDRESS, city="amsterdam")
    path = queries.shortest_path(user, person, amsterdam)
    assert path[0][0] == person and path[-1][0] == amsterdam and len(path) <= 7
    assert all(edge is not None for _e, edge in path[1:])
    # every step is a real edge between the two entities
    for (prev, _), (here, edge) in zip(path, path[1:], strict=False):
        assert {edge.a_id, edge.b_id} == {prev.pk, here.pk}
    net = queries.network(user, person)
    assert amsterdam.pk in net.nodes and not any(e.city == "groningen" for e in net.nodes.values())
    assert queries.hubs(net)[0]["score"] > 0


def test_pages(client, three, users, password):
    client.login(username="rechercheur", password=password)
    phone = Entity.objects.get(kind=Kind.PHONE, key="+31641278390")
    page = client.get(reverse("linking:entity", args=[phone.pk])).content.decode()
    assert "06-41278390" in page and "+31 6 41 27 83 90" in page and "T-1" in page
    node = Entity.objects.get(signal=three["T-3"])
    assert client.get(reverse("linking:signal", args=[three["T-3"].pk])).url == reverse("linking:network",
                                                                                         args=[node.pk])
    net = client.get(reverse("linking:network", args=[node.pk])).content.decode()
    assert "Postjesweg 87 3" in net and "Mathenesserlaan 212B" in net and "Groningen" not in net
    data = client.get(reverse("linking:neighbours", args=[phone.pk])).json()
    assert data["total"] == 3 and not data["capped"]
    signal_page = client.get(reverse("register:signal", args=[three["T-1"].pk])).content.decode()
    assert reverse("linking:network", args=[Entity.objects.get(signal=three["T-1"]).pk]) in signal_page
    client.logout()
    client.login(username="analist", password=password)
    assert client.get(reverse("linking:entity", args=[phone.pk])).status_code == 404


def test_ftm_export_validates_and_loads_in_ftm_tools(three, tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    from django.core.management import call_command
    from followthemoney import model

    out = tmp_path / "graph.ftm.jsonl"
    call_command("export_ftm", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    ids = {r["id"] for r in rows}
    for r in rows:
        assert model.get(r["schema"]).validate(r) is None
        proxy = model.get_proxy(r)
        for prop in proxy.iterprops():
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= ids  # no dangling references
    schemata = {r["schema"] for r in rows}
    assert {"PlainText", "Person", "Company", "Address", "Vehicle", "Documentation"} <= schemata
    person = next(r for r in rows if r["schema"] == "Person" and "H.J. de Vries" in r["properties"]["name"])
    assert person["properties"]["phone"] == ["+31641278390"]
    company = next(r for r in rows if r["schema"] == "Company")
    assert company["properties"]["registrationNumber"] == ["71846203"]
    assert not any("Verhoeven" in json.dumps(r) for r in rows)  # reporters are never exported
    # the FtM command line tool reads it back entity for entity
    ftm = Path(sys.executable).with_name("ftm")
    res = subprocess.run([str(ftm), "validate", "-i", str(out), "-o", str(tmp_path / "valid.jsonl")],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert len((tmp_path / "valid.jsonl").read_text().splitlines()) == len(rows)


def test_watching_a_network_alerts_on_a_new_signal_that_touches_it(client, three, users, password,
                                                                    django_capture_on_commit_callbacks):
    client.login(username="rechercheur", password=password)
    plate = Entity.objects.get(kind=Kind.VEHICLE, key="54TVR1")
    assert client.post(reverse("linking:watch", args=[plate.pk]), {"reason": "flats of H.J. de Vries"}).status_code \
        == 302
    with django_capture_on_commit_callbacks(execute=True):  # a new tip with the same phone, written another way
        store(tip("T-5", phones=["0031 6 41278390"]), owner="politie-rotterdam")
    page = client.get(reverse("linking:alerts")).content.decode()
    assert "T-5" in page and "+31641278390" in page
    with django_capture_on_commit_callbacks(execute=True):  # unrelated: no alert
        store(tip("T-6", phones=["06-99887766"]), owner="politie-rotterdam")
    assert "T-6" not in client.get(reverse("linking:alerts")).content.decode()
    client.logout()
    client.login(username="analist", password=password)  # watches nothing, reads nothing of it
    assert "T-5" not in client.get(reverse("linking:alerts")).content.decode()


def test_a_huge_hub_neither_joins_networks_nor_floods_a_page(users, django_capture_on_commit_callbacks, monkeypatch):
    """A number shared by very many sources (here: more than 3) is shown but never walked through."""
    from vigil.linking import graph as graph_module

    monkeypatch.setattr(graph_module, "HUB_DEGREE", 3)
    monkeypatch.setattr(queries, "HUB_DEGREE", 3)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):  # six unrelated tips that all give the same call-centre number, each its own plate
            store(tip(f"H-{n}", phones=["088-1234567"], vehicles=[{"plate": f"{n}-ABC-12"}]),
                  owner="politie-rotterdam")
    graph_module.networks()
    hub = Entity.objects.get(kind=Kind.PHONE, key="+31881234567")
    assert hub.degree == 6 and hub.network is None
    plates = list(Entity.objects.filter(kind=Kind.VEHICLE))
    assert len({p.network for p in plates}) == 6  # the hub joined nothing
    user = users["investigator"]
    net = queries.network(user, plates[0])
    assert hub.pk in net.nodes and hub in net.hubs_held and net.capped
    assert not any(e.kind == Kind.VEHICLE and e.pk != plates[0].pk for e in net.nodes.values())
    monkeypatch.setattr(queries, "NEIGHBOURS", 2)
    near = queries.neighbourhood(user, hub)
    assert near.total == 6 and len(near.edges) == 2 and near.capped and near.by_kind == {"signal": 6}
    assert queries.shortest_path(user, plates[0], plates[1]) == []  # not through the hub


def test_self_links_are_dropped(users):
    from vigil.linking import graph as graph_module

    store(tip("X-1"), owner="politie-rotterdam")
    signal = Signal.objects.get(ref="X-1")
    phone = graph_module.Mention(Kind.PHONE, "+31612345678", "+31612345678", "06-12345678", "phones")
    node = graph_module.Mention(Kind.SIGNAL, str(signal.pk), "X-1", "X-1", "signal")
    derived = graph_module.Derived(node, None, [phone, phone], pairs=[(0, 1, "uses")])
    graph_module.store([derived], {})
    entity = Entity.objects.get(kind=Kind.PHONE)
    assert not Edge.objects.filter(a=entity, b=entity).exists()
    assert Edge.objects.filter(b=entity, relation="mentions").count() == 2


@pytest.mark.django_db(transaction=True)
def test_ads_join_the_graph_through_their_networks_and_alert_a_watched_network(three, users, tmp_path):
    from tests.conftest import write_jsonl
    from vigil.ads.importer import import_ads
    from vigil.linking.models import Watch, WatchAlert

    phone = Entity.objects.get(kind=Kind.PHONE, key="+31641278390")
    Watch.objects.create(entity=phone, user=users["investigator"], reason="manager's number")
    body = "Nieuw in Almere! Lieve meiden, bel {} voor een afspraak, discreet en 24/7 beschikbaar."
    write_jsonl(tmp_path / "ads.jsonl", [
        {"site": "s.example", "id": "1", "collected_at": "2026-03-01T10:00:00Z", "body": body.format("06-41278390")},
        {"site": "s.example", "id": "2", "collected_at": "2026-03-02T10:00:00Z", "body": body.format("0641278390")}])
    import_ads(tmp_path / "ads.jsonl", owner="politie-rotterdam", workers=0)  # the graph follows (background task)
    source = Entity.objects.get(kind=Kind.AD_NETWORK)
    assert Edge.objects.filter(source=source, b=phone, evidence__role="2 ads").exists()
    assert WatchAlert.objects.filter(watch__entity=phone, source=source).exists()


@pytest.mark.parametrize("role", ["intake_operator", "analyst", "investigator", "ind_officer", "partner",
                                  "privacy_officer", "administrator"])
def test_graph_pages_as_every_role(client, three, users, role):
    """Roles without reading signals get 403; readers see an entity only through edges of signals they may read
    (politie-rotterdam owns these: its investigator sees them, everybody else gets 404, audited)."""
    from vigil.audit.models import AuditEntry
    from vigil.organisations.roles import CAPABILITIES

    user = users[role]
    client.force_login(user)
    phone = Entity.objects.get(kind=Kind.PHONE, key="+31641278390")
    node = Entity.objects.get(signal=three["T-1"])
    urls = [reverse("linking:entity", args=[phone.pk]), reverse("linking:network", args=[phone.pk]),
            reverse("linking:neighbours", args=[phone.pk]), reverse("linking:network", args=[node.pk])]
    readable = user.organisation and user.organisation.slug == "politie-rotterdam"
    for url in urls:
        status = client.get(url).status_code
        if "read_signals" not in CAPABILITIES[role]:
            assert status == 403, (role, url)
        else:
            assert status == (200 if readable else 404), (role, url, status)
    if "read_signals" in CAPABILITIES[role] and not readable:
        assert AuditEntry.objects.filter(username=user.username, action="denied", object_type="entity").exists()
    assert client.get(reverse("linking:alerts")).status_code == (200 if "read_signals" in CAPABILITIES[role] else 403)
