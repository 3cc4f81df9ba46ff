"""Statistics: figures against known data, small-number suppression, no personal data in the CSV, roles, queries."""

import csv
import datetime as dt
import io
import json
import re
from importlib import resources

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import make_record, store
from vigil.ads.queries import municipality_of
from vigil.assessment.models import Assessment
from vigil.assessment.service import assess_signals
from vigil.audit.models import AuditEntry
from vigil.cases import referrals as referral_service
from vigil.cases.models import Case, Referral, ReferralUpdate
from vigil.cases.service import open_case, set_status
from vigil.organisations.models import Organisation, User
from vigil.organisations.roles import CAPABILITIES, Role
from vigil.protection.models import Exemption, Permit, ProtectionRecord
from vigil.public.models import Report
from vigil.register.models import Channel, Signal
from vigil.statistics import regions
from vigil.statistics.figures import FIGURES, Figures, Period, Scope
from vigil.statistics.tables import PRIMARY, SECONDARY, Table, hidden_entries, suppress
from vigil.statistics.urls import ROUTE_NEEDS

PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 1))
MAY = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)
NAMES = ["Henk de Vries", "Anna Kowalska", "Piotr Nowak"]
PHONES = ["06-41278390", "+48 601 234 567"]


def tip(ref, when="2026-05-04T10:15:00+02:00", city=None, **fields):
    if city:
        fields.setdefault("addresses", [{"street": "Teststraat", "house_number": "1", "city": c}
                                        for c in ([city] if isinstance(city, str) else city)])
    return make_record(ref, received_at=when, **fields)


@pytest.fixture
def world(users):
    """Known signals: 6 phone tips from Rotterdam (labour), 2 inspections in Almere (sexual and labour), one police
    report with addresses in Amsterdam and Hoogvliet (Rotterdam), one ad without an address, one tip on the last
    evening of March, one in April just after midnight, one in 2025 (outside the period), one marked as spam, and
    one of Politie Rotterdam's own."""
    store(*[tip(f"ROT-{i}", city="Rotterdam", suspected_forms=["labour"]) for i in range(6)], owner="emm")
    store(*[tip(f"ALM-{i}", source="inspection", city="Almere", suspected_forms=["sexual", "labour"],
                persons=[{"role": "possible_victim", "name": NAMES[1], "phones": [PHONES[1]]}]) for i in range(2)],
          owner="emm")
    store(tip("AMS-1", source="police_report", city=["Amsterdam", "Hoogvliet"],
              persons=[{"role": "possible_suspect", "name": NAMES[0], "phones": [PHONES[0]]}]), owner="emm")
    store(tip("AD-1", source="other", channel="online_ad", narrative=f"Advertentie, bel {PHONES[0]}"), owner="emm")
    store(tip("MAR-31", when="2026-03-31T23:30:00+02:00", city="Zeist"),
          tip("APR-1", when="2026-04-01T00:30:00+02:00", city="Zeist"),
          tip("OLD-1", when="2025-12-31T23:00:00+01:00", city="Rotterdam"), owner="emm")
    store(tip("SPAM-1", source="other", channel="public_web_report", narrative="Koop nu goedkope horloges"), owner="emm")
    spam = Signal.objects.get(ref="SPAM-1")
    Report.objects.create(signal=spam, receipt_hash="x" * 64, relation="other", language="nl",
                          day=dt.date(2026, 5, 4), spam=True)
    store(tip("POL-1", source="police_report", city="Dordrecht",
              persons=[{"role": "possible_victim", "name": NAMES[2]}]), owner="politie-rotterdam")
    return {s.ref: s for s in Signal.objects.all()}


def counts(table: Table) -> dict:
    """The raw one-way counts of a table (before suppression), by row code, without zeros."""
    return {r: table.cells[(r, c)] for r, _ in table.rows for c, _ in table.cols if table.cells.get((r, c))}


# --- regions -------------------------------------------------------------------------------------------------------


def test_every_municipality_lies_in_one_police_unit():
    data = json.loads((resources.files("vigil.ads") / "data" / "municipalities.json").read_text())
    units = regions.units()
    assert len(units) == 10
    safety = [vr for u in units for vr in u.safety_regions]
    assert sorted(safety) == [f"VR{i:02d}" for i in range(1, 26)]  # each safety region in exactly one unit
    for m in data["municipalities"]:
        assert regions.unit_of(m["name"]) != regions.UNKNOWN, m["name"]


@pytest.mark.parametrize("place,unit", [
    ("Rotterdam", "rotterdam"), ("Hoogvliet", "rotterdam"), ("Dordrecht", "rotterdam"),
    ("Voorne aan Zee", "rotterdam"), ("Amsterdam", "amsterdam"), ("Zaanstad", "noord-holland"),
    ("Haarlem", "noord-holland"), ("Hilversum", "midden-nederland"), ("Almere", "midden-nederland"),
    ("Utrecht", "midden-nederland"), ("Leiden", "den-haag"), ("'s-Gravenhage", "den-haag"),
    ("Breda", "zeeland-west-brabant"), ("Middelburg", "zeeland-west-brabant"), ("Eindhoven", "oost-brabant"),
    ("Maastricht", "limburg"), ("Venlo", "limburg"), ("Groningen", "noord-nederland"), ("Leeuwarden", "noord-nederland"),
    ("Arnhem", "oost-nederland"), ("Enschede", "oost-nederland"), ("Atlantis", regions.UNKNOWN), ("", regions.UNKNOWN),
])
def test_places_in_police_units(place, unit):
    assert municipality_of(place) or unit == regions.UNKNOWN
    assert regions.unit_of(place) == unit


# --- suppression ---------------------------------------------------------------------------------------------------


def one_way(values: list[int], total: int | None = None) -> Table:
    rows = [(f"r{i}", f"Row {i}") for i in range(len(values))]
    return Table("t", "T", "Row", rows, [("count", "Count")], {(f"r{i}", "count"): v for i, v in enumerate(values)},
                 col_totals={"count": sum(values) if total is None else total})


def texts(shown) -> list[str]:
    return [r.cells[0].text for r in shown.rows] + [shown.totals.cells[0].text]


def test_small_counts_are_shown_as_below_five_and_zero_stays_zero():
    assert texts(suppress(one_way([3, 2, 12, 0]))) == ["<5", "<5", "12", "0", "17"]
    assert texts(suppress(one_way([5, 0, 0]))) == ["5", "0", "0", "5"]
    assert texts(suppress(one_way([0, 0]))) == ["0", "0", "0"]
    assert texts(suppress(one_way([1, 0]))) == ["<5", "0", "<5"]  # a small total is hidden too


def test_a_single_hidden_count_cannot_be_worked_out_from_the_total():
    # 3 alone would be 15 - 12 - 0: the smallest other count is hidden as well, the total stays
    assert texts(suppress(one_way([3, 0, 12, 40]))) == ["<5", "0", SECONDARY, "40", "55"]
    # two small counts protect each other: nothing more is hidden
    assert texts(suppress(one_way([3, 4, 12]))) == ["<5", "<5", "12", "19"]


def two_way(grid: list[list[int]]) -> Table:
    rows = [(f"r{i}", f"R{i}") for i in range(len(grid))]
    cols = [(f"c{j}", f"C{j}") for j in range(len(grid[0]))]
    cells = {(f"r{i}", f"c{j}"): v for i, row in enumerate(grid) for j, v in enumerate(row)}
    return Table("t", "T", "Row", rows, cols, cells, cols_label="Col",
                 row_totals={f"r{i}": sum(row) for i, row in enumerate(grid)},
                 col_totals={f"c{j}": sum(row[j] for row in grid) for j in range(len(grid[0]))},
                 grand=sum(map(sum, grid)))


def test_two_way_table_hides_a_partner_in_row_and_column():
    shown = suppress(two_way([[2, 10, 20], [8, 30, 40]]))
    grid = [[n.text for n in r.cells] for r in shown.rows]
    # 2 is hidden; its row and column each get a second hidden number, and so on until every line has two
    assert grid[0][0] == PRIMARY
    assert sum(t in (PRIMARY, SECONDARY) for t in grid[0]) >= 2
    assert sum(grid[i][0] in (PRIMARY, SECONDARY) for i in range(2)) >= 2


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5).flatmap(lambda w: st.lists(st.lists(st.integers(0, 30), min_size=w, max_size=w),
                                                    min_size=1, max_size=6)))
def test_no_line_ever_has_exactly_one_hidden_number(grid):
    table = two_way(grid)
    hidden = hidden_entries(table)
    for entry in table.entries():
        value = table.value(entry)
        if 0 < value < 5:
            assert hidden[entry] == PRIMARY, entry
        if value == 0:
            assert entry not in hidden, entry  # 0 stays 0
    for cells, total in table.lines():
        assert sum(e in hidden for e in [*cells, total]) != 1, (grid, cells, total)


# --- figures against known data ------------------------------------------------------------------------------------


def test_signals_by_channel_month_and_scope(world):
    figures = Figures(PERIOD, Scope())
    assert counts(figures.signals_by_channel()) == {"phone_tip": 8, "inspection": 2, "police_report": 2,
                                                     "online_ad": 1}  # not OLD-1 (2025), not SPAM-1
    assert figures.signal_total == 13
    months = counts(figures.signals_by_month())
    assert months == {"2026-03": 1, "2026-04": 1, "2026-05": 11}  # months in Dutch time, not UTC
    assert [r for r, _ in figures.signals_by_month().rows] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
                                                               "2026-06"]
    own = Figures(PERIOD, Scope(Organisation.objects.get(slug="politie-rotterdam")))
    assert counts(own.signals_by_channel()) == {"police_report": 1}
    later = Figures(Period(dt.date(2025, 12, 1), dt.date(2025, 12, 1)), Scope())
    assert counts(later.signals_by_channel()) == {"phone_tip": 1}


def test_signals_by_form_stated_and_assessed(world):
    figures = Figures(PERIOD, Scope())
    stated = figures.signals_by_form()
    assert counts(stated) == {"labour": 8, "sexual": 2, "unknown": 5}  # a signal counts under each of its forms
    assert stated.col_totals == {"count": 13}  # the total counts signals, not forms
    ids = list(Signal.objects.values_list("pk", flat=True))
    assess_signals(ids)
    Assessment.objects.filter(signal__ref__startswith="ROT-").update(forms=["labour", "criminal"])
    Assessment.objects.filter(signal__ref__startswith="ALM-").update(forms=[])
    Assessment.objects.filter(signal__ref="AD-1").delete()
    likely = counts(Figures(PERIOD, Scope()).signals_by_likely_form())
    assert likely["labour"] == 6 and likely["criminal"] == 6 and likely["not_assessed"] == 1
    assert likely.get("unknown", 0) >= 2  # the inspections: no form found


def test_signals_by_police_unit_of_their_addresses(world):
    region = counts(Figures(PERIOD, Scope()).signals_by_region())
    # AMS-1 counts in Amsterdam and (Hoogvliet) Rotterdam; AD-1 and no other has no address; POL-1 is Dordrecht
    assert region == {"rotterdam": 8, "midden-nederland": 4, "amsterdam": 1, "unknown": 1}


def test_an_address_abroad_is_not_placed_in_a_dutch_unit(users):
    store(tip("DE-1", addresses=[{"street": "Hauptstrasse", "house_number": "1", "city": "Berg", "country": "DE"}]),
          tip("NL-1", addresses=[{"street": "Dorpsstraat", "house_number": "1", "city": "Groningen"}]), owner="emm")
    assert counts(Figures(PERIOD, Scope()).signals_by_region()) == {"unknown": 1, "noord-nederland": 1}


@pytest.fixture
def casework(world, users):
    """Cases and referrals: EMM's analyst opens three cases, refers to Politie Rotterdam (twice) and CoMensha; the
    police accept one and report an investigation and 3 arrests, decline the other; one case is closed."""
    analyst, police, ngo = users[Role.ANALYST], users[Role.INVESTIGATOR], users[Role.PARTNER]
    cases = [open_case(analyst, f"Zaak {i}", signals=[world[f"ROT-{i}"]]) for i in range(3)]
    set_status(analyst, cases[2], "closed", outcome="insufficient_evidence")
    emm = analyst.organisation
    sent = []
    for i, (case, to) in enumerate([(cases[0], police), (cases[1], police), (cases[0], ngo)]):
        sent.append(Referral.objects.create(case=case, reference=f"{case.reference}-V{i}", from_organisation=emm,
                                            to_organisation=to.organisation, reason="test", content={}, sent_by=analyst))
    referral_service.decide(police, sent[0], accept=True)
    referral_service.report_back(police, sent[0], "investigation_opened")
    referral_service.report_back(police, sent[0], "arrests", count=3)
    referral_service.decide(police, sent[1], accept=False, reason="geen capaciteit")
    # everything happened in May 2026, so the figures do not depend on the day the test runs
    Case.objects.update(created_at=MAY)
    Case.objects.filter(status="closed").update(closed_at=MAY)
    Referral.objects.update(sent_at=MAY)
    ReferralUpdate.objects.update(at=MAY)
    return {"cases": cases, "referrals": sent}


def test_referral_and_case_figures(casework):
    figures = Figures(PERIOD, Scope())
    by_receiver = figures.referrals_by_receiver()
    assert by_receiver.cells[("police", "accepted")] == 1 and by_receiver.cells[("police", "declined")] == 1
    assert by_receiver.cells[("ngo", "sent")] == 1 and by_receiver.grand == 3
    assert figures.referrals_by_month().row_totals["2026-05"] == 3
    assert figures.referral_reports_by_month().row_totals["2026-05"] == 3
    reports = figures.referral_reports()
    assert reports.row_totals == {"investigation_opened": 1, "persons_identified": 0, "arrests": 1,
                                  "victims_supported": 0, "no_further_action": 0, "declined": 1, "other": 0}
    assert reports.col_totals["police"] == 3
    assert counts(figures.referral_numbers()) == {"arrests": 3}
    assert figures.referral_numbers().col_totals is None  # persons and arrests do not add up
    assert counts(figures.cases_by_status()) == {"open": 2, "closed": 1}
    assert counts(figures.cases_by_outcome()) == {"insufficient_evidence": 1}
    # the scope of one organisation: what it sent or received
    comensha = Figures(PERIOD, Scope(Organisation.objects.get(slug="comensha")))
    assert comensha.referrals_by_receiver().grand == 1 and comensha.referral_reports().grand == 0
    assert Figures(PERIOD, Scope(Organisation.objects.get(slug="ind"))).cases_by_status().col_totals == {"count": 0}


def timezone_month() -> str:
    from django.utils import timezone

    return timezone.localdate().strftime("%Y-%m")


@pytest.fixture
def protection(users):
    ind = Organisation.objects.get(slug="ind")
    today = dt.date(2026, 4, 10)
    records = []
    for i, (offered, by) in enumerate([(True, "police"), (True, "police"), (True, "kmar"), (False, ""), (None, "")]):
        records.append(ProtectionRecord.objects.create(
            reference=f"B83-2026-{i:05d}", owner=ind, display_name=NAMES[i % 3], reflection_offered=offered,
            created_at=MAY,
            reflection_offered_by=by, cooperation="report" if i < 2 else "",
            cooperation_on=today if i < 2 else None))
    Permit.objects.create(record=records[0], kind="b83", applied_on=today, decision="granted", decided_on=today,
                          valid_from=today, valid_until=dt.date(2027, 4, 10))
    Permit.objects.create(record=records[1], kind="b83", applied_on=today)
    Exemption.objects.create(record=records[2], ground="medical", applied_on=today)
    return records


def test_victim_protection_figures(protection):
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 1))
    figures = Figures(period, Scope())
    assert counts(figures.protection_reflection()) == {"police": 2, "kmar": 1, "not_offered": 1, "not_recorded": 1}
    assert counts(figures.protection_cooperation()) == {"report": 2}
    permits = figures.protection_permits()
    assert permits.cells[("b83", "granted")] == 1 and permits.cells[("b83", "pending")] == 1
    assert figures.protection_exemptions().cells[("medical", "pending")] == 1
    assert Figures(period, Scope(Organisation.objects.get(slug="emm"))).protection_permits().grand == 0


# --- the pages -----------------------------------------------------------------------------------------------------

STATISTICS_ROLES = {r for r, caps in CAPABILITIES.items() if "statistics" in caps}


def test_route_needs_list_every_route():
    assert set(ROUTE_NEEDS) == {"dashboard", "csv"}
    assert set(ROUTE_NEEDS.values()) == {"statistics"}
    assert STATISTICS_ROLES == {Role.ANALYST, Role.INVESTIGATOR, Role.IND_OFFICER, Role.PRIVACY_OFFICER}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_statistics_route_as_every_role(client, world, users, role):
    client.force_login(users[role])
    for name in ROUTE_NEEDS:
        response = client.get(reverse(f"statistics:{name}"))
        if role in STATISTICS_ROLES:
            assert response.status_code == 200, (role, name)
        else:
            assert response.status_code == 403, (role, name)
            assert AuditEntry.objects.filter(username=users[role].username, action="denied",
                                             object_id="statistics").exists()


def test_anonymous_is_sent_to_login(client):
    for name in ROUTE_NEEDS:
        response = client.get(reverse(f"statistics:{name}"))
        assert response.status_code == 302 and "/login/" in response["Location"]


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_is_suppressed_long_format(client, world, users):
    client.force_login(users[Role.ANALYST])
    response = client.get(reverse("statistics:csv"), {"month_from": "2026-01", "month_to": "2026-06"})
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert {r["figure"] for r in rows} == set(FIGURES)
    channel = {r["value"]: r["count"] for r in rows if r["figure"] == "signals_by_channel"}
    # 8 phone tips, then 2, 2 and 1: small counts hidden, and the total does not give one of them away
    assert channel["phone_tip"] == "8" and channel["inspection"] == PRIMARY and channel["police_report"] == PRIMARY
    assert channel["online_ad"] == PRIMARY and channel["other"] == "0" and channel["total"] == "13"
    assert all(re.fullmatch(r"\d+|<5|x", r["count"]) for r in rows)
    assert not any(r["count"] in {"1", "2", "3", "4"} for r in rows)
    region = {r["value"]: r["count"] for r in rows if r["figure"] == "signals_by_region"}
    assert region["rotterdam"] == "8" and region["amsterdam"] == PRIMARY and region["unknown"] == PRIMARY


def test_csv_holds_no_personal_data(client, world, users, casework, protection):
    client.force_login(users[Role.ANALYST])
    text = client.get(reverse("statistics:csv"), {"month_from": "2026-01", "month_to": "2026-12"}).content.decode()
    html = client.get(reverse("statistics:dashboard"),
                      {"month_from": "2026-01", "month_to": "2026-12"}).content.decode()
    signals = Signal.objects.prefetch_related("persons", "identifiers", "addresses")
    secrets = [*NAMES, *PHONES, "Teststraat", "geen capaciteit", "Advertentie"]
    for s in signals:
        secrets += [s.ref, s.narrative[:30]] + [p.name for p in s.persons.all() if p.name]
        secrets += [i.value for i in s.identifiers.all()] + [i.value_given for i in s.identifiers.all()]
    secrets += [c.reference for c in casework["cases"]] + [c.title for c in casework["cases"]]
    secrets += [r.reference for r in casework["referrals"]] + [p.reference for p in protection]
    for secret in {s for s in secrets if s}:
        assert secret not in text, secret
        assert secret not in html, secret


def test_dashboard_shows_tables_and_chart_data_of_shown_numbers_only(client, world, users):
    client.force_login(users[Role.IND_OFFICER])
    response = client.get(reverse("statistics:dashboard"), {"month_from": "2026-01", "month_to": "2026-06"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "vendor/chartjs/chart.umd.min.js" in html and "vigil/statistics.js" in html
    assert "<script>" not in html and " style=" not in html  # strict CSP: no inline script or style
    assert html.count("<table class=\"counts\">") == len(FIGURES)
    assert "&lt;5" in html
    data = json.loads(re.search(r'<script id="statistics-data" type="application/json">(.*?)</script>', html, re.S)[1])
    signal_figures = [k for k, section in FIGURES.items() if section == "signals"]
    assert [f["key"] for f in data] == signal_figures  # nothing else happened: no empty charts
    assert html.count('class="chart-box"') == len(signal_figures)
    channel = next(f for f in data if f["key"] == "signals_by_channel")
    shown = dict(zip([code for code, _ in Channel.choices], channel["datasets"][0]["data"], strict=True))
    assert shown["phone_tip"] == 8 and shown["inspection"] is None and shown["other"] == 0
    values = [v for f in data for d in f["datasets"] for v in d["data"]]
    assert not any(v in (1, 2, 3, 4) for v in values)  # a hidden number never reaches the browser


def test_views_and_exports_are_audited(client, world, users):
    user = users[Role.PRIVACY_OFFICER]
    client.force_login(user)
    client.get(reverse("statistics:dashboard"), {"month_from": "2026-02", "month_to": "2026-04", "scope": "own"})
    view = AuditEntry.objects.get(username=user.username, action="view", object_type="statistics")
    assert view.detail["month_from"] == "2026-02" and view.detail["scope"] == "own"
    assert view.detail["organisation"] == user.organisation.name
    client.get(reverse("statistics:csv"), {"month_from": "2026-02", "month_to": "2026-04",
                                           "figure": "signals_by_region"})
    export = AuditEntry.objects.get(username=user.username, action="export", object_type="statistics")
    assert export.object_id == "signals_by_region"
    assert export.detail["figures"] == ["signals_by_region"] and export.detail["month_to"] == "2026-04"
    assert export.detail["rows"] == 12  # ten units, unknown, total


@pytest.mark.parametrize("params,field", [
    ({"month_from": "2026-13"}, "month_from"), ({"month_from": "maart"}, "month_from"),
    ({"month_from": "2026-06", "month_to": "2026-01"}, "month_to"),
    ({"month_from": "2000-01", "month_to": "2026-01"}, "month_from"), ({"scope": "everyone"}, "scope"),
])
def test_bad_filters_give_clear_errors(client, users, params, field):
    client.force_login(users[Role.ANALYST])
    page = client.get(reverse("statistics:dashboard"), params)
    assert page.status_code == 200 and 'class="error"' in page.content.decode()
    assert 'id="statistics-data"' not in page.content.decode()
    export = client.get(reverse("statistics:csv"), params)
    assert export.status_code == 400 and field in export.content.decode()
    assert not AuditEntry.objects.filter(object_type="statistics", action__in=["view", "export"]).exists()


def test_unknown_figure_and_own_scope_without_organisation(client, orgs):
    user = User.objects.create_user("los", password="x", role=Role.ANALYST, organisation=None)
    client.force_login(user)
    assert client.get(reverse("statistics:csv"), {"figure": "names"}).status_code == 400
    assert client.get(reverse("statistics:csv"), {"scope": "own"}).status_code == 400
    assert client.get(reverse("statistics:csv"), {"scope": "all"}).status_code == 200


def test_default_period_is_the_last_twelve_months(client, users):
    client.force_login(users[Role.ANALYST])
    rows = csv_rows(client.get(reverse("statistics:csv"), {"figure": "signals_by_month"}))
    months = [r["value"] for r in rows if r["value"] != "total"]
    assert len(months) == 12 and months[-1] == timezone_month()
    assert Period.last_months(today=dt.date(2026, 3, 15)) == Period(dt.date(2025, 4, 1), dt.date(2026, 3, 1))


# --- queries -------------------------------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_the_data(users, django_assert_max_num_queries):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            [suppress(t) for t in Figures(PERIOD, Scope()).tables()]
        return len(ctx.captured_queries)

    store(*[tip(f"A-{i}", city="Utrecht", suspected_forms=["labour"]) for i in range(3)], owner="emm")
    few = queries()
    store(*[tip(f"B-{i}", city=["Breda", "Tilburg", "Venlo"][i % 3], suspected_forms=["sexual", "criminal"])
            for i in range(60)], owner="emm")
    assert queries() == few <= 20
    with django_assert_max_num_queries(20):
        Figures(PERIOD, Scope()).tables()


def test_dashboard_query_count(client, world, users, casework, protection, django_assert_max_num_queries):
    client.force_login(users[Role.ANALYST])
    with django_assert_max_num_queries(30):
        assert client.get(reverse("statistics:dashboard")).status_code == 200


# --- in the browser ------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_charts_are_drawn_under_the_strict_csp_and_pass_axe(browser, live_server, transactional_db, world, password):
    from tests.browser import SHOTS, login

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    login(page, live_server.url, "analist", password)
    problems.clear()  # the login page asks for a favicon there is none of
    page.goto(f"{live_server.url}/statistics/?month_from=2026-01&month_to=2026-06")
    page.wait_for_selector(".chart-box:not([hidden]) canvas[data-drawn]")
    drawn = page.evaluate("""() => [...document.querySelectorAll('canvas[data-figure]')]
        .filter(c => window.Chart.getChart(c)).map(c => c.dataset.figure)""")
    assert drawn == [k for k, section in FIGURES.items() if section == "signals"]
    # the channel chart holds the shown numbers: 8 phone tips, the hidden ones left out
    data = page.evaluate("""() => window.Chart.getChart(document.querySelector('canvas[data-figure="signals_by_channel"]'))
        .data.datasets[0].data""")
    assert data[[c for c, _ in Channel.choices].index("phone_tip")] == 8 and None in data
    assert not problems, problems  # no CSP violation, no script error
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "statistics-dashboard.png"), full_page=False)
    axe = resources.files("vigil").parent.parent / "node_modules" / "axe-core" / "axe.min.js"
    checking = browser.new_context(bypass_csp=True)
    check = checking.new_page()
    login(check, live_server.url, "analist", password)
    check.goto(f"{live_server.url}/statistics/?month_from=2026-01&month_to=2026-06")
    check.add_script_tag(path=str(axe))
    violations = check.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({id: v.id, nodes: v.nodes.length}))""")
    checking.close()
    context.close()
    assert not violations, violations
