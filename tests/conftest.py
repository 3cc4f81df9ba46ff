import json
import os
from pathlib import Path

import pytest

from vigil.demo.accounts import DEMO_PASSWORD
from vigil.demo.load import load_organisations, load_users
from vigil.organisations.models import User
from vigil.register.records import prepare
from vigil.register.writer import OwnerResolver, write_batch

ORGS = [
    {"slug": "emm", "name": "Expertisecentrum Mensenhandel en Mensensmokkel", "kind": "expertise_centre"},
    {"slug": "politie-rotterdam", "name": "Politie Eenheid Rotterdam", "kind": "police",
     "aliases": ["Politie Rotterdam"]},
    {"slug": "ind", "name": "Immigratie- en Naturalisatiedienst", "kind": "ind", "aliases": ["IND"]},
    {"slug": "comensha", "name": "CoMensha", "kind": "ngo"},
    {"slug": "nla", "name": "Nederlandse Arbeidsinspectie", "kind": "labour_inspectorate"},
]


@pytest.fixture
def orgs(db):
    load_organisations(ORGS)


@pytest.fixture
def users(orgs) -> dict[str, User]:
    load_users()
    return {u.role: u for u in User.objects.all()}


@pytest.fixture
def password():
    return DEMO_PASSWORD


def make_record(ref: str, **fields) -> dict:
    rec = {"source": "phone_tip", "ref": ref, "organisation": "Meldlijn", "received_at": "2026-05-04T10:15:00+02:00",
           "narrative": "Buurvrouw ziet elke week nieuwe jonge vrouwen in de flat.", "language": "nl"}
    rec.update(fields)
    return rec


def store(*records, owner: str = "") -> None:
    write_batch([prepare(r) for r in records], OwnerResolver(owner), "test")


def write_jsonl(path, records) -> None:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless; the ORM is used beside Playwright's event loop in these tests."""
    from tests.browser import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup.sh --test")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
