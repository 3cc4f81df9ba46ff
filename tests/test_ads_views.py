"""The ads workspace pages: access, content, phone search in any format, highlighting and the audit log."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.staticfiles import finders

from vigil.ads import pipeline
from vigil.ads.models import Ad, AdAlert, AdNetwork, AdVersion, Sighting, TemplateCluster
from vigil.audit.models import AuditEntry
from vigil.organisations.models import Organisation

PHONE = "+31612345678"
OTHER_PHONE = "+31687654321"
TZ = dt.timezone(dt.timedelta(hours=1))
T1 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
T2 = dt.datetime(2026, 3, 12, 10, 0, tzinfo=TZ)
T3 = dt.datetime(2026, 3, 20, 10, 0, tzinfo=TZ)

TITLE = "Nieuw in Utrecht! Lisa 19"
BODY = ("Hoi ik ben Lisa, 19 jaar, net nieuw in Utrecht. Bel 06-12 34 56 78 of mail lisa@example.com. "
        "30 min 80 euro. 24/7 beschikbaar, geen condoom nodig.")
OLD_BODY = ("Hoi ik ben Lisa, 19 jaar, net nieuw in Rotterdam. Bel 06-12 34 56 78 of mail lisa@example.com. "
            "30 min 80 euro. 24/7 beschikbaar.")
MIA_BODY = ("Hoi ik ben Mia, 20 jaar, net nieuw in Rotterdam. Bel 06-87 65 43 21 of mail mia@example.com. "
            "30 min 80 euro. 24/7 beschikbaar.")


def span(text: str, given: str, field: str, **item) -> dict:
    start = text.index(given)
    return {"given": given, "field": field, "start": start, "end": start + len(given), **item}


def extraction(body: str, phone_given: str, phone: str, email: str, city: str) -> dict:
    return {
        "phones": [span(body, phone_given, "body", value=phone, kind="")],
        "emails": [span(body, email, "body", value=email, kind="")],
        "ages": [span(body, "19 jaar", "body", value=19, source="text")] if "19 jaar" in body else [],
        "prices": [span(body, "30 min 80 euro", "body", amount=80, currency="EUR", minutes=30)],
        "places": [span(body, city, "body", municipality=city, code="", district=None, lat=0, lon=0)],
        "language": "nl",
    }


def capture(ad, number, at, title, body, city, phones, extraction_, **kw):
    return AdVersion.objects.create(
        ad=ad, number=number, collected_at=at, title=title, body=body, location=city, city=city, phones=phones,
        content_hash=f"{ad.pk}-{number}-{hash(body) & 0xffff}", extraction=extraction_,
        given={"contact": {"phone": "06 1234 5678"}, "poster": "lisa_nl",
               "images": [{"sha256": "ab" * 32, "phash": "bc6277a640a594c6"}, {"path": "img/1.jpg"}]},
        indicators=["ad.new_in_town", "ad.always_available"], summary={"priority": 20}, score=20.0, **kw)


@pytest.fixture
def world(users):
    owner = Organisation.objects.get(slug="emm")
    cluster = TemplateCluster.objects.create(size=2, phones=[PHONE, OTHER_PHONE], cities=["Rotterdam", "Utrecht"],
                                             first_seen=T1, last_seen=T2)
    network = AdNetwork.objects.create(size=2, score=55.0, phones=[PHONE, OTHER_PHONE],
                                       cities=["Rotterdam", "Utrecht"], first_seen=T1, last_seen=T2)
    lisa = Ad.objects.create(
        owner=owner, site="kinky.example", site_ad_id="LISA-1", first_collected=T1, last_collected=T2, versions=2,
        title=TITLE, city="Utrecht", language="nl", phones=[PHONE], emails=["lisa@example.com"],
        handles=["telegram:lisa19"], image_hashes=["f0f0a1a2b3b4c5c6"], ages=[19],
        indicators=["ad.new_in_town", "ad.always_available", "ad.unprotected"], score=55.0, cluster=cluster,
        network=network)
    capture(lisa, 1, T1, "Nieuw in Rotterdam! Lisa 19", OLD_BODY, "Rotterdam", [PHONE],
            extraction(OLD_BODY, "06-12 34 56 78", PHONE, "lisa@example.com", "Rotterdam"))
    capture(lisa, 2, T2, TITLE, BODY, "Utrecht", [PHONE],
            extraction(BODY, "06-12 34 56 78", PHONE, "lisa@example.com", "Utrecht"))
    mia = Ad.objects.create(
        owner=owner, site="escort.example", site_ad_id="MIA-7", first_collected=T1 + dt.timedelta(hours=1),
        last_collected=T1 + dt.timedelta(hours=1), versions=1, title="Nieuw in Rotterdam! Mia 20",
        city="Rotterdam", language="nl", phones=[OTHER_PHONE], emails=["mia@example.com"], score=30.0,
        cluster=cluster, network=network)
    capture(mia, 1, T1 + dt.timedelta(hours=1), "Nieuw in Rotterdam! Mia 20", MIA_BODY, "Rotterdam",
            [OTHER_PHONE], extraction(MIA_BODY, "06-87 65 43 21", OTHER_PHONE, "mia@example.com", "Rotterdam"))
    quiet = Ad.objects.create(
        owner=owner, site="kinky.example", site_ad_id="Q-3", first_collected=T3, last_collected=T3, versions=1,
        title="Massage ontspanning", city="Amsterdam", language="nl", score=5.0)
    AdVersion.objects.create(ad=quiet, number=1, collected_at=T3, title="Massage ontspanning",
                             body="Rustige massage in Amsterdam Zuid, alleen op afspraak.", city="Amsterdam",
                             content_hash="q3", extraction={"language": "nl"})
    Sighting.objects.create(kind="phone", key=PHONE, city="Rotterdam", first_seen=T1, last_seen=T1, captures=1)
    Sighting.objects.create(kind="phone", key=PHONE, city="Utrecht", first_seen=T2, last_seen=T2, captures=1)
    Sighting.objects.create(kind="template", key=str(cluster.pk), city="Rotterdam", first_seen=T1, last_seen=T1,
                            captures=2)
    Sighting.objects.create(kind="template", key=str(cluster.pk), city="Utrecht", first_seen=T2, last_seen=T2)
    alert = AdAlert.objects.create(kind="phone", key=PHONE, city="Utrecht", previous_cities=["Rotterdam"], ad=lisa,
                                   at=T2)
    pipeline.index_text([lisa.pk, mia.pk, quiet.pk])  # what the import does for the latest captures
    return {"lisa": lisa, "mia": mia, "quiet": quiet, "cluster": cluster, "network": network, "alert": alert}


def pages(world) -> list[str]:
    return ["/ads/", f"/ads/{world['lisa'].pk}/", f"/ads/clusters/{world['cluster'].pk}/",
            f"/ads/phones/{PHONE}/", "/ads/networks/", f"/ads/networks/{world['network'].pk}/", "/ads/alerts/"]


def html(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- access ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["partner", "privacy_officer", "administrator"])
def test_refused_for_roles_that_may_not_read_ads(client, world, users, role):
    client.force_login(users[role])
    for url in pages(world):
        assert client.get(url).status_code == 403, (role, url)
    assert AuditEntry.objects.filter(username=users[role].username, action="denied", object_id="read_ads").exists()
    assert not AuditEntry.objects.filter(username=users[role].username, action__in=["view", "search"]).exists()


def test_public_is_sent_to_login(client, world):
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


@pytest.mark.parametrize("role", ["intake_operator", "analyst", "investigator", "ind_officer"])
def test_open_for_roles_that_read_signals(client, world, users, role):
    client.force_login(users[role])
    for url in pages(world):
        assert client.get(url).status_code == 200, (role, url)


def test_menu_link_only_for_ad_readers(client, world, users):
    client.force_login(users["analyst"])
    assert 'href="/ads/"' in html(client, "/signals/")
    client.force_login(users["partner"])
    assert 'href="/ads/"' not in html(client, "/signals/")


# --- search ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["06-12 34 56 78", "+31612345678", "0031 6 12345678", "(06) 1234 5678"])
def test_phone_search_finds_the_ad_however_the_number_is_written(client, world, users, written):
    client.force_login(users["analyst"])
    page = html(client, "/ads/", phone=written)
    assert "LISA-1" in page and "MIA-7" not in page and "Q-3" not in page
    entry = AuditEntry.objects.filter(username="analist", action="search").latest("id")
    assert entry.detail["terms"] == {"phone": PHONE} and entry.detail["hits"] == 1


def test_phone_search_finds_a_number_only_an_earlier_capture_showed(client, world, users):
    quiet = world["quiet"]
    AdVersion.objects.create(ad=quiet, number=0, collected_at=T1, title="Massage", body="Bel 06-87654321",
                             city="Amsterdam", phones=[OTHER_PHONE], content_hash="q0")
    client.force_login(users["analyst"])
    page = html(client, "/ads/", phone="0687654321")
    assert "MIA-7" in page and "Q-3" in page and "LISA-1" not in page


def test_invalid_phone_is_explained_and_not_searched(client, world, users):
    client.force_login(users["analyst"])
    page = html(client, "/ads/", phone="12ab")
    assert "not a phone number" in page.lower() or "geen telefoonnummer" in page.lower()
    assert not AuditEntry.objects.filter(action="search").exists()


def test_free_text_city_and_dates(client, world, users):
    client.force_login(users["analyst"])
    page = html(client, "/ads/", q="condoom")  # only in the latest capture of Lisa's ad
    assert "LISA-1" in page and "MIA-7" not in page and "Q-3" not in page
    page = html(client, "/ads/", q="massage afspraak")
    assert "Q-3" in page and "LISA-1" not in page
    page = html(client, "/ads/", q="Mia")
    assert "MIA-7" in page and "LISA-1" not in page
    page = html(client, "/ads/", city="rotterdam")
    assert "MIA-7" in page and "LISA-1" not in page
    page = html(client, "/ads/", date_from="2026-03-10", date_to="2026-03-15")
    assert "LISA-1" in page and "MIA-7" not in page and "Q-3" not in page
    entry = AuditEntry.objects.filter(action="search").latest("id")
    assert entry.detail["terms"] == {"date_from": "2026-03-10", "date_to": "2026-03-15"}


def test_results_highest_score_first_with_links(client, world, users):
    client.force_login(users["investigator"])
    page = html(client, "/ads/")
    assert page.index("LISA-1") < page.index("MIA-7") < page.index("Q-3")
    assert f'href="/ads/phones/{PHONE}/"' in page
    assert f'href="/ads/clusters/{world["cluster"].pk}/"' in page
    assert f'href="/ads/networks/{world["network"].pk}/"' in page


def test_results_are_paginated(client, world, users, monkeypatch):
    monkeypatch.setattr("vigil.ads.views.PAGE_SIZE", 2)
    client.force_login(users["analyst"])
    first = html(client, "/ads/")
    assert "LISA-1" in first and "MIA-7" in first and "Q-3" not in first and "page=2" in first
    second = html(client, "/ads/", page=2)
    assert "Q-3" in second and "LISA-1" not in second


def test_htmx_search_returns_only_the_results(client, world, users):
    client.force_login(users["analyst"])
    response = client.get("/ads/", {"q": "Lisa"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "LISA-1" in page and "<html" not in page


# --- the ad page -------------------------------------------------------------------------------------------------

def test_ad_page_marks_what_was_extracted_and_the_signs(client, world, users):
    lisa = world["lisa"]
    client.force_login(users["analyst"])
    page = html(client, f"/ads/{lisa.pk}/")
    assert 'data-kind="phone"' in page
    assert f'title="phone: {PHONE}">06-12 34 56 78</mark>' in page or f'{PHONE}">06-12 34 56 78</mark>' in page
    assert '>lisa@example.com</mark>' in page
    assert '>30 min 80 euro</mark>' in page
    assert '>19 jaar</mark>' in page
    # indicators read again with evidence, underlined in title and body
    assert 'data-indicator="ad.new_in_town"' in page and 'data-indicator="ad.unprotected"' in page
    assert "ind-ad.always_available" in page
    # contact fields, image hashes, history with the move and the changed text
    assert "06 1234 5678" in page and "lisa_nl" in page and "f0f0a1a2b3b4c5c6" in page
    assert "bc6277a640a594c6" in page and "img/1.jpg" in page  # images as given, with or without a path
    assert "<del>Rotterdam." in page and "<ins>Utrecht." in page
    assert f'href="/ads/clusters/{world["cluster"].pk}/"' in page
    assert f'href="/ads/networks/{world["network"].pk}/"' in page
    assert f'href="/ads/phones/{PHONE}/"' in page
    entry = AuditEntry.objects.get(action="view", object_type="ad")
    assert entry.object_id == str(lisa.pk) and entry.username == "analist"


def test_ad_page_escapes_the_text(client, world, users):
    lisa = world["lisa"]
    body = "<script>alert(1)</script> Bel 06-12 34 56 78"
    AdVersion.objects.create(ad=lisa, number=3, collected_at=T3, title="<b>x</b>", body=body, city="Utrecht",
                             phones=[PHONE], content_hash="x",
                             extraction={"phones": [span(body, "06-12 34 56 78", "body", value=PHONE)]})
    client.force_login(users["analyst"])
    page = html(client, f"/ads/{lisa.pk}/")
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "&lt;b&gt;x" in page
    assert "06-12 34 56 78</mark>" in page


def test_phone_written_again_in_the_text_is_marked_too(client, world, users):
    """The extraction keeps one place per number (here the contact field); the text's copy is marked as well."""
    lisa = world["lisa"]
    body = "Bel me: 06 12345678"
    AdVersion.objects.create(ad=lisa, number=3, collected_at=T3, title="x", body=body, city="Utrecht",
                             phones=[PHONE], content_hash="y", extraction={"phones": [
                                 {"value": PHONE, "given": "0612345678", "field": "contact.phone", "start": 0,
                                  "end": 10}]})
    client.force_login(users["analyst"])
    assert ">06 12345678</mark>" in html(client, f"/ads/{lisa.pk}/")


def test_unknown_ad_is_404(client, world, users):
    client.force_login(users["analyst"])
    assert client.get("/ads/999999/").status_code == 404


# --- cluster, phone, networks, alerts ----------------------------------------------------------------------------

def test_cluster_page_shows_the_template_with_slots(client, world, users):
    cluster = world["cluster"]
    client.force_login(users["analyst"])
    page = html(client, f"/ads/clusters/{cluster.pk}/")
    assert 'class="ident ident-slot"' in page and "⟨1⟩" in page
    assert "Lisa," in page and "Mia," in page  # the values of the name slot
    assert "jaar, net nieuw in" in page  # the shared text
    assert "LISA-1" in page and "MIA-7" in page and "Q-3" not in page
    assert page.index("Rotterdam</td>") < page.index("Utrecht</td>")  # cities in the order first seen
    assert AuditEntry.objects.filter(action="view", object_type="templatecluster",
                                     object_id=str(cluster.pk)).exists()


def test_phone_page(client, world, users):
    client.force_login(users["investigator"])
    page = html(client, f"/ads/phones/{PHONE}/")
    assert "LISA-1" in page and "MIA-7" not in page
    assert page.index("Rotterdam") < page.index("Utrecht")
    assert "52.0896" in page  # Utrecht's centre from municipalities.json
    assert "<svg" in page and "<polyline" in page
    assert "2026-03-09" in page  # the week of the second capture (Monday)
    assert "Utrecht</strong>" in page  # the alert: known number in a new city
    assert AuditEntry.objects.filter(action="view", object_type="phone", object_id=PHONE).exists()


def map_json(page: str, element_id: str) -> dict:
    """The JSON of a map (``static/vigil/map.js``): a ``<script type="application/json">`` named by ``data-map``."""
    assert f'data-map="{element_id}"' in page
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def test_phone_page_map(client, world, users, settings):
    settings.VIGIL_MAP_TILES = "https://tiles.example/{z}/{x}/{y}.png"
    settings.VIGIL_MAP_ATTRIBUTION = "Kaartgegevens © Kadaster"
    client.force_login(users["investigator"])
    page = html(client, f"/ads/phones/{PHONE}/")
    data = map_json(page, "phone-map-data")
    assert [p["name"] for p in data["points"]] == ["Rotterdam", "Utrecht"]  # in the order first seen
    assert data["points"][1]["lat"] == pytest.approx(52.0896, abs=1e-3)
    assert data["points"][0]["label"].startswith("1. Rotterdam") and "2026-03-02" in data["points"][0]["label"]
    assert data["route"] is True
    assert data["tiles"] == "https://tiles.example/{z}/{x}/{y}.png" and data["attribution"] == "Kaartgegevens © Kadaster"
    assert 'data-map-replaces="sketch-map"' in page and 'id="sketch-map"' in page  # the sketch stays without JS
    assert "<table" in page and "<svg" in page
    for name in ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "vigil/map.js"):
        assert finders.find(name), name
        assert f'/static/{name}"' in page
    assert "<script>" not in page  # no inline scripts: the CSP forbids them
    csp = client.get(f"/ads/phones/{PHONE}/")["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example;" in csp and "script-src 'self';" in csp
    assert "tiles.example" not in client.get("/ads/")["Content-Security-Policy"]  # other pages stay strict


def test_map_without_tiles(client, world, users, settings):
    settings.VIGIL_MAP_TILES = ""
    client.force_login(users["analyst"])
    data = map_json(html(client, f"/ads/phones/{PHONE}/"), "phone-map-data")
    assert data["tiles"] is None and data["attribution"] == "" and len(data["points"]) == 2
    data = map_json(html(client, f"/ads/networks/{world['network'].pk}/"), "network-map-data")
    assert data["tiles"] is None and data["points"]
    assert "img-src 'self' data:;" in client.get(f"/ads/phones/{PHONE}/")["Content-Security-Policy"]


def test_map_leaves_out_unknown_cities_and_escapes(client, world, users):
    Sighting.objects.create(kind="phone", key=PHONE, city="</script><b>Nergenshuizen", first_seen=T3, last_seen=T3)
    client.force_login(users["analyst"])
    page = html(client, f"/ads/phones/{PHONE}/")
    assert "</script><b>" not in page
    assert [p["name"] for p in map_json(page, "phone-map-data")["points"]] == ["Rotterdam", "Utrecht"]


def test_no_map_without_known_cities(client, world, users):
    client.force_login(users["analyst"])
    page = html(client, f"/ads/phones/{OTHER_PHONE}/")
    assert "data-map=" not in page and "leaflet.js" not in page


def test_phone_page_accepts_any_format_and_redirects(client, world, users):
    client.force_login(users["analyst"])
    response = client.get("/ads/phones/0612345678/")
    assert response.status_code == 302 and response["Location"] == f"/ads/phones/{PHONE}/"
    assert client.get("/ads/phones/12ab/").status_code == 404


def test_network_list_and_page(client, world, users):
    network = world["network"]
    AdNetwork.objects.create(size=2, score=10.0, phones=["+31600000001"], cities=["Venlo"])
    client.force_login(users["analyst"])
    page = html(client, "/ads/networks/")
    assert page.index(f'href="/ads/networks/{network.pk}/"') < page.index("+31600000001")  # score 55 before 10
    assert "Utrecht" in page
    page = html(client, f"/ads/networks/{network.pk}/")
    assert "LISA-1" in page and "MIA-7" in page and "Q-3" not in page
    assert f'href="/ads/clusters/{world["cluster"].pk}/"' in page
    assert "2026-03-02" in page and "Rotterdam 2/2" in page and "Utrecht 1/1" in page  # week, city captures/ads
    assert f'href="/ads/phones/{PHONE}/"' in page and "Utrecht</strong>" in page  # the alert
    assert AuditEntry.objects.filter(action="view", object_type="adnetwork", object_id=str(network.pk)).exists()
    data = map_json(page, "network-map-data")  # the cities of its ads, with counts, no route
    assert [(p["name"], p["count"]) for p in data["points"]] == [("Rotterdam", 2), ("Utrecht", 1)]
    assert data["route"] is False and data["points"][0]["label"] == "Rotterdam: 2 advertenties, 2 vastleggingen"  # Dutch by default
    assert AuditEntry.objects.filter(action="view", object_type="adnetwork", object_id="list").exists()


def test_alerts_page(client, world, users):
    newer = AdAlert.objects.create(kind="template", key=str(world["cluster"].pk), city="Den Haag",
                                   previous_cities=["Rotterdam", "Utrecht"], ad=world["mia"], at=T3)
    client.force_login(users["analyst"])
    page = html(client, "/ads/alerts/")
    assert page.index("Den Haag") < page.index(f'href="/ads/phones/{PHONE}/"')  # newest first
    assert f'href="/ads/clusters/{newer.key}/"' in page and "Rotterdam, Utrecht" in page
    assert AuditEntry.objects.filter(action="view", object_type="adalert").exists()
