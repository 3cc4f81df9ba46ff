import json

import pytest
from django.core.management import call_command

from tests.conftest import make_record, write_jsonl
from vigil.intake.importer import import_signals
from vigil.register.models import Identifier, Person, Signal, SignalVersion

RICH = make_record(
    "MEL-1", organisation="Politie Rotterdam", suspected_forms=["sexual"], urgent=True,
    persons=[{"role": "possible_suspect", "name": "Hendrik-Jan de Vries", "aliases": ["Henk"], "birth_date": "1971-03",
              "nationality": "Nederlands", "phones": ["06-41 27 83 90"], "emails": ["HJ.deVries@Example.NL"]},
             {"role": "possible_victim", "estimated_age": 16, "nationality": "Roemenië"}],
    addresses=[{"role": "managed property", "street": "Mathenesserlaan", "house_number": "212 b",
                "postcode": "3014ha", "city": "Rotterdam"}],
    vehicles=[{"plate": "54-TVR-1"}], bank_accounts=["NL91 ABNA 0417 1643 00"], phones=["0031 6 41278390"],
    organisations=[{"name": "De Vries Vastgoedbeheer B.V.", "registration_number": "24123456"}],
    source_system="x-42",
)


def test_import_stores_given_and_normalised_values(tmp_path, orgs):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [RICH])
    report = import_signals(f)
    assert report.result.created == 1 and not report.errors
    s = Signal.objects.get(ref="MEL-1")
    assert s.owner.slug == "politie-rotterdam"  # sending organisation is a Vigil organisation (alias)
    assert s.urgent and s.forms == ["sexual"] and s.sensitive  # a minor makes it sensitive
    assert s.extra == {"source_system": "x-42"}  # unknown keys are kept
    values = set(Identifier.objects.filter(signal=s).values_list("kind", "value"))
    assert ("phone", "+31641278390") in values
    assert ("plate", "54TVR1") in values
    assert ("iban", "NL91ABNA0417164300") in values
    assert ("email", "hj.devries@example.nl") in values
    assert ("registration", "24123456") in values
    suspect = Person.objects.get(signal=s, role="possible_suspect")
    assert (suspect.birth_year, suspect.birth_month, suspect.birth_day) == (1971, 3, None)
    assert suspect.nationality == "NL"
    assert Person.objects.get(signal=s, role="possible_victim").nationality == "RO"
    address = s.addresses.get()
    assert (address.postcode, address.house_number) == ("3014 HA", "212B")


def test_same_file_twice_changes_nothing(tmp_path, orgs):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [RICH, make_record("MEL-2")])
    import_signals(f)
    before = list(Signal.objects.order_by("id").values("id", "updated_at", "version"))
    report = import_signals(f)
    assert (report.result.created, report.result.updated, report.result.unchanged) == (0, 0, 2)
    assert list(Signal.objects.order_by("id").values("id", "updated_at", "version")) == before
    assert SignalVersion.objects.count() == 2


def test_changed_line_updates_and_keeps_history(tmp_path, orgs):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [RICH])
    import_signals(f)
    changed = dict(RICH, narrative="Aangevuld: ook een man met een bestelbus.", phones=["06-11112222"])
    write_jsonl(f, [changed])
    report = import_signals(f)
    assert report.result.updated == 1
    s = Signal.objects.get(ref="MEL-1")
    assert s.version == 2 and s.narrative.startswith("Aangevuld")
    assert s.identifiers.filter(kind="phone", value="+31611112222").exists()
    assert [v.data["narrative"] for v in s.versions.order_by("version")] == [RICH["narrative"], changed["narrative"]]
    assert Signal.objects.count() == 1


def test_bad_lines_are_reported_and_good_lines_stored(tmp_path, orgs):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [
        make_record("OK-1"),
        "{not json",
        make_record("BAD-2", source="carrier_pigeon"),
        make_record("BAD-3", received_at="gisteren"),
        make_record("BAD-4", persons=[{"name": "X", "estimated_age": "zestien"}]),
        {"ref": "BAD-5", "received_at": "2026-01-01"},
        make_record("OK-2", phones=["06-1234"], persons=[{"name": "Y", "nationality": "Atlantis"}]),
    ])
    errors = []
    report = import_signals(f, on_error=errors.append)
    assert sorted(Signal.objects.values_list("ref", flat=True)) == ["OK-1", "OK-2"]
    assert [(e.line, e.field) for e in report.errors] == [
        (2, "(line)"), (3, "source"), (4, "received_at"), (5, "persons[0].estimated_age"), (6, "(record)")]
    assert "'source' is a required property" in report.errors[-1].message
    assert errors == report.errors
    kept = Identifier.objects.get(signal__ref="OK-2", kind="phone")
    assert kept.value_given == "06-1234" and not kept.valid and kept.problem
    assert Person.objects.get(signal__ref="OK-2").problems == ["nationality: unknown country 'Atlantis'"]


def test_text_postgresql_cannot_store_is_that_lines_error_and_odd_offsets_are_kept(tmp_path, orgs):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [
        make_record("OK-1"),
        make_record("NUL-2", narrative="voor\u0000na"),
        '{"source": "phone_tip", "ref": "SUR-3", "organisation": "Meldlijn", "received_at": "2026-05-04", '
        '"persons": [{"name": "\\ud800"}]}',
        make_record("TZ-4", received_at="2026-05-04T10:15:00+21:14"),
        make_record("OK-5", received_at="2026-05-04T10:15:00+14:00"),
    ])
    report = import_signals(f)
    assert sorted(Signal.objects.values_list("ref", flat=True)) == ["OK-1", "OK-5", "TZ-4"]
    assert [(e.line, e.field) for e in report.errors] == [(2, "narrative"), (3, "persons[0].name")]
    # an offset PostgreSQL does not take (beyond ±15:59) is the same moment in UTC
    assert Signal.objects.get(ref="TZ-4").received_at.isoformat() == "2026-05-03T13:01:00+00:00"


def test_interrupted_import_resumes(tmp_path, orgs):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [make_record(f"R-{i}") for i in range(25)])
    first = import_signals(f, batch_size=10, stop_after_batches=1)
    assert Signal.objects.count() == 10 and first.lines == 10
    second = import_signals(f, batch_size=10)
    assert second.resumed_from_line == 10
    assert second.result.created == 15 and second.result.unchanged == 0
    assert Signal.objects.count() == 25


def test_duplicate_key_in_one_file_is_an_update(tmp_path, orgs):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [make_record("D-1"), make_record("D-1", narrative="tweede versie")])
    report = import_signals(f)
    assert (report.result.created, report.result.updated) == (1, 1)
    assert Signal.objects.get(ref="D-1").narrative == "tweede versie"


def test_unknown_owner_slug_rejects_only_that_line(tmp_path, orgs):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [make_record("O-1", owner="nope"), make_record("O-2", owner="comensha")])
    report = import_signals(f)
    assert [(e.line, e.field) for e in report.errors] == [(1, "owner")]
    assert Signal.objects.get(ref="O-2").owner.slug == "comensha"


def test_cli_reports_and_exits_non_zero_on_bad_lines(tmp_path, orgs, capsys):
    f = tmp_path / "s.jsonl"
    write_jsonl(f, [make_record("C-1"), json.dumps({"source": "phone_tip"})])
    with pytest.raises(SystemExit) as exit_:
        call_command("import_signals", str(f))
    assert exit_.value.code == 1
    out = capsys.readouterr()
    assert "1 new" in out.out and "1 rejected" in out.out
    assert "s.jsonl: line 2: (record): 'ref' is a required property" in out.err
