"""Project-wide promises: Argon2 passwords, PostgreSQL with its extensions, logs without client data."""

import logging
import os

from django.db import connection


def test_passwords_are_hashed_with_argon2(users):
    assert all(u.password.startswith("argon2$argon2id$") for u in users.values())


def test_database_is_postgresql_with_extensions(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute("SELECT extname FROM pg_extension")
        assert {"pg_trgm", "unaccent"} <= {row[0] for row in cur.fetchall()}


def test_request_log_has_no_query_ip_or_user_agent(client, users, caplog):
    client.force_login(users["analyst"])
    with caplog.at_level(logging.INFO, logger="vigil.request"):
        client.get("/signals/search/", {"q": "Ioana Popescu"}, HTTP_USER_AGENT="Firefox/UniqueAgent",
                   REMOTE_ADDR="203.0.113.9")
    text = " ".join(str(r.msg) for r in caplog.records if r.name == "vigil.request")
    assert "/signals/search/" in text
    assert "Popescu" not in text and "203.0.113.9" not in text and "UniqueAgent" not in text


def test_start_page_fits_the_role(client, users):
    expected = {"privacy_officer": "/audit/", "administrator": "/admin/", "analyst": "/signals/"}
    for role, url in expected.items():
        client.force_login(users[role])
        assert client.get("/")["Location"] == url


def test_workspace_in_dutch_and_english(client, users):
    client.force_login(users["analyst"])
    assert "<h1>Werkvoorraad signalen</h1>" in client.get("/signals/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/signals/"})
    assert "<h1>Signal queue</h1>" in client.get("/signals/").content.decode()


def test_dutch_catalogue_is_complete():
    import polib
    from django.conf import settings

    po = polib.pofile(str(settings.BASE_DIR / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    assert not po.untranslated_entries() and not po.fuzzy_entries()


def test_embedded_server_forgets_killed_processes(tmp_path):
    import json

    from vigil.pgserver import _forget_dead_users

    (tmp_path / ".handle_pids.json").write_text(json.dumps([os.getpid(), 2_999_999]))
    _forget_dead_users(tmp_path)
    assert json.loads((tmp_path / ".handle_pids.json").read_text()) == [os.getpid()]
