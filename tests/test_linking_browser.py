"""The press story, in the browser: from any one signal of the three-city network, an analyst reaches the manager
and all three flats in two clicks, with the evidence of each link."""

import pytest

from tests.browser import SHOTS, login
from vigil.demo.load import load_demo
from vigil.linking import resolution, service
from vigil.register.models import Signal

pytestmark = pytest.mark.browser

FLATS = ("Mathenesserlaan 212", "Postjesweg 87", "Grote Markt 14")


@pytest.fixture
def world(transactional_db):
    world, _logins, _result = load_demo()
    service.relink_all()
    resolution.resolve_persons()
    return world


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def test_from_any_signal_of_the_network_to_the_manager_and_the_three_flats(page, live_server, world, password):
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    login(page, base, "analist", password)
    refs = sorted(world.networks["flat-manager"])
    for n, ref in enumerate((refs[0], refs[len(refs) // 2], refs[-1])):
        signal = Signal.objects.get(ref=ref)
        page.goto(f"{base}/signals/{signal.pk}/")
        if signal.sensitive:  # a sensitive signal asks for the reason to read it first (audited), as always
            page.fill("#id_reason", "Onderzoek netwerk woningbeheerder")
            page.click("main button[type=submit]")
        page.click("a[href*='/links/networks/']")  # click 1: the network around this signal
        page.wait_for_selector("table.links")
        members = page.locator("#h-members + table").inner_text()
        links = page.locator("table.links").inner_text()
        for flat in FLATS:
            assert flat in members, (ref, flat)
            assert flat in links  # each flat with the evidence of the link that brings it in
        hubs = page.locator("#h-hubs + table").inner_text()
        assert "de Vries" in hubs
        if n == 0:
            page.wait_for_selector("#graph canvas")  # Cytoscape drew the graph
            page.screenshot(path=str(SHOTS / "network.png"), full_page=True)
        # click 2: the manager, with every source and the evidence of each link
        page.locator("#h-hubs + table a", has_text="de Vries").first.click()
        page.wait_for_selector("#h-links")
        assert "Hendrik" in page.locator("h1").inner_text() or "de Vries" in page.locator("h1").inner_text()
        evidence = page.locator("#h-links + table").inner_text()
        assert "persons" in evidence and "possible_suspect" in evidence
        who = page.locator("#h-who + p + table").inner_text()
        assert who.count("Vries") >= 3  # one person, written several ways in several signals
    page.screenshot(path=str(SHOTS / "manager.png"), full_page=True)
