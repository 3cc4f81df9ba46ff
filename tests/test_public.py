"""The public reporting channel: pages, the form without JavaScript, anonymity, receipts, follow-up, abuse."""

import io
import re

import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image

from vigil.public import abuse, content, receipts
from vigil.public.middleware import FOLLOW_UP_LIMIT, NO_POW_LIMIT, SUBMIT_LIMIT
from vigil.public.models import Attachment, Message, Report
from vigil.register.models import Signal

LANGS = ["nl", "en", "pl", "ro", "bg", "es", "pt", "hu", "uk"]
ANSWERS = {
    "what": "Elke nacht worden jonge vrouwen met een busje gebracht en gehaald.",
    "danger": "no", "address": "Mathenesserlaan 212 b", "city": "Rotterdam", "online": "",
    "people": "Twee vrouwen, ongeveer 20 jaar, spreken Roemeens.", "names": "Henk", "phones": "06-41 27 83 90",
    "vehicles": "54-TVR-1", "when": "Afgelopen weekend", "ongoing": "on",
    "relation": "neighbour", "anonymous": "yes",
}
UA = "Mozilla/5.0 (X11; Linux) UniqueTestAgent/77.1"
IP = "198.51.100.23"


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch, orgs):
    monkeypatch.setattr(abuse, "MIN_SECONDS_TO_FILL", 0)
    for limiter in (SUBMIT_LIMIT, FOLLOW_UP_LIMIT, NO_POW_LIMIT):
        limiter._buckets.clear()


def send(client, answers=None, lang="nl", files=None, extra=None):
    """Walk the form as a browser without JavaScript does: one POST per step, earlier answers as hidden fields."""
    answers = dict(ANSWERS, **(answers or {}))
    started = re.search(r'name="started" value="([^"]+)"',
                        client.get(f"/{lang}/report/").content.decode()).group(1)
    steps = ["what", "where", "who", "when", "you"]
    for step in steps:
        response = client.post(f"/{lang}/report/", {**answers, "step": step, "started": started, "next": "1"},
                               REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)
        assert response.status_code == 200, (step, response.content.decode()[:2000])
    data = {**answers, "step": "send", "started": started, "send": "1", **(extra or {})}
    if files:
        data["files"] = files
    return client.post(f"/{lang}/report/", data, REMOTE_ADDR=IP, HTTP_USER_AGENT=UA, HTTP_REFERER="https://x.example/")


def receipt_of(response) -> str:
    return re.search(r'id="receipt-code"[^>]*>([0-9A-Z-]+)<', response.content.decode()).group(1)


def jpeg_with_gps() -> io.BytesIO:
    img = Image.new("RGB", (64, 48), (120, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 55.0, 12.0), 3: "E", 4: (4.0, 28.0, 1.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    out.name = "IMG_20261101_MyStreet.jpg"
    out.seek(0)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_in_every_language(client, lang):
    assert sorted(content.languages()) == sorted(LANGS)
    for path in ("", "signs/", "after/", "how/", "report/", "follow-up/"):
        response = client.get(f"/{lang}/{path}")
        html = response.content.decode()
        assert response.status_code == 200, path
        assert f'<html lang="{lang}" dir="ltr">' in html
        assert 'href="tel:112"' in html
        assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
        assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="tel:', "")), path  # nothing external


def test_content_pages_are_translated_files():
    for lang in LANGS:
        for name in content.PAGES:
            page = content.load(name, lang)
            assert page.language == lang and page.title
    assert content.load("index", "nl").title != content.load("index", "en").title


def test_anonymous_report_becomes_an_urgent_signal_without_identifying_data(client):
    response = send(client, {"danger": "yes"})
    assert response.status_code == 200
    code = receipt_of(response)
    assert receipts.canonical(code)
    signal = Signal.objects.get(channel="public_web_report")
    assert signal.urgent and signal.owner.slug == "emm" and signal.language == "nl"
    for moment in (signal.received_at, signal.created_at, signal.updated_at, signal.versions.get().recorded_at):
        local = timezone.localtime(moment)
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert not signal.persons.filter(role="reporter").exists()
    report = Report.objects.get()
    assert report.anonymous and report.receipt_hash != code and code.replace("-", "") not in report.receipt_hash
    assert set(signal.identifiers.values_list("value", flat=True)) >= {"+31641278390", "54TVR1"}


def test_no_table_and_no_log_holds_the_address_or_browser(client, caplog, tmp_path):
    with caplog.at_level("DEBUG"):
        send(client)
        send(client, {"what": "Tweede melding"}, lang="en")
    logs = caplog.text + " ".join(str(r.msg) for r in caplog.records)
    assert IP not in logs and "UniqueTestAgent" not in logs
    with connection.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        tables = [row[0] for row in cur.fetchall()]
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}" t WHERE t::text LIKE %s OR t::text LIKE %s',
                        [f"%{IP}%", "%UniqueTestAgent%"])
            assert cur.fetchone()[0] == 0, table


def test_named_report_keeps_contact_details(client):
    response = send(client, {"anonymous": "no", "contact_name": "Jan Jansen", "contact_email": "jan@example.nl",
                             "relation": "client"})
    assert response.status_code == 200
    report = Report.objects.get()
    assert not report.anonymous and report.contact_email == "jan@example.nl"
    assert report.signal.persons.filter(role="reporter", name="Jan Jansen").exists()


def test_named_without_contact_is_refused_with_a_linked_error(client):
    started = abuse.started_token()
    response = client.post("/en/report/", {**ANSWERS, "anonymous": "no", "step": "you", "started": started,
                                           "next": "1"})
    html = response.content.decode()
    assert response.status_code == 400 and 'class="error-summary"' in html and 'href="#id_contact_email"' in html


def test_follow_up_round_trip(client, users):
    code = receipt_of(send(client))
    report = Report.objects.get()
    # the analyst asks a question on the signal page
    analyst = users["analyst"]
    client.force_login(analyst)
    client.post(f"/signals/{report.signal.pk}/ask/", {"body": "Hoe laat zag u het busje?"})
    assert Message.objects.filter(author="staff").exists()
    client.logout()
    # the reporter comes back with the receipt, typed sloppily, reads and answers
    typed = code.lower().replace("-", " ")
    html = client.post("/nl/follow-up/", {"receipt": typed}).content.decode()
    assert "Hoe laat zag u het busje?" in html
    response = client.post("/nl/follow-up/", {"receipt": typed, "body": "Rond 02:00 uur."})
    assert response.status_code == 200
    # the analyst sees the answer in the thread
    client.force_login(analyst)
    assert "Rond 02:00 uur." in client.get(f"/signals/{report.signal.pk}/").content.decode()


def test_wrong_receipt_and_guessing_is_limited(client):
    for _ in range(10):
        assert client.post("/nl/follow-up/", {"receipt": "AAAA-BBBB-CCCC-DDDD"}).status_code == 404
    assert client.post("/nl/follow-up/", {"receipt": "AAAA-BBBB-CCCC-DDDD"}).status_code == 429


def test_image_is_stored_without_exif_or_gps(client, settings):
    response = send(client, files=[jpeg_with_gps()])
    assert response.status_code == 200
    item = Attachment.objects.get()
    stored = (settings.DATA_DIR / "attachments" / item.path).read_bytes()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert item.name == "bijlage-1.jpg"  # the original file name is not kept


@pytest.mark.parametrize("payload,message", [
    (b"MZ\x90\x00" + b"\x00" * 2000, "not accepted"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00broken", "could not be read"),
    (b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF", "scripts"),
])
def test_bad_files_are_refused_and_the_answers_kept(client, payload, message):
    upload = io.BytesIO(payload)
    upload.name = "holiday.jpg"  # a disguise: the type is read from the content
    response = send(client, lang="en", files=[upload])
    html = response.content.decode()
    assert response.status_code == 400 and message in html and 'class="error-summary"' in html
    assert ANSWERS["what"] in html  # nothing the visitor typed is lost
    assert not Signal.objects.exists()


def test_oversize_text_and_unreadable_text_get_clear_messages(client):
    started = abuse.started_token()
    big = client.post("/en/report/", {"what": "x" * 1_000_000, "danger": "no", "step": "what", "started": started,
                                      "next": "1"})
    assert big.status_code == 400 and "at most 10000 characters" in big.content.decode().replace(",", "")
    bad = client.post("/en/report/", b"step=what&danger=no&next=1&what=caf%C3%A9%FF%FE",
                      content_type="application/x-www-form-urlencoded")
    assert bad.status_code == 400 and "could not be read" in bad.content.decode()


def test_missing_step_is_shown_not_lost(client):
    started = abuse.started_token()
    data = {**ANSWERS, "relation": "", "step": "send", "started": started, "send": "1"}
    response = client.post("/en/report/", data)
    html = response.content.decode()
    assert response.status_code == 400 and 'name="step" value="you"' in html and ANSWERS["what"] in html
    assert not Signal.objects.exists()


def solved(settings) -> str:
    """What the ALTCHA widget posts after solving a challenge in the browser."""
    import altcha

    settings.VIGIL_PUBLIC_POW_COST = 20
    challenge = altcha.v2.Challenge.from_dict(abuse.POW.challenge())
    return altcha.v2.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def test_honeypot_and_rate_limits(client, settings):
    assert send(client, extra={"website": "http://spam.example"}).status_code == 400
    assert not Signal.objects.exists()
    for _ in range(2):  # without proof of work (no JavaScript): the stricter limit
        assert send(client).status_code == 200
    assert send(client).status_code == 429
    for _ in range(3):  # with proof of work: the general limit (burst 5)
        assert send(client, extra={"altcha": solved(settings)}).status_code == 200
    assert send(client, extra={"altcha": solved(settings)}).status_code == 429
    assert Signal.objects.count() == 5


def test_proof_of_work_is_checked_and_used_once(client, settings):
    payload = solved(settings)
    assert send(client, extra={"altcha": payload}).status_code == 200
    assert send(client, extra={"altcha": payload}).status_code == 400  # replayed
    assert send(client, extra={"altcha": "eyJub25zZW5zZSI6IDF9"}).status_code == 400  # not a solution
    assert Signal.objects.count() == 1
    response = client.get("/en/report/challenge/")
    assert response["Cache-Control"] == "no-store" and response.json()["parameters"]["algorithm"] == "SHA-256"


def test_form_filled_too_fast_is_refused(client, monkeypatch):
    monkeypatch.setattr(abuse, "MIN_SECONDS_TO_FILL", 60)
    assert send(client).status_code == 400
    assert not Signal.objects.exists()


def test_analyst_marks_spam(client, users):
    send(client)
    report = Report.objects.get()
    client.force_login(users["analyst"])
    client.post(f"/signals/{report.signal.pk}/spam/", {"spam": "1"})
    report.refresh_from_db()
    assert report.spam and report.signal.status == "closed"


def test_public_catalogues_are_complete_and_used(client):
    import polib
    from django.conf import settings

    seen = set()
    for lang in LANGS[2:] + ["nl"]:
        po = polib.pofile(str(settings.BASE_DIR / "public" / "locale" / lang / "LC_MESSAGES" / "django.po"))
        assert not po.untranslated_entries() and not po.fuzzy_entries(), lang
        label = po.find("Report online").msgstr
        assert label and label in client.get(f"/{lang}/").content.decode(), lang
        seen.add(label)
    assert len(seen) == 8  # really different languages


def test_the_database_worker_builds_the_signal(transactional_db, orgs):
    """Outside tests reports go through the database queue and `vigil worker`; run that path once for real."""
    from django.core.management import call_command

    from vigil.public import service, tasks

    report = Report.objects.create(receipt_hash="x" * 64, relation="client", language="en",
                                   day=timezone.localdate(), answers={**ANSWERS, "what": "Via the worker"})
    from django_tasks_db.models import DBTaskResult

    tasks.build_pending_signals.using(backend="database").enqueue()
    assert not Signal.objects.exists() and DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--backend", "database", "--no-startup-delay")
    report.refresh_from_db()
    assert report.signal.narrative.startswith("Via the worker") and report.answers == {}
    assert service.build_signal(report.pk) == report.signal_id  # running twice changes nothing
    # no task row names a report: the queue cannot tie a report to the moment it was sent
    assert all(not row["args"] and not row["kwargs"]
               for row in DBTaskResult.objects.values_list("args_kwargs", flat=True))


def test_oversize_file_is_refused_before_reading_it_all(client):
    upload = io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024))
    upload.name = "big.jpg"
    response = send(client, lang="en", files=[upload])
    assert response.status_code == 400 and "larger than 10 MB" in response.content.decode()
    assert not Signal.objects.exists()


def test_urgent_public_report_is_on_top_of_the_intake_queue(client, users):
    send(client)
    send(client, {"danger": "yes", "what": "Er wordt nu iemand geslagen"})
    client.force_login(users["intake_operator"])
    html = client.get("/signals/").content.decode()
    assert html.index("Er wordt nu iemand geslagen") < html.index(ANSWERS["what"][:40])


def test_back_and_next_keep_every_answer(client):
    started = abuse.started_token()
    data = {**ANSWERS, "started": started}
    html = client.post("/en/report/", {**data, "step": "when", "back": "1"}).content.decode()
    assert 'name="step" value="who"' in html and 'value="06-41 27 83 90"' in html  # the 'who' step, filled in
    html = client.post("/en/report/", {**data, "step": "who", "next": "1"}).content.decode()
    assert 'name="step" value="when"' in html and 'value="Afgelopen weekend"' in html


def test_a_long_wait_for_the_public_lane_asks_to_send_again_keeping_the_answers(client, settings):
    settings.VIGIL_PUBLIC_QUEUE_SECONDS = -1  # every request has "waited too long"
    response = send(client, {"what": "Busje met vrouwen, elke nacht"})
    html = response.content.decode()
    assert response.status_code == 503 and "Het is nu erg druk" in html
    assert 'value="Busje met vrouwen, elke nacht"' in html
    assert Report.objects.count() == 0


def test_public_lane_runs_public_requests_on_lowered_threads_and_staff_requests_inline(settings):
    """The lane is off in tests (views share the test transaction); here it is switched on around a stub view."""
    import os
    import threading
    import time

    from django.http import HttpResponse
    from django.test import RequestFactory

    from vigil.public.lane import Lane, PublicLaneMiddleware

    settings.VIGIL_PUBLIC_LANE, settings.VIGIL_PUBLIC_CONCURRENCY, settings.VIGIL_PUBLIC_NICENESS = True, 1, 7
    seen = []

    def view(request):
        tid = threading.get_native_id()
        seen.append((request.path, threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, tid),
                     request.lane_waited))
        return HttpResponse("ok")

    middleware = PublicLaneMiddleware(view)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    for path in ("/en/report/", "/signals/", "/static/public/public.css"):
        assert middleware(RequestFactory().get(path)).content == b"ok"
    (public, public_thread, public_nice, _), (_, staff_thread, staff_nice, _), (_, static_thread, _, _) = seen
    assert public_thread.startswith("public-lane") and public_nice == min(19, mine + 7)
    assert staff_thread == static_thread == threading.current_thread().name and staff_nice == mine

    # one lane thread: the second job waits for the first, and knows how long; errors reach the caller
    lane = Lane(threads=1, niceness=1)
    release = threading.Event()
    first = threading.Thread(target=lane.run, args=(lambda waited: release.wait(5),))
    first.start()
    time.sleep(0.05)
    threading.Timer(0.2, release.set).start()
    assert lane.run(lambda waited: waited) >= 0.15
    first.join()
    with pytest.raises(ZeroDivisionError):
        lane.run(lambda waited: 1 / 0)
