"""The public reporting channel in Debian's Chromium: with and without JavaScript, by keyboard, and axe-core."""

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.browser import SHOTS, login
from tests.test_public import LANGS, jpeg_with_gps
from vigil.public import abuse
from vigil.public.middleware import FOLLOW_UP_LIMIT, NO_POW_LIMIT, SUBMIT_LIMIT
from vigil.public.models import Attachment, Report

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["", "signs/", "after/", "how/", "report/", "follow-up/"]


@pytest.fixture
def site(live_server, transactional_db, orgs, monkeypatch, settings):
    monkeypatch.setattr(abuse, "MIN_SECONDS_TO_FILL", 0)
    # A real puzzle, solved and verified for real, but cheap: at the production cost a slow
    # CI machine can need more than ten seconds for an unlucky challenge.
    settings.VIGIL_PUBLIC_POW_COST = 50
    for limiter in (SUBMIT_LIMIT, FOLLOW_UP_LIMIT, NO_POW_LIMIT):
        limiter._buckets.clear()
    SHOTS.mkdir(exist_ok=True)
    return live_server.url


def new_page(browser, **options):
    context = browser.new_context(viewport={"width": 390, "height": 844}, **options)  # a phone
    context.set_default_timeout(10_000)
    return context.new_page()


def fill_report(page, base, lang="en", named=False, files=None, wait_for_pow=False):
    page.goto(f"{base}/{lang}/report/")
    page.fill("#id_what", "Women are brought to the flat every night by a man in a white van.")
    page.check("#id_danger_1")  # no
    page.click("button[name=next]")
    page.fill("#id_address", "Postjesweg 87 3")
    page.fill("#id_city", "Amsterdam")
    page.click("button[name=next]")
    page.fill("#id_phones", "+31 6 4127 8390")
    page.click("button[name=next]")
    page.click("button[name=next]")
    page.check("#id_relation_1")  # neighbour
    if named:
        page.check("#id_anonymous_1")
        page.fill("#id_contact_name", "Els de Wit")
        page.fill("#id_contact_email", "els@example.nl")
    else:
        page.check("#id_anonymous_0")
    page.click("button[name=next]")
    if files:
        page.set_input_files("#id_files", files)
    if wait_for_pow:  # the ALTCHA widget solves its puzzle in a Web Worker and fills in the hidden field
        page.wait_for_function("() => (document.querySelector('input[name=altcha]') || {}).value", timeout=60_000)
    page.click("button[name=send]")
    return page.inner_text("#receipt-code")


def test_named_report(browser, site):
    page = new_page(browser)
    code = fill_report(page, site, named=True, wait_for_pow=True)
    page.screenshot(path=str(SHOTS / "public-sent.png"), full_page=True)
    report = Report.objects.get()
    assert len(code.replace("-", "")) == 16 and not report.anonymous and report.contact_email == "els@example.nl"


def test_anonymous_report_with_gps_photo(browser, site, settings, tmp_path):
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(jpeg_with_gps().getvalue())
    page = new_page(browser)
    fill_report(page, site, files=[str(photo)])
    stored = (settings.DATA_DIR / "attachments" / Attachment.objects.get().path).read_bytes()
    assert b"Exif" not in stored and not Image.open(io.BytesIO(stored)).getexif()


def test_follow_up_round_trip(browser, site, users, password):
    reporter = new_page(browser)
    code = fill_report(reporter, site, lang="nl")
    analyst = new_page(browser)
    login(analyst, site, "analist", password)
    analyst.goto(f"{site}/signals/{Report.objects.get().signal.pk}/")
    analyst.fill("#id_body", "Welke kleur had het busje?")
    analyst.click("form[action$='/ask/'] button")
    reporter.goto(f"{site}/nl/follow-up/")
    reporter.fill("#id_receipt", code.lower())
    reporter.click("button[type=submit]")
    assert "Welke kleur had het busje?" in reporter.inner_text("ol.thread")
    reporter.fill("#id_body", "Wit, met een deuk in de zijkant.")
    reporter.click("button[type=submit]")
    reporter.wait_for_selector("p.ok")
    reporter.screenshot(path=str(SHOTS / "public-follow-up.png"), full_page=True)
    analyst.reload()
    assert "Wit, met een deuk in de zijkant." in analyst.inner_text("section[aria-labelledby=h-thread]")


def test_keyboard_only_submission(browser, site):
    page = new_page(browser)
    page.goto(f"{site}/en/report/")
    page.focus("#id_what")
    page.keyboard.type("A boy of about 15 sells drugs for older men near the station.")
    page.keyboard.press("Tab")  # the first radio of 'danger'
    page.keyboard.press("ArrowDown")  # moves to and selects 'No'
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Next
    for _ in range(3):  # where, who, when: nothing to add
        page.wait_for_selector("button[name=next]")
        page.focus("button[name=next]")
        page.keyboard.press("Enter")
    page.wait_for_selector("#id_relation_0")
    page.focus("#id_relation_0")
    page.keyboard.press("Space")
    page.focus("#id_anonymous_0")
    page.keyboard.press("Space")
    page.focus("button[name=next]")
    page.keyboard.press("Enter")
    page.wait_for_selector("button[name=send]")
    page.focus("button[name=send]")
    page.keyboard.press("Enter")
    assert page.inner_text("#receipt-code")
    assert Report.objects.get().signal.narrative.startswith("A boy of about 15")


def test_without_javascript(browser, site):
    page = new_page(browser, java_script_enabled=False)
    page.goto(f"{site}/en/report/")
    page.click("button[name=next]")  # empty first step: the error summary links to the field
    assert page.locator(".error-summary a[href='#id_what']").count() == 1
    code = fill_report(page, site)
    assert code and Report.objects.count() == 1


def test_danger_shows_112_at_once(browser, site):
    page = new_page(browser)
    page.goto(f"{site}/en/report/")
    assert not page.is_visible("#danger-now")
    page.check("#id_danger_0")  # yes
    assert page.is_visible("#danger-now") and page.is_visible("#danger-now a[href='tel:112']")


def test_axe_finds_no_serious_problem_on_any_public_page(browser, site):
    page = new_page(browser, bypass_csp=True)
    problems = []
    for lang in LANGS:
        for path in PAGES:
            page.goto(f"{site}/{lang}/{path}")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))""")
            problems += [(lang, path, v) for v in result]
    assert not problems, json.dumps(problems, indent=1)
