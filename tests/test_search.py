import pytest

from tests.conftest import make_record, store
from vigil.audit.models import AuditEntry
from vigil.register.search import search


@pytest.fixture
def register(users):
    store(
        make_record("S-1", persons=[{"role": "possible_suspect", "name": "Hendrik-Jan de Vries", "phones": ["+31641278390"]}],
                    addresses=[{"street": "Mathenesserlaan", "house_number": "212B", "postcode": "3014 HA",
                                "city": "Rotterdam"}],
                    vehicles=[{"plate": "54TVR1"}], bank_accounts=["NL91ABNA0417164300"]),
        make_record("S-2", persons=[{"role": "witness", "name": "Jörgen Müller"}],
                    addresses=[{"full": "Postjesweg 87-3, 1057 DZ Amsterdam"}]),
        make_record("S-3", persons=[{"role": "witness", "name": "Anna Kowalska"}],
                    addresses=[{"street": "Mathenesserdijk", "house_number": "212", "city": "Rotterdam"}]),
        owner="emm",
    )
    return users["analyst"]


def refs(user, q):
    return [h.signal.ref for h in search(user, q)]


@pytest.mark.parametrize("typed", ["06-41 27 83 90", "0641278390", "+31 6 4127 8390", "0031641278390"])
def test_phone_in_any_format(register, typed):
    assert refs(register, typed) == ["S-1"]


@pytest.mark.parametrize("typed", ["54-TVR-1", "54 tvr 1"])
def test_plate_in_any_format(register, typed):
    assert refs(register, typed) == ["S-1"]


def test_iban_with_spaces(register):
    assert refs(register, "NL91 ABNA 0417 1643 00") == ["S-1"]


def test_name_accent_and_case_insensitive(register):
    assert refs(register, "jorgen muller") == ["S-2"]
    assert refs(register, "hendrik jan de vries") == ["S-1"]


def test_address_with_addition_written_differently(register):
    assert refs(register, "Mathenesserlaan 212 b") == ["S-1"]
    assert refs(register, "3014HA 212-B") == ["S-1"]
    assert refs(register, "Postjesweg 87 3") == ["S-2"]


def test_near_miss_street_does_not_match_on_number(register):
    assert "S-3" not in refs(register, "Mathenesserlaan 212 b")


def test_search_is_audited_with_terms(client, register):
    client.force_login(register)
    client.get("/signals/search/", {"q": "06-41 27 83 90"})
    entry = AuditEntry.objects.filter(action="search", username=register.username).latest("id")
    assert entry.detail["terms"] == "06-41 27 83 90" and entry.detail["hits"] == 1


def test_highlight_marks_phones_and_names_but_not_dates():
    from vigil.register.highlight import highlight

    html = highlight("Andreea (geb. 17-05-2002) belt met 06-87349215 & <script>", [("Andreea", "person", "Andreea")])
    assert '<mark class="ident ident-person"' in html and "title=\"phone: +31687349215\"" in html
    assert "17-05-2002</mark>" not in html and "&lt;script&gt;" in html
