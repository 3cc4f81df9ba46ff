"""Need-to-know: walk every URL of the workspace as every role."""

import importlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import make_record, store
from vigil.audit.models import AuditEntry
from vigil.organisations.models import Organisation
from vigil.organisations.roles import CAPABILITIES, Role
from vigil.register.models import Signal, SignalShare

SKIP_NAMESPACES = {"admin", "api"}  # Django's admin has its own staff check (below); the API its tokens (test_api.py)
# Apps whose routes take their own ids (cases, referrals, ...): they list what each route needs beside the routes,
# and their own tests walk those routes as every role.
OWN_WALKS = ("ads:", "linking:", "cases:", "referrals:", "protection:", "statistics:")


def all_routes():
    def walk(patterns, prefix="", ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIP_NAMESPACES:
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), f"{ns}:{p.name}" if ns else p.name
    return list(walk(get_resolver().url_patterns))


# What each named URL needs; a new URL without an entry here fails the test, so it cannot be forgotten.
NEEDS = {
    "home": None, "login": None, "logout": None, "set_language": None,
    "register:queue": "read_signals", "register:signal": "read_signals", "register:share": "share", "register:status": "intake",
    "register:search": "search", "intake": "intake", "audit": "audit",
    # the public site: no login, never any signal data (tests/test_public.py)
    "public:index": None, "public:signs": None, "public:after": None, "public:how": None, "public:report": None,
    "public:follow_up": None, "public:challenge": None,
    "register:ask": "intake", "register:spam": "intake", "register:attachment": "read_signals",
    # the catalogue holds no personal data: every logged-in user may read it (tests/test_assessment.py)
    "assessment:catalogue": None,
    "assessment:review_indicator": "review", "assessment:review_reading": "review",
    # online ads: roles reading signals in their own right, not partners (tests/test_ads_views.py walks them)
    **{f"ads:{n}": "read_ads" for n in ("search", "ad", "cluster", "phone", "networks", "network", "alerts")},
    # the graph: pages take entity ids, need-to-know holds per edge (tests/test_linking.py walks them as every role)
    **{f"linking:{n}": "read_signals" for n in ("entity", "neighbours", "network", "signal", "alerts", "watch")},
    "linking:judge": "review",
}
for _module in ("vigil.cases.urls", "vigil.cases.referral_urls", "vigil.protection.urls", "vigil.statistics.urls"):
    _urls = importlib.import_module(_module)
    NEEDS.update({f"{_urls.app_name}:{name}": need for name, need in _urls.ROUTE_NEEDS.items()})


NEEDS_REPORT = {"register:ask", "register:spam", "register:attachment"}
POSTS = {"register:share", "register:status", "register:ask", "register:spam", "assessment:review_indicator",
         "assessment:review_reading"}


@pytest.fixture
def world(users):
    store(make_record("OWN-1"), owner="emm")
    store(make_record("ROT-1"), owner="politie-rotterdam")
    store(make_record("SHARED-1"), owner="politie-rotterdam")
    shared = Signal.objects.get(ref="SHARED-1")
    for org in ("emm", "comensha", "ind"):
        SignalShare.objects.create(signal=shared, organisation=Organisation.objects.get(slug=org), reason="test")
    return {s.ref: s for s in Signal.objects.all()}


def test_every_route_is_classified():
    names = {name for _, name in all_routes()}
    assert names == set(NEEDS), f"classify the new routes in NEEDS: {names ^ set(NEEDS)}"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_url_as_every_role(client, world, users, role):
    user = users[role]
    client.force_login(user)
    caps = CAPABILITIES[role]
    own_org = user.organisation.slug
    for route, name in all_routes():
        if NEEDS[name] is None or name.startswith(OWN_WALKS):
            continue
        targets = [None] if "<int:pk>" not in route else list(world.values())
        for signal in targets:
            url = "/" + route.replace("<int:pk>", str(signal.pk) if signal else "").replace("<int:attachment_id>", "1")
            response = client.post(url, {}) if name in POSTS else client.get(url)
            need = NEEDS[name]
            if need not in caps:
                assert response.status_code == 403, (role, url, response.status_code)
                continue
            if signal is None:
                assert response.status_code == 200, (role, url, response.status_code)
                continue
            visible = signal.owner.slug == own_org or signal.shares.filter(organisation__slug=own_org).exists()
            if not visible:
                assert response.status_code == 404, (role, url, response.status_code)
                assert AuditEntry.objects.filter(username=user.username, action="denied",
                                                 object_id=str(signal.pk)).exists()
            elif name in NEEDS_REPORT:  # these signals did not come from the web form
                assert response.status_code in (302, 404), (role, url, response.status_code)
            else:
                assert response.status_code in (200, 302), (role, url, response.status_code)


def test_queue_shows_only_visible_signals(client, world, users):
    client.force_login(users["partner"])
    html = client.get("/signals/").content.decode()
    assert "SHARED-1" in html and "ROT-1" not in html and "OWN-1" not in html
    client.force_login(users["analyst"])
    html = client.get("/signals/").content.decode()
    assert "SHARED-1" in html and "OWN-1" in html and "ROT-1" not in html


def test_search_never_returns_invisible_signals(client, world, users):
    store(make_record("ROT-2", phones=["06-55554444"]), owner="politie-rotterdam")
    client.force_login(users["analyst"])
    assert "ROT-2" not in client.get("/signals/search/", {"q": "0655554444"}).content.decode()
    client.force_login(users["investigator"])
    assert "ROT-2" in client.get("/signals/search/", {"q": "0655554444"}).content.decode()


def test_admin_only_for_administrator(client, users):
    for role, user in users.items():
        client.force_login(user)
        status = client.get("/admin/").status_code
        assert status == (200 if role == Role.ADMINISTRATOR else 302), role


def test_anonymous_is_sent_to_login(client, world):
    for route, name in all_routes():
        if NEEDS[name] is None:
            continue
        url = "/" + route.replace("<int:pk>", str(world["OWN-1"].pk)).replace("<int:attachment_id>", "1")
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_status_change_only_by_owner_and_audited(client, world, users):
    shared = world["SHARED-1"]  # owned by Rotterdam, shared with EMM
    client.force_login(users["analyst"])  # EMM
    client.post(f"/signals/{shared.pk}/status/", {"status": "closed"})
    shared.refresh_from_db()
    assert shared.status == "new"
    own = world["OWN-1"]
    client.post(f"/signals/{own.pk}/status/", {"status": "in_triage"})
    own.refresh_from_db()
    assert own.status == "in_triage"
    entry = AuditEntry.objects.filter(action="update", object_id=str(own.pk)).get()
    assert entry.detail == {"status": ["new", "in_triage"]}


def test_queue_date_filter_uses_local_days(client, users):
    store(make_record("LATE", received_at="2026-03-31T23:30:00+02:00"),
          make_record("NEXT", received_at="2026-04-01T00:30:00+02:00"), owner="emm")
    client.force_login(users["analyst"])
    html = client.get("/signals/", {"date_from": "2026-03-31", "date_to": "2026-03-31"}).content.decode()
    assert "LATE" in html and "NEXT" not in html
