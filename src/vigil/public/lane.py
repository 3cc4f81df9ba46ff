"""The public lane: public requests are worked on by a few threads per web process that run at a lower CPU priority.

A flood of public reports then takes only the CPU that staff requests leave over: Linux schedules each thread by
its own nice value, and the Argon2 hash (the largest single cost of a report) releases the GIL. A thread can
always lower its own priority, never raise it again, so the lane threads are lowered once when they start.

The lane also replaces a plain semaphore: the number of threads is the number of public requests worked on at
once per process, and a request that waited too long is told so (`request.lane_waited`), so the view can answer
"very busy" while keeping the visitor's answers.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections

from vigil.public.middleware import is_public


class Lane:
    def __init__(self, threads: int, niceness: int):
        self.niceness = niceness
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="public-lane",
                                        initializer=self._lower_priority)

    def _lower_priority(self) -> None:
        tid = threading.get_native_id()
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + self.niceness))
        except (AttributeError, OSError):  # not Linux: the lane still limits concurrency
            pass

    def run(self, func):
        """func(waited) on a lane thread, where waited is the seconds spent waiting for a free lane thread."""
        queued = time.monotonic()

        def job():
            close_old_connections()  # this thread's own connection: drop it if broken or too old
            try:
                return func(time.monotonic() - queued)
            finally:
                close_old_connections()

        return self._pool.submit(job).result()


class PublicLaneMiddleware:
    """Runs every public page and form (not static files) on the public lane of this process."""

    def __init__(self, get_response):
        self.get_response = get_response
        lane = settings.VIGIL_PUBLIC_LANE
        self.lane = Lane(settings.VIGIL_PUBLIC_CONCURRENCY, settings.VIGIL_PUBLIC_NICENESS) if lane else None

    def __call__(self, request):
        request.lane_waited = 0.0
        if self.lane is None or not is_public(request.path) or request.path.startswith("/static/"):
            return self.get_response(request)

        def handle(waited: float):
            request.lane_waited = waited
            return self.get_response(request)

        return self.lane.run(handle)
