"""The workspace as people use it: Playwright driving Debian's Chromium against a live server."""

import pytest

from tests.browser import SHOTS, login
from tests.conftest import make_record, store
from vigil.register.models import Signal

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def seeded(transactional_db, users):
    store(
        make_record("NLA-2026-0042", source="inspection", organisation="Nederlandse Arbeidsinspectie",
                    narrative="Bij controle in de kas: 9 Poolse werknemers, paspoorten bij de uitzender. "
                              "Contact uitzender: 06-41 27 83 90.",
                    persons=[{"role": "possible_suspect", "name": "Marek Nowak", "phones": ["06-41 27 83 90"]}],
                    suspected_forms=["labour"]),
        make_record("MEL-7", narrative="Melding via de meldlijn, geen telefoonnummer."),
        owner="emm",
    )
    store(make_record("ROT-99", narrative="Alleen voor Rotterdam."), owner="politie-rotterdam")
    return {s.ref: s for s in Signal.objects.all()}


def logout(page):
    page.click("header form[action$='/logout/'] button")


def test_analyst_workflow_and_privacy_officer_sees_it(page, live_server, seeded, password):
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    login(page, base, "analist", password)
    page.wait_for_selector("table.queue")
    # filter the queue on channel: the htmx request replaces the rows (or a full page load without JS)
    page.select_option("#id_channel", "inspection")
    page.click(".filters button[type=submit]")
    page.wait_for_function("!document.querySelector('#queue-rows').innerText.includes('MEL-7')")
    rows = page.locator("#queue-rows tbody tr")
    assert rows.count() == 1 and "NLA-2026-0042" in rows.first.inner_text()
    page.screenshot(path=str(SHOTS / "queue-filtered.png"), full_page=True)
    # open the signal: the phone in the narrative is highlighted with its normalised form
    page.click("text=NLA-2026-0042")
    page.wait_for_selector("mark.ident-phone")
    assert "+31641278390" in page.get_attribute("mark.ident-phone", "title")
    page.screenshot(path=str(SHOTS / "signal.png"), full_page=True)
    # find it again with the phone typed in another format
    page.goto(f"{base}/signals/search/")
    page.fill("#q", "+31 6 4127 8390")
    page.press("#q", "Enter")
    page.wait_for_selector("text=NLA-2026-0042")
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
    logout(page)
    # the privacy officer sees the read and the search in the audit log
    login(page, base, "privacy", password)
    page.goto(f"{base}/audit/")
    page.fill("#id_user", "analist")
    page.click(".filters button[type=submit]")
    table = page.locator("table.audit").inner_text()
    signal_id = str(seeded["NLA-2026-0042"].pk)
    assert f"signal {signal_id}" in table
    assert "+31 6 4127 8390" in table  # the search terms
    page.screenshot(path=str(SHOTS / "audit.png"), full_page=True)


def test_partner_cannot_open_unshared_signal_and_attempt_is_audited(page, live_server, seeded, password):
    base = live_server.url
    target = seeded["ROT-99"]
    login(page, base, "partner", password)
    page.wait_for_selector("table.queue")
    assert "ROT-99" not in page.content()
    response = page.goto(f"{base}/signals/{target.pk}/")
    assert response.status in (403, 404)
    logout(page)
    login(page, base, "privacy", password)
    page.goto(f"{base}/audit/?user=partner&action=denied")
    table = page.locator("table.audit").inner_text()
    assert f"signal {target.pk}" in table
    page.screenshot(path=str(SHOTS / "audit-denied.png"), full_page=True)


def test_analyst_reads_the_assessment_and_judges_an_indicator(page, live_server, seeded, password):
    """Signs are marked in the narrative with their source; a rejected sign stops counting; the queue sorts by
    priority."""
    store(make_record("MEL-8", narrative="De baas houdt haar paspoort in en ze moet al haar geld afdragen. "
                                         "Ze moet elke avond met klanten mee."), owner="emm")
    base = live_server.url
    login(page, base, "analist", password)
    page.goto(f"{base}/signals/?sort=priority")
    first = page.locator("#queue-rows tbody tr").first.inner_text()
    assert "MEL-8" in first
    page.click("text=MEL-8")
    sign = page.locator('span.sign[data-indicator="means.documents_held"]')
    sign.wait_for()
    assert "ILO" in sign.get_attribute("title")
    sign.focus()  # reachable by keyboard, so the tooltip is too
    assert page.evaluate("document.activeElement.dataset.indicator") == "means.documents_held"
    page.screenshot(path=str(SHOTS / "assessment.png"), full_page=True)
    row = page.locator("#ind-means\\.documents_held")
    row.locator("input[name=reason]").fill("Paspoort ligt bij de gemeente, niet bij de baas.")
    row.locator("button[value=rejected]").click()
    page.wait_for_selector("text=Uw oordeel is opgeslagen.")
    assert page.locator('span.sign[data-indicator="means.documents_held"]').count() == 0
    assert "Verworpen" in page.locator("#ind-means\\.documents_held").inner_text()
    assert "Met de oordelen van analisten" in page.locator("#assessment").inner_text()
