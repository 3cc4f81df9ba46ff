from vigil.audit.models import AuditEntry
from vigil.register.models import Signal


def form_data(**extra):
    data = {
        "channel": "inspection", "received_at": "2026-06-01T09:30", "narrative": "Controle pand: 14 matrassen in 2 kamers.",
        "language": "nl", "suspected_forms": ["labour"], "phones": "06-1234\n+40 721 234 567", "plates": "GH-123-K",
        "persons-TOTAL_FORMS": "1", "persons-INITIAL_FORMS": "0",
        "persons-0-role": "possible_victim", "persons-0-name": "Ioana Popescu", "persons-0-birth_date": "2009-04",
        "persons-0-nationality": "Roemeens",
        "addresses-TOTAL_FORMS": "1", "addresses-INITIAL_FORMS": "0",
        "addresses-0-street": "Westlandseweg", "addresses-0-house_number": "14 a", "addresses-0-postcode": "2291pg",
        "addresses-0-city": "Wateringen", "save": "1",
    }
    data.update(extra)
    return data


def test_staff_intake_stores_a_signal_and_flags_bad_values(client, users):
    user = users["intake_operator"]
    client.force_login(user)
    response = client.post("/intake/", form_data(), follow=True)
    signal = Signal.objects.get()
    assert signal.owner == user.organisation and signal.channel == "inspection" and signal.sensitive  # minor
    assert signal.ref.startswith("VIGIL-EMM-")
    assert set(signal.identifiers.values_list("value", flat=True)) >= {"+40721234567", "GH123K"}
    assert signal.addresses.get().address_key
    html = response.content.decode()
    assert "06-1234" in html and ("flagged" in html or "gemarkeerd" in html)
    assert AuditEntry.objects.filter(action="create", object_id=str(signal.pk)).exists()


def test_validation_errors_are_summarised_and_nothing_stored(client, users):
    client.force_login(users["intake_operator"])
    response = client.post("/intake/", form_data(narrative="", **{"persons-0-birth_date": "31-02-2001"}))
    html = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in html
    assert 'href="#id_narrative"' in html and 'href="#id_persons-0-birth_date"' in html
    assert not Signal.objects.exists()


def test_add_person_without_javascript(client, users):
    client.force_login(users["intake_operator"])
    data = form_data(**{"add_person": "1"})
    data.pop("save")
    html = client.post("/intake/", data).content.decode()
    assert 'name="persons-1-name"' in html and "error-summary" not in html
    assert not Signal.objects.exists()
