"""records.prepare: the one gate every signal passes, whatever its channel."""

import fastjsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import make_record
from vigil.register.records import fast_validator, prepare, validator

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.text(max_size=8),
                    st.sampled_from(["phone_tip", "sexual", "possible_victim", "2026-01-01", ""]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(
                                                           ["name", "phones", "plate", "role", "estimated_age",
                                                            "aliases", "number", "street"]), inner, max_size=3)),
                      max_leaves=8)
keys = st.sampled_from(["source", "ref", "organisation", "received_at", "narrative", "suspected_forms", "urgent",
                        "persons", "addresses", "phones", "vehicles", "organisations", "bank_accounts", "online",
                        "indicators", "language", "observed_at", "extra_key"])


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, values, max_size=8))
def test_fast_and_reference_validators_agree(record):
    try:
        fast_validator()(record)
        fast_ok = True
    except fastjsonschema.JsonSchemaException:
        fast_ok = False
    assert fast_ok == validator().is_valid(record)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, values, max_size=8))
def test_prepare_never_fails_with_anything_but_a_record_error(record):
    from vigil.register.records import RecordError

    try:
        prepare(record)
    except RecordError as exc:
        assert exc.field and exc.message


def test_minor_by_birth_date_at_receipt():
    young = prepare(make_record("M-1", received_at="2026-03-01T10:00:00+01:00",
                                persons=[{"role": "possible_victim", "birth_date": "2008-04"}]))
    adult = prepare(make_record("M-2", received_at="2026-05-01T10:00:00+02:00",
                                persons=[{"role": "possible_victim", "birth_date": "2008-04"}]))
    assert young.signal.sensitive and not adult.signal.sensitive


def test_full_address_line_is_split_and_normalised():
    prep = prepare(make_record("A-1", addresses=[{"full": "Postjesweg 87 3, 1057DZ Amsterdam"}]))
    a = prep.addresses[0]
    assert (a.street, a.house_number, a.postcode, a.city_key) == ("Postjesweg", "87-3", "1057 DZ", "amsterdam")
