"""Case work in the browser, the whole story: the analyst opens a case from the demo world's three-city network,
adds a task, and refers it to the Rotterdam police under TLP:AMBER, leaving one signal out; the investigator finds
it in the inbox, sees only what was shared, accepts and reports an investigation opened; the analyst sees that on
the case page; the PDF dossier carries the marking on every page (read back as text and as pixels)."""

import datetime as dt
from io import BytesIO

import pypdfium2 as pdfium
import pytest

from tests.browser import SHOTS, login
from tests.test_dossier import band_pixels
from vigil.cases.models import Case, Referral, ReferralStatus
from vigil.demo.load import load_demo
from vigil.linking import service
from vigil.linking.models import Entity, Kind
from vigil.register.models import Signal

pytestmark = pytest.mark.browser

MANAGER_PHONE = "+31641278390"
AMBER = (0xFF, 0xC0, 0x00)


@pytest.fixture
def world(transactional_db):
    world, _logins, _result = load_demo()
    service.relink_all()
    return world


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"},
                                  viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    yield context
    context.close()


def open_from_the_network_and_add_a_task(page, base, world) -> Case:
    """As the analyst: "Open case" on the network page, then a task with a due date."""
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
    return case


def test_open_a_case_from_the_network_and_refer_it_to_the_rotterdam_police(context, live_server, world, password):
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    page = context.new_page()
    login(page, base, "analist", password)
    case = open_from_the_network_and_add_a_task(page, base, world)
    left_out = Signal.objects.filter(pk__in=case.items.values("signal")).order_by("ref").first()

    # the analyst refers it from the case page
    page.click("#referrals-heading ~ p a[href$='/new/']")
    page.wait_for_selector("form.refer")
    page.select_option("#id_to_organisation", label="Politie Eenheid Rotterdam")
    page.fill("#id_reason", "De woningbeheerder en de flat aan de Mathenesserlaan vallen onder uw eenheid.")
    page.check("input[name=tlp][value=amber]")
    page.check("input[name=pap][value=green]")
    assert page.is_checked(f"input[name=signals][value='{left_out.pk}']")  # every item is ticked at first
    page.uncheck(f"input[name=signals][value='{left_out.pk}']")
    page.screenshot(path=str(SHOTS / "referral-form.png"), full_page=True)
    page.click("form.refer button[type=submit]")
    page.wait_for_url("**/referrals/sent/*/")
    referral = Referral.objects.get(case=case)
    assert referral.reference in page.locator("h1").inner_text()
    assert "TLP:AMBER" in page.locator(".marking").inner_text()
    page.close()

    # the investigator in Rotterdam finds it, reads what was shared and nothing else, accepts, reports back
    receiver = context.browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"},
                                           viewport={"width": 1400, "height": 1000})
    try:
        page = receiver.new_page()
        login(page, base, "rechercheur", password)
        page.click("header nav a[href='/referrals/']")
        page.click(f"table.inbox a:has-text('{referral.reference}')")
        page.wait_for_selector(".marking")
        marking = page.locator(".marking-band")
        assert "TLP:AMBER" in marking.inner_text() and "PAP:GREEN" in marking.inner_text()
        assert marking.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 192, 0)"
        shared = page.locator(".shared").inner_text()
        assert left_out.ref not in page.content()
        shared_refs = [s["ref"] for s in referral.content["signals"]]
        assert len(shared_refs) == len(case.items.filter(signal__isnull=False)) - 1
        assert all(ref in shared for ref in shared_refs)
        assert "Mathenesserlaan" in shared and "de Vries" in shared
        page.screenshot(path=str(SHOTS / "referral-received.png"), full_page=True)
        page.check("input[name=decision][value=accept]")
        page.click("form.decide button[type=submit]")
        page.wait_for_selector("form.report")
        assert "Accepted" in page.locator(".referral-status").inner_text()
        page.select_option("#id_kind", "investigation_opened")
        page.fill("#id_note", "Onderzoek Mathenesser gestart")
        page.click("form.report button[type=submit]")
        page.wait_for_selector("table.referral-updates >> text=Investigation opened")

        # the PDF link opens: fetched as the browser would, it is the dossier with the marking on every page
        href = page.get_attribute("a.dossier-pdf", "href")
        response = page.request.get(base + href)
        assert response.ok and response.headers["content-type"] == "application/pdf"
        (SHOTS / "referral-dossier.pdf").write_bytes(response.body())
        doc = pdfium.PdfDocument(BytesIO(response.body()))
        assert len(doc) >= 2
        for n in range(len(doc)):
            text = doc[n].get_textpage().get_text_range()
            assert "TLP:AMBER" in text and "PAP:GREEN" in text and referral.reference in text, n
            assert left_out.ref not in text
            count, left, right = band_pixels(doc[n], AMBER)
            assert count > 1000 and left == AMBER == right, (n, count, left, right)
    finally:
        receiver.close()

    # the analyst sees the status and the report on the case page
    page = context.new_page()
    page.goto(f"{base}/cases/{case.pk}/")
    panel = page.locator("section:has(#referrals-heading)").inner_text()
    assert referral.reference in panel and "Accepted" in panel and "Investigation opened" in panel
    assert "Onderzoek Mathenesser gestart" in panel
    page.screenshot(path=str(SHOTS / "referral-case.png"), full_page=True)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
