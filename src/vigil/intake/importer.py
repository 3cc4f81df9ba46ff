"""Bulk import of JSON Lines files: signals (``formats/signal.schema.json``) and, through the same loop, ads.

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


@dataclass
class Kind:
    """What one kind of import reads: how a parsed line becomes a prepared record (raising RecordError for a bad
    one; the result has a ``key``), and how a batch of them is stored in one transaction.

    ``prepare`` must be a module-level function (or a partial of one) when the import runs with workers: the
    lines are then prepared in other processes and stored, in file order, by this one."""

    name: str
    prepare: Callable[[dict], object]
    write: Callable[[list, str], BatchResult]
    check: Callable[[object], None] | None = None  # per line, in this process (e.g. resolve the owner)
    # False when ``write`` orders several records with one key in a batch itself (captures of one ad)
    one_per_batch: bool = True
    # with workers: which worker a raw line goes to (a number; the same for lines a worker can reuse work for,
    # e.g. the same text captured again), so one worker's cache sees every repeat. None: any worker, whole chunks
    route: Callable[[bytes], int] | None = None
    # with workers: modules the fork server imports before it starts them, so what they all need (tables, models)
    # is loaded once and shared instead of built by each (only when this process has not started one already)
    preload: tuple[str, ...] = ()


def _parse(raw: bytes, line_no: int, prepare):
    try:
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RecordError("(line)", f"not valid JSON: {exc}") from None
        if not isinstance(record, dict):
            raise RecordError("(line)", "not a JSON object")
        return prepare(record)
    except RecordError as exc:
        return LineError(line_no, exc.field, exc.message)
    except Exception as exc:  # a fault of ours on strange input: that line is reported, the others stored
        log.exception("line could not be prepared", line=line_no)
        return LineError(line_no, "(line)", f"could not be read ({type(exc).__name__}: {exc})")


def _prepare_chunk(prepare, chunk: list[tuple[int, int, bytes | None]]) -> list[tuple[int, int, object]]:
    return [(n, o, None if raw is None else _parse(raw, n, prepare)) for n, o, raw in chunk]


def _lines(f, line_no: int, offset: int, chunk_lines: int = 200):
    """Chunks of (line number, byte offset after the line, stripped line); blank lines are only counted. The last
    chunk ends with (last line number, end offset, None), so the checkpoint reaches the end of the file."""
    chunk = []
    for raw in f:
        line_no += 1
        offset += len(raw)
        text = raw.strip()
        if text:
            chunk.append((line_no, offset, text))
        if len(chunk) >= chunk_lines:
            yield chunk
            chunk = []
    yield chunk + [(line_no, offset, None)]


def start_fork_server(preload: tuple[str, ...] = ()):
    """The fork server the workers are forked from, started now if it is not running: it imports ``preload``
    (seconds: Django, the assessment catalogue, the language model) in its own process, so a caller with other work
    to do first (counting an ads file's stop list) starts it early and the two overlap. Returns its context."""
    import multiprocessing
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(["__main__", *preload])
    forkserver.ensure_running()
    return context


def _prepared(f, line_no: int, offset: int, prepare, workers: int, route: Callable[[bytes], int] | None = None,
              preload: tuple[str, ...] = ()):
    """(line number, offset, prepared record | LineError | None) in file order. With workers, chunks are prepared
    in other processes (the catalogue and extraction tables are built once per worker, or once in the fork server
    with ``preload``), at most two per worker in flight, so memory stays constant whatever the size of the file.
    With ``route``, each chunk is split between the workers by ``route(line)`` and put together again in file
    order."""
    chunks = _lines(f, line_no, offset)
    if workers <= 1:
        for chunk in chunks:
            yield from _prepare_chunk(prepare, chunk)
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from contextlib import ExitStack
    from functools import partial

    import django

    work = partial(_prepare_chunk, prepare)
    context = start_fork_server(preload)
    # django.setup itself is the initializer: a function of ours would be unpickled, importing models, before
    # the app registry is ready
    with ExitStack() as stack:
        # without a route one pool takes whole chunks, any worker; with one, a single-process pool per worker takes
        # the lines its route names
        sizes = [workers] if route is None else [1] * workers
        pools = [stack.enter_context(ProcessPoolExecutor(n, mp_context=context, initializer=django.setup))
                 for n in sizes]

        def split(chunk):
            if route is None:
                return [pools[0].submit(work, chunk)], None
            parts = [[] for _ in pools]
            for item in chunk:
                if item[2] is not None:
                    parts[route(item[2]) % workers].append(item)
            end = chunk[-1] if chunk[-1][2] is None else None
            return [pools[k].submit(work, part) for k, part in enumerate(parts) if part], end

        def joined(futures, end):
            items = [item for future in futures for item in future.result()]
            if len(futures) > 1:
                items.sort(key=lambda item: item[0])  # file order again
            return items + [end] if end else items

        pending = deque()
        for chunk in chunks:
            pending.append(split(chunk))
            if len(pending) >= 2 * workers:
                yield from joined(*pending.popleft())
        while pending:
            yield from joined(*pending.popleft())


def import_lines(path: Path, kind: Kind, *, batch_size: int = 500, restart: bool = False,
                 on_progress: Callable[[int, int], None] | None = None,
                 on_error: Callable[[LineError], None] | None = None,
                 stop_after_batches: int | None = None, workers: int = 0) -> ImportReport:
    """Import ``path`` line by line; ``on_progress(bytes_done, lines_done)`` is called after each batch.

    Each batch is stored in one transaction together with the checkpoint (byte offset and line) of the run, so
    running the same file again resumes after the last stored batch, or changes nothing once finished.
    ``stop_after_batches`` simulates an interruption (tests, benchmarks of resuming).
    """
    path = Path(path)
    started = time.perf_counter()
    size = path.stat().st_size
    digest = fingerprint(path)
    run = None if restart else (
        ImportRun.objects.filter(kind=kind.name, fingerprint=digest, state=ImportRun.State.RUNNING)
        .order_by("-id").first())
    if run is None:
        run = ImportRun.objects.create(kind=kind.name, path=str(path), fingerprint=digest, size=size)
    report = ImportReport(run_id=run.pk, resumed_from_line=run.lines_done)
    recorded_by = f"import {path.name} (run {run.pk})"
    batches = 0

    def flush(batch: list, bytes_done: int, line_no: int, new_errors: list[LineError]) -> None:
        nonlocal batches
        with transaction.atomic():
            res = kind.write(batch, recorded_by)
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

    def stopped() -> ImportReport:
        report.lines = line_no - report.resumed_from_line
        report.seconds = time.perf_counter() - started
        return report

    with path.open("rb") as f:
        f.seek(run.bytes_done)
        line_no, offset = run.lines_done, run.bytes_done
        batch: list = []
        keys: set = set()
        pending_errors: list[LineError] = []
        for n, end, item in _prepared(f, line_no, offset, kind.prepare, workers, kind.route,
                                      kind.preload):
            if item is not None and not isinstance(item, LineError) and kind.check:
                try:
                    kind.check(item)  # e.g. an unknown owner: an error of this line, not of the batch
                except RecordError as exc:
                    item = LineError(n, exc.field, exc.message)
            if isinstance(item, LineError):
                report.errors.append(item)
                pending_errors.append(item)
                if on_error:
                    on_error(item)
            elif item is not None:
                if kind.one_per_batch and item.key in keys:  # store the first before the second
                    flush(batch, offset, line_no, pending_errors)
                    batch, keys, pending_errors = [], set(), []
                batch.append(item)
                keys.add(item.key)
            line_no, offset = n, end
            if len(batch) >= batch_size:
                flush(batch, offset, line_no, pending_errors)
                batch, keys, pending_errors = [], set(), []
                if stop_after_batches is not None and batches >= stop_after_batches:
                    return stopped()
        flush(batch, offset, line_no, pending_errors)
    run.state = ImportRun.State.FINISHED
    run.save(update_fields=["state", "updated_at"])
    stopped()
    log.info("import finished", kind=kind.name, file=str(path), run=run.pk, lines=report.lines,
             created=report.result.created, updated=report.result.updated, unchanged=report.result.unchanged,
             rejected=len(report.errors), seconds=round(report.seconds, 2))
    return report


def import_signals(path: Path, *, owner: str = "", **options) -> ImportReport:
    """Import a file of signals (``formats/signal.schema.json``); options as for ``import_lines``."""
    resolver = OwnerResolver(owner)

    def check(prep: Prepared) -> None:
        if prep.owner_slug or owner:
            resolver(prep)

    kind = Kind("signals", prepare, lambda batch, by: write_batch(batch, resolver, by), check)
    return import_lines(path, kind, **options)
