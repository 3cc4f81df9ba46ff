import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from vigil.audit.log import record, verify
from vigil.audit.models import AuditEntry


@pytest.fixture
def entries(users):
    analyst = users["analyst"]
    for i in range(5):
        record(analyst, "view", object_type="signal", object_id=i, reason="onderzoek" if i % 2 else "")
    return list(AuditEntry.objects.order_by("id"))


def test_chain_verifies(entries):
    result = verify()
    assert result.ok and result.checked == len(entries) and result.head == entries[-1].hash


def test_update_and_delete_are_refused(entries):
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[1].pk).update(reason="weggepoetst")
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[1].pk).delete()


def _bypass_trigger(sql: str, params) -> None:
    """What an attacker with database superuser rights could do."""
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        cur.execute("SET session_replication_role = DEFAULT")


def test_verify_detects_a_changed_entry(entries, capsys):
    _bypass_trigger("UPDATE audit_auditentry SET object_id = '999' WHERE id = %s", [entries[2].pk])
    result = verify()
    assert not result.ok and any(f"entry {entries[2].pk}: content" in p for p in result.problems)
    with pytest.raises(SystemExit):
        call_command("audit_verify")
    assert "problem" in capsys.readouterr().out


def test_verify_detects_a_removed_entry(entries):
    _bypass_trigger("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    result = verify()
    assert not result.ok and any(f"entry {entries[3].pk}: predecessor" in p for p in result.problems)


def test_removed_tail_is_detected_with_the_expected_head(entries, capsys):
    head = verify().head
    _bypass_trigger("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    assert verify().ok  # the chain alone cannot see a cut-off tail...
    with pytest.raises(SystemExit):
        call_command("audit_verify", expect_head=head)  # ...a head hash kept elsewhere can
    assert "entries at the end were removed" in capsys.readouterr().err
