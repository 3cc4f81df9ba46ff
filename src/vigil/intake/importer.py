"""Bulk import of signal files (JSON Lines, ``formats/signal.schema.json``).

Streams the file in constant memory, stores batches in one transaction each
together with a checkpoint (byte offset), and reports bad lines with their line
number and field while storing the good ones. Running the same file again
resumes an interrupted run, or, once finished, changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from django.db import transaction

from vigil.intake.models import ImportRun
from vigil.register.records import Prepared, RecordError, prepare
from vigil.register.writer import BatchResult, OwnerResolver, write_batch

log = structlog.get_logger("vigil.import")
MAX_STORED_ERRORS = 10_000


@dataclass
class LineError:
    line: int
    field: str
    message: str

    def __str__(self):
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    run_id: int
    lines: int = 0
    result: BatchResult = field(default_factory=BatchResult)
    errors: list[LineError] = field(default_factory=list)
    resumed_from_line: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0


def fingerprint(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def import_signals(path: Path, *, owner: str = "", batch_size: int = 500, restart: bool = False,
                   on_progress: Callable[[int, int], None] | None = None,
                   on_error: Callable[[LineError], None] | None = None,
                   stop_after_batches: int | None = None) -> ImportReport:
    """Import ``path``; ``on_progress(bytes_done, lines_done)`` is called after each batch.

    ``stop_after_batches`` simulates an interruption (tests, benchmarks of resuming).
    """
    path = Path(path)
    started = time.perf_counter()
    size = path.stat().st_size
    digest = fingerprint(path)
    run = None if restart else (
        ImportRun.objects.filter(kind="signals", fingerprint=digest, state=ImportRun.State.RUNNING)
        .order_by("-id").first())
    if run is None:
        run = ImportRun.objects.create(kind="signals", path=str(path), fingerprint=digest, size=size)
    report = ImportReport(run_id=run.pk, resumed_from_line=run.lines_done)
    resolver = OwnerResolver(owner)
    recorded_by = f"import {path.name} (run {run.pk})"
    batches = 0

    def flush(batch: list[Prepared], bytes_done: int, line_no: int, new_errors: list[LineError]) -> None:
        nonlocal batches
        with transaction.atomic():
            res = write_batch(batch, resolver, recorded_by)
            report.result.add(res)
            run.bytes_done, run.lines_done = bytes_done, line_no
            run.created += res.created
            run.updated += res.updated
            run.unchanged += res.unchanged
            run.rejected += len(new_errors)
            room = MAX_STORED_ERRORS - len(run.errors)
            run.errors.extend(e.__dict__ for e in new_errors[:max(room, 0)])
            run.save()
        batches += 1
        if on_progress:
            on_progress(bytes_done, line_no)

    with path.open("rb") as f:
        f.seek(run.bytes_done)
        line_no = run.lines_done
        offset = run.bytes_done
        batch: list[Prepared] = []
        keys: set = set()
        pending_errors: list[LineError] = []
        for raw in f:
            line_no += 1
            offset += len(raw)
            text = raw.strip()
            if not text:
                continue
            try:
                try:
                    record = json.loads(text)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise RecordError("(line)", f"not valid JSON: {exc}") from None
                prep = prepare(record)
                if prep.key in keys:  # same signal twice in one batch: store the first before the second
                    flush(batch, offset - len(raw), line_no - 1, pending_errors)
                    batch, keys, pending_errors = [], set(), []
                if prep.owner_slug or owner:
                    resolver(prep)  # unknown owner slug is an error of this line, not of the batch
                batch.append(prep)
                keys.add(prep.key)
            except RecordError as exc:
                err = LineError(line_no, exc.field, exc.message)
                report.errors.append(err)
                pending_errors.append(err)
                if on_error:
                    on_error(err)
            if len(batch) >= batch_size:
                flush(batch, offset, line_no, pending_errors)
                batch, keys, pending_errors = [], set(), []
                if stop_after_batches is not None and batches >= stop_after_batches:
                    report.lines = line_no - report.resumed_from_line
                    report.seconds = time.perf_counter() - started
                    return report
        flush(batch, offset, line_no, pending_errors)
    run.state = ImportRun.State.FINISHED
    run.save(update_fields=["state", "updated_at"])
    report.lines = line_no - report.resumed_from_line
    report.seconds = time.perf_counter() - started
    log.info("import finished", file=str(path), run=run.pk, lines=report.lines, created=report.result.created,
             updated=report.result.updated, unchanged=report.result.unchanged, rejected=len(report.errors),
             seconds=round(report.seconds, 2))
    return report
