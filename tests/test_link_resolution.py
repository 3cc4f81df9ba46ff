"""Person resolution on the register: one entity per person, explained; judgements override the model, are
audited, can undo a merge, and contradictions are refused with a clear message."""

import pytest
from django.urls import reverse

from tests.conftest import make_record, store
from vigil.audit.models import AuditEntry
from vigil.linking import resolution, service
from vigil.linking.models import Entity, Kind, PersonJudgement, PersonLink
from vigil.register.models import Person

pytestmark = pytest.mark.django_db

MANAGER = [("R-1", "H.J. de Vries", "1968-03-09", "06-41278390"),
           ("R-2", "de Vries, Hendrik-Jan", "9-3-1968", ""),
           ("R-3", "Hendrik Jan de Vries", "1968", "+31 6 41 27 83 90")]
NEAR_MISS = ("R-4", "Hendrik de Vries", "1957-11-02", "06-55512345")


@pytest.fixture
def persons(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for ref, name, born, phone in [*MANAGER, NEAR_MISS]:
            person = {"role": "possible_suspect", "name": name, "birth_date": born, "nationality": "NL"}
            if phone:
                person["phones"] = [phone]
            store(make_record(ref, persons=[person]), owner="politie-rotterdam")
    service.link_stale()
    return {p.signal.ref: p for p in Person.objects.select_related("signal")}


def entity_of(person):
    from vigil.linking.queries import entity_of_person

    return entity_of_person(person.pk)


def test_one_entity_per_person_however_written_and_the_near_miss_apart(persons):
    result = resolution.resolve_persons()
    assert result["clusters"] == 1
    manager = {entity_of(persons[ref]) for ref, *_ in MANAGER}
    assert len(manager) == 1
    (entity,) = manager
    assert entity.kind == Kind.PERSON and entity_of(persons["R-4"]) != entity
    # the entity carries every spelling, and each signal still gives its own evidence
    assert {"H.J. de Vries", "de Vries, Hendrik-Jan", "Hendrik Jan de Vries"} <= set(entity.variants)
    # every scored pair is explained field by field
    link = PersonLink.objects.filter(linked=True).first()
    assert link.probability >= 0.95 and {f["comparison"] for f in link.explanation["fields"]}
    assert not Entity.objects.filter(kind=Kind.PERSON, key=f"person:{persons['R-2'].pk}").exists() or \
        entity.key == f"person:{persons['R-2'].pk}"


def test_judgements_override_and_undo_a_merge_and_contradictions_are_refused(client, persons, users, password):
    resolution.resolve_persons()
    client.login(username="rechercheur", password=password)
    a, b, c = (persons[ref] for ref, *_ in MANAGER)
    entity = entity_of(a)
    page = client.get(reverse("linking:entity", args=[entity.pk])).content.decode()
    assert "Waarom: de paren die het model heeft gescoord" in page and "birth" in page.lower()
    # not the same: the merge is undone (the weakest link cut), audited
    resp = client.post(reverse("linking:judge"), {"a": b.pk, "b": c.pk, "verdict": "different",
                                                  "reason": "other birth year in the municipal records",
                                                  "back": "/"})
    assert resp.status_code == 302
    assert entity_of(b) != entity_of(c)
    assert AuditEntry.objects.filter(action="review", object_type="person_pair").exists()
    # "same" for b and c now, while a chain says... first judge a = b and a = c: then b ≠ c contradicts
    resolution.judge(users["investigator"], a, b, "same", "same passport number")
    with pytest.raises(ValueError, match="chain"):
        resolution.judge(users["investigator"], a, c, "same", "same phone")
    resp = client.post(reverse("linking:judge"), {"a": a.pk, "b": c.pk, "verdict": "same", "reason": "x",
                                                  "back": "/"}, follow=True)
    assert "chain" in resp.content.decode()
    assert PersonJudgement.objects.filter(a=a, b=c).count() == 0  # the refused one is not stored
    # the near miss judged the same by mistake, then taken back: the latest judgement counts
    near = persons["R-4"]
    resolution.judge(users["investigator"], a, near, "same", "mistake")
    resolution.resolve_persons()
    assert entity_of(near) == entity_of(a)
    resolution.judge(users["investigator"], a, near, "unsure", "taken back")
    resolution.resolve_persons()
    assert entity_of(near) != entity_of(a)


def test_judging_needs_both_signals_readable(client, persons, users, password):
    client.login(username="analist", password=password)  # emm reads nothing of politie-rotterdam here
    a, b = persons["R-1"], persons["R-2"]
    resp = client.post(reverse("linking:judge"), {"a": a.pk, "b": b.pk, "verdict": "same", "reason": "x",
                                                  "back": "/"})
    assert resp.status_code == 404 and not PersonJudgement.objects.exists()
