"""Case work in the browser: the analyst opens a case from the demo world's three-city network, adds a task and
sees it on the case page with the case's network drawn."""

import datetime as dt

import pytest

from tests.browser import SHOTS, login
from vigil.cases.models import Case
from vigil.demo.load import load_demo
from vigil.linking import service
from vigil.linking.models import Entity, Kind

pytestmark = pytest.mark.browser

MANAGER_PHONE = "+31641278390"


@pytest.fixture
def world(transactional_db):
    world, _logins, _result = load_demo()
    service.relink_all()  # the graph as the demo builds it (persons resolution is not needed here)
    return world


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"},
                                  viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def test_open_a_case_from_the_three_city_network_and_add_a_task(page, live_server, world, password):
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    login(page, base, "analist", password)
    phone = Entity.objects.get(kind=Kind.PHONE, key=MANAGER_PHONE)
    page.goto(f"{base}/links/networks/{phone.pk}/")
    page.wait_for_selector("table.links")
    page.fill(f"#case-title-network-{phone.pk}", "Woningbeheerder drie steden")
    page.click("button[data-case=open]")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(title="Woningbeheerder drie steden")
    assert case.reference in page.locator("h1").inner_text()
    signals = page.locator("#h-signals + table").inner_text()
    refs = sorted(world.networks["flat-manager"])
    assert sum(ref in signals for ref in refs) >= len(refs) // 2  # the network's signals came with it
    assert f"network {phone.pk}" in signals  # and how they came in
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    page.fill("#id_task_title", "Kadaster opvragen voor de drie flats")
    page.fill("#id_task_due", due)
    page.click("form.case-task button[type=submit]")
    page.wait_for_selector("table.tasks >> text=Kadaster opvragen voor de drie flats")
    assert due in page.locator("table.tasks").inner_text()
    page.wait_for_selector("#graph canvas")  # Cytoscape drew the case's network
    assert "New task: Kadaster opvragen voor de drie flats" in page.locator("#h-timeline + ol").inner_text()
    page.screenshot(path=str(SHOTS / "case.png"), full_page=True)
    assert case.tasks.get().due.isoformat() == due
