"""Stopping `vigil serve`: the background worker never outlives the server, even in the middle of a long task."""

import subprocess
import sys
import time

from vigil.core.management.commands.serve import stop_worker


def test_a_worker_that_ignores_the_request_to_stop_is_killed_after_the_grace_period():
    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, time\n"
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\n"
                                 "time.sleep(600)"], stdout=subprocess.PIPE, text=True)
    assert stubborn.stdout.readline().strip() == "ready"  # its handler is in place before we ask it to stop
    started = time.monotonic()
    stop_worker(stubborn, grace=0.5)
    assert stubborn.poll() is not None and stubborn.returncode < 0  # killed, not left running
    assert time.monotonic() - started < 60


def test_a_worker_that_stops_when_asked_is_not_killed():
    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    stop_worker(polite, grace=30)
    assert polite.returncode == -15  # ended by SIGTERM
