"""``vigil api token create|list|revoke``: API tokens for partner systems."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from vigil.api import tokens
from vigil.api.models import (
    LOOKUPS_PER_MINUTE,
    REQUESTS_PER_MINUTE,
    SIGNALS_PER_MINUTE,
    ApiToken,
    Scope,
    digest,
)
from vigil.organisations.models import User


class Command(BaseCommand):
    help = ("API tokens: create one for a user (printed once, only its hash is kept), list them, revoke one. "
            f"Scopes: {', '.join(Scope.values)}.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token and print it once")
        create.add_argument("--user", required=True, help="username; the token acts for this user's organisation")
        create.add_argument("--name", required=True, help="which system uses it, e.g. 'CoMensha intake system'")
        create.add_argument("--scopes", required=True, help="comma-separated, e.g. signals:write,lookup")
        create.add_argument("--requests-per-minute", type=int, default=REQUESTS_PER_MINUTE)
        create.add_argument("--signals-per-minute", type=int, default=SIGNALS_PER_MINUTE)
        create.add_argument("--lookups-per-minute", type=int, default=LOOKUPS_PER_MINUTE)
        listing = sub.add_parser("list", help="the tokens, their scopes and last use")
        listing.add_argument("--organisation", default="", help="slug")
        listing.add_argument("--all", action="store_true", help="include revoked tokens")
        revoke = sub.add_parser("revoke", help="revoke a token at once")
        revoke.add_argument("token", help="the token's id, its first characters as listed (vgl_…) or the token")

    def handle(self, action, **options):
        getattr(self, action)(**options)

    def create(self, user, name, scopes, requests_per_minute, signals_per_minute, lookups_per_minute, **_):
        found = User.objects.select_related("organisation").filter(username=user).first()
        if found is None:
            raise CommandError(f"no user {user!r}")
        limits = {"requests_per_minute": requests_per_minute, "signals_per_minute": signals_per_minute,
                  "lookups_per_minute": lookups_per_minute}
        if min(limits.values()) < 1:
            raise CommandError("limits must be at least 1 per minute")
        try:
            token, plain = tokens.create(found, name, [s.strip() for s in scopes.split(",") if s.strip()], **limits)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"token {token.pk} for {found.username} ({found.organisation.name}), scopes "
                          f"{', '.join(token.scopes)}. It is shown only now; keep it in the partner system's "
                          f"secret store:")
        self.stdout.write(plain)

    def list(self, organisation, all, **_):
        qs = ApiToken.objects.select_related("user", "organisation").order_by("organisation__slug", "id")
        if organisation:
            qs = qs.filter(organisation__slug=organisation)
        if not all:
            qs = qs.filter(revoked_at__isnull=True)
        rows = [("id", "token", "organisation", "user", "name", "scopes", "last used", "revoked")]
        for t in qs:
            rows.append((str(t.pk), t.shown + "…", t.organisation.slug, t.user.username, t.name, ",".join(t.scopes),
                         f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
                         f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else ""))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())

    def revoke(self, token, **_):
        if token.isdigit():
            match = Q(pk=int(token))
        elif len(token) > 12:  # the whole token, pasted
            match = Q(hash=digest(token))
        else:
            match = Q(shown__startswith=token.rstrip("…"))
        found = list(ApiToken.objects.select_related("user").filter(match)[:2])
        if not found:
            raise CommandError(f"no token {token!r}")
        if len(found) > 1:
            raise CommandError(f"{token!r} matches several tokens: use the id")
        if tokens.revoke(found[0]):
            self.stdout.write(f"revoked token {found[0].pk} ({found[0]})")
        else:
            self.stdout.write(f"token {found[0].pk} was revoked already")
