from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database and serve Vigil with waitress (a production WSGI server)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="skip the automatic migration")

    def handle(self, host, port, threads, no_migrate, **_):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        serve(host, port, threads, self.stdout)


def serve(host: str, port: int, threads: int, out) -> None:
    import waitress

    from vigil.wsgi import application

    out.write(f"Vigil is running on http://{host}:{port}/  (Ctrl-C stops it and the embedded database)\n")
    out.flush()
    try:
        waitress.serve(application, host=host, port=port, threads=threads, ident="vigil")
    except KeyboardInterrupt:
        out.write("Vigil stopped.\n")
