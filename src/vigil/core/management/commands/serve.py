import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Migrate the database and serve Vigil with gunicorn (several worker processes with threads, so all "
            "cores serve requests; see docs/decisions/0003-gunicorn.md).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
        parser.add_argument("--threads", type=int, default=8, help="threads per worker")
        parser.add_argument("--no-migrate", action="store_true", help="skip the automatic migration")

    def handle(self, host, port, workers, threads, no_migrate, **_):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        serve(host, port, self.stdout, workers=workers, threads=threads)


def serve(host: str, port: int, out, workers: int | None = None, threads: int = 8) -> None:
    """Run gunicorn in this process: it stays the owner of the embedded database and stops it on exit."""
    from gunicorn.app.base import BaseApplication

    from vigil.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers or (os.cpu_count() or 1) + 1,
                               "threads": threads, "worker_class": "gthread", "accesslog": None,
                               "errorlog": "-", "loglevel": "warning", "graceful_timeout": 10,
                               "proc_name": "vigil"}.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    out.write(f"Vigil is running on http://{host}:{port}/  (Ctrl-C stops it and the embedded database)\n")
    out.flush()
    from vigil.assessment.tasks import assess_pending

    assess_pending.enqueue()  # readings made with an older catalogue are brought up to date in the background
    from vigil.protection.tasks import ensure_scheduled

    ensure_scheduled()  # daily victim-protection reminders: now, then every morning at 06:00
    worker = start_worker()
    try:
        Server().run()
    finally:
        stop_worker(worker)


def stop_worker(worker: subprocess.Popen, grace: float = 15) -> None:
    """Ask the worker to stop; one busy with a long task (reading thousands of signals with the learned reader) is
    killed after ``grace`` seconds: its finished batches are committed, the batch in hand is rolled back, and the
    next start queues the work again. Left running, it would outlive the server and its embedded database."""
    worker.terminate()
    try:
        worker.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def start_worker() -> subprocess.Popen:
    """The background worker (django-tasks database backend) runs beside the web server and stops with it."""
    # Lower CPU priority: building signals may wait a moment, people at the screen may not.
    return subprocess.Popen([sys.executable, "-m", "vigil.cli", "worker"], env=dict(os.environ),
                            preexec_fn=lambda: os.nice(15))
