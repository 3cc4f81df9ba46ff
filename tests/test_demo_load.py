"""The demo world, loaded: the hidden networks are there for linking to find, and loading twice changes nothing."""

import pytest

from vigil.demo.load import load_demo
from vigil.linking.models import Entity
from vigil.organisations.models import Organisation, User
from vigil.public.models import Report
from vigil.register.models import Address, Channel, Identifier, Signal
from vigil.register.search import search


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        world, logins, result = load_demo()
        yield world, logins, result
        # module-scoped data lives outside the per-test transactions: remove it again
        Entity.objects.all().delete()  # the graph the load built (signal nodes go with their signals)
        Report.objects.all().delete()
        Signal.objects.all().delete()
        User.objects.all().delete()
        Organisation.objects.all().delete()


def web_reports() -> set[str]:
    """The demo's public web reports (vigil.demo.load.DEMO_REPORTS) describe the same flat on purpose."""
    return set(Signal.objects.filter(report__isnull=False).values_list("ref", flat=True))


@pytest.mark.django_db
def test_demo_world_loads_every_signal(demo):
    world, logins, result = demo
    assert result.created == len(world.signals) >= 2000
    assert set(Signal.objects.values_list("channel", flat=True)) == {c.value for c in Channel} - {"other"}
    assert {u for u, _, _ in logins} == set(User.objects.values_list("username", flat=True))


@pytest.mark.django_db
def test_loading_again_changes_nothing(demo):
    _, _, result = load_demo()
    assert result.created == 0 and result.updated == 0


@pytest.mark.django_db
def test_flat_manager_is_linkable_through_normalised_identifiers(demo):
    world, _, _ = demo
    refs = set(world.networks["flat-manager"]) | web_reports()
    phone = Identifier.objects.filter(kind="phone", value="+31641278390")
    assert len({i.value_given for i in phone}) >= 3  # written in several ways...
    assert phone.values("signal").distinct().count() >= 5  # ...one number
    assert set(phone.values_list("signal__ref", flat=True)) <= refs
    cities = set(Address.objects.filter(signal__ref__in=refs).values_list("city_key", flat=True))
    assert {"rotterdam", "amsterdam", "almere"} <= cities
    plate = Identifier.objects.filter(kind="plate", value="54TVR1")
    assert plate.count() >= 2 and len({i.value_given for i in plate}) >= 2
    assert not Identifier.objects.filter(kind="plate", value="54TVR7", signal__ref__in=refs).exists()  # near miss


@pytest.mark.django_db
def test_expertise_centre_analyst_finds_the_network_by_any_spelling(demo):
    analyst = User.objects.get(username="analist")
    hits = {h.signal.ref for h in search(analyst, "06 41 27 83 90")}
    assert len(hits) >= 5 and hits <= set(demo[0].networks["flat-manager"]) | web_reports()


@pytest.mark.django_db
def test_demo_public_reports_can_be_followed_up(demo, client):
    from vigil.demo.load import DEMO_REPORTS

    code = DEMO_REPORTS[0][0]
    html = client.post("/nl/follow-up/", {"receipt": code}).content.decode()
    assert DEMO_REPORTS[0][3] in html and DEMO_REPORTS[0][4] in html
