"""The dossier: a PDF with the classification marking on every page (read back as text and as pixels), several
pages for a large case, and FollowTheMoney lines that validate against FtM's own model."""

import hashlib
import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
from django.db import transaction
from followthemoney import model

from tests.conftest import ORGS, make_record, store
from vigil.assessment.service import assess_signals
from vigil.cases import dossier, referrals
from vigil.cases.service import open_case
from vigil.demo.load import load_organisations, load_users
from vigil.demo.world import generate_signals
from vigil.linking.models import SOURCES, Edge, Entity
from vigil.linking.service import link_signals
from vigil.organisations.models import Organisation, User
from vigil.register.models import Signal

pytestmark = pytest.mark.django_db  # the tests on the large dossier read its files only


def big_case(user, entities: int = 200):
    """A case of generated signals and the entities they mention, at least ``entities`` of them."""
    records = []
    for rec in generate_signals(entities // 2, seed=11):
        rec.pop("owner", None)
        records.append(rec)
    store(*records, owner="emm")
    ids = list(Signal.objects.values_list("pk", flat=True))
    link_signals(ids)
    assess_signals(ids)
    chosen, found = [], set()
    for signal in Signal.objects.order_by("pk"):
        node = Entity.objects.get(signal=signal)
        mentioned = set(Edge.objects.filter(source=node).exclude(b__kind__in=SOURCES).values_list("b_id", flat=True))
        chosen.append(signal)
        found |= mentioned
        if len(found) >= entities:
            break
    assert len(found) >= entities, "generate more signals"
    return open_case(user, "Groot netwerk", summary="Gegenereerd", signals=chosen, entities=found), chosen, found


def pages_of(data: bytes):
    return pdfium.PdfDocument(BytesIO(data))


def band_pixels(page, colour: tuple[int, int, int]) -> tuple[int, tuple, tuple]:
    """Pixels of the band colour in the top tenth of a rendered page, and the colours at its left and right edges."""
    image = page.render(scale=1).to_pil().convert("RGB")
    width, height = image.size
    top = image.crop((0, 0, width, height // 10))
    near = sum(1 for px in top.get_flattened_data() if all(abs(a - b) <= 12 for a, b in zip(px, colour, strict=True)))
    return near, image.getpixel((3, 8)), image.getpixel((width - 4, 8))


@pytest.fixture(scope="module")
def large(django_db_setup, django_db_blocker):
    """One referral of a 200-entity case for the tests below: made once (it takes a while), kept as the files and
    the content, and rolled back from the database."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_organisations(ORGS)
        load_users()
        analyst = User.objects.get(username="analist")
        case, signals, entities = big_case(analyst)
        referral = referrals.refer(analyst, case, Organisation.objects.get(slug="politie-rotterdam"),
                                   reason="Groot dossier", tlp="amber", pap="green", signals=signals,
                                   entities=entities)
        made = referral.dossier
        kept = SimpleNamespace(reference=referral.reference, content=referral.content, dossier=SimpleNamespace(
            pdf=bytes(made.pdf), ftm=made.ftm, pages=made.pages, pdf_sha256=made.pdf_sha256,
            ftm_sha256=made.ftm_sha256))
        transaction.set_rollback(True)
    return kept


def test_every_page_carries_the_marking(large):
    made = large.dossier
    doc = pages_of(bytes(made.pdf))
    assert len(doc) == made.pages > 3  # 200 entities do not fit on a few pages
    amber = (0xFF, 0xC0, 0x00)
    for n in range(len(doc)):
        page = doc[n]
        text = page.get_textpage().get_text_range()
        assert "TLP:AMBER" in text and "PAP:GREEN" in text, n
        assert text.count(large.reference) >= 2, n  # in the band at the top and in the footer
        footer = [line for line in text.splitlines() if large.reference in line and str(len(doc)) in line]
        assert footer and f"{n + 1}" in footer[-1], (n, footer)
        count, left, right = band_pixels(page, amber)
        width = int(page.get_width())
        assert count > width * 20, (n, count)  # a band across the page, not a speck
        assert left == amber and right == amber, (n, left, right)  # from edge to edge
    assert hashlib.sha256(bytes(made.pdf)).hexdigest() == made.pdf_sha256
    assert hashlib.sha256(made.ftm.encode()).hexdigest() == made.ftm_sha256


def test_the_pdf_holds_what_the_dossier_promises(large):
    text = "\n".join(p.get_textpage().get_text_range() for p in pages_of(bytes(large.dossier.pdf)))
    content = large.content
    for ref in (s["ref"] for s in content["signals"]):
        assert ref in text
    persons = [n["label"] for n in content["nodes"] if n["kind"] == "person"]
    assert persons and all(p in text for p in persons[:20])
    evidence = [ev["match"] for s in content["signals"] for i in (s["assessment"] or {}).get("indicators", [])
                for ev in i["evidence"] if ev["match"] and len(ev["match"]) < 30]
    assert evidence and sum(e in text.replace("\n", " ") for e in evidence) >= len(evidence) * 0.8
    with_quotes = next(s for s in content["signals"] if (s["assessment"] or {}).get("indicators"))
    assert with_quotes["ref"] in text


@pytest.mark.parametrize("tlp, colour", [("red", (0xFF, 0x2B, 0x2B)), ("amber+strict", (0xFF, 0xC0, 0x00)),
                                         ("green", (0x33, 0xFF, 0x00)), ("clear", (0, 0, 0))])
def test_the_band_has_the_colour_of_the_marking(users, tlp, colour):
    store(make_record("K-1", persons=[{"role": "possible_suspect", "name": "K. Klein"}]), owner="emm")
    signal = Signal.objects.get()
    link_signals([signal.pk])
    case = open_case(users["analyst"], "Klein", signals=[signal])
    referral = referrals.refer(users["analyst"], case, Organisation.objects.get(slug="ind"), reason="IND",
                               tlp=tlp, pap="red", signals=[signal])
    doc = pages_of(bytes(referral.dossier.pdf))
    for n in range(len(doc)):
        count, left, right = band_pixels(doc[n], colour)
        assert count > 1000 and left == colour == right, (tlp, n, count, left)
        assert f"TLP:{tlp.upper()}" in doc[n].get_textpage().get_text_range()


def test_ftm_lines_validate_as_followthemoney_entities(large, tmp_path):
    lines = large.dossier.ftm.splitlines()
    rows = [json.loads(line) for line in lines]
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows)
    for r in rows:
        schema = model.get(r["schema"])
        assert schema is not None and not schema.abstract
        assert set(r["properties"]) <= set(schema.properties), r
        assert schema.validate(r) is None
        proxy = model.get_proxy(r)
        for prop in proxy.iterprops():
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= ids  # no dangling references
    schemata = {r["schema"] for r in rows}
    assert {"Document", "PlainText", "Person", "Address", "Documentation"} <= schemata
    head = rows[0]
    assert head["schema"] == "Document" and "TLP:AMBER" in head["properties"]["keywords"]
    shared = {n["id"] for n in large.content["nodes"]}
    graph_ids = {r["id"] for r in rows if r["id"].startswith(("vigil-person-", "vigil-address-"))}
    assert graph_ids and all(f"e{i.rsplit('-', 1)[1]}" in shared for i in graph_ids)  # only shared entities
    out = tmp_path / "dossier.ftm.json"
    out.write_text(large.dossier.ftm)
    ftm = Path(sys.executable).with_name("ftm")
    res = subprocess.run([str(ftm), "validate", "-i", str(out), "-o", str(tmp_path / "valid.jsonl")],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert len((tmp_path / "valid.jsonl").read_text().splitlines()) == len(rows)


def test_the_figure_is_drawn_the_same_every_time_and_holds_no_style_or_script(large):
    nodes, links = large.content["nodes"], large.content["links"]
    svg = dossier.figure(nodes, links)
    assert svg == dossier.figure(list(reversed(nodes)), links)
    sources = sum(1 for n in nodes if n["source"])
    assert svg.count("<rect") > sources and svg.count("<circle") > len(nodes) - sources and "<line" in svg
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg
    assert dossier.figure([], []) == ""


def test_nothing_in_the_content_is_fetched_or_run(users):
    """Narratives and ads are text: markup in them is shown, never fetched or rendered."""
    store(make_record("X-1", narrative='<img src="http://127.0.0.1:9/x.png"><script>alert(1)</script> "quotes"'),
          owner="emm")
    signal = Signal.objects.get()
    case = open_case(users["analyst"], 'Titel met "quote" en </style>', signals=[signal])
    referral = referrals.refer(users["analyst"], case, Organisation.objects.get(slug="ind"), reason="<b>IND</b>",
                               tlp="red", pap="red", signals=[signal])
    html = dossier.html(referral.content)
    assert "<img" not in html.split("<body>")[1] and "&lt;img" in html and "<script>" not in html
    text = "\n".join(p.get_textpage().get_text_range() for p in pages_of(bytes(referral.dossier.pdf)))
    assert "<script>alert(1)</script>" in text and "<b>IND</b>" in text
