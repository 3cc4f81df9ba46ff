from django.core.management.base import BaseCommand

from vigil.audit.log import verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exit code 1 when an entry was changed or removed."

    def add_arguments(self, parser):
        parser.add_argument("--expect-head", default="", help="hash of the last entry as recorded elsewhere earlier; "
                            "detects removal of entries at the end of the log")

    def handle(self, expect_head, **_):
        result = verify()
        for problem in result.problems:
            self.stderr.write(problem)
        if expect_head and expect_head != result.head:
            # The expected head must still occur in the chain, otherwise the tail was cut off.
            from vigil.audit.models import AuditEntry

            if not AuditEntry.objects.filter(hash=expect_head).exists():
                result.problems.append("expected head hash not found: entries at the end were removed")
                self.stderr.write(result.problems[-1])
        self.stdout.write(f"{result.checked} entries checked, head {result.head}: "
                          + ("OK" if result.ok else f"{len(result.problems)} problem(s)"))
        if not result.ok:
            raise SystemExit(1)
