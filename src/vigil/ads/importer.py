"""``vigil import ads``: the import loop of intake with the ads pipeline, prepared in worker processes."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from django.db import connection

from vigil.ads import bulk, pipeline, stoplist
from vigil.intake.importer import ImportReport, Kind, import_lines, start_fork_server
from vigil.intake.models import ImportRun
from vigil.register.records import RecordError
from vigil.register.writer import OwnerResolver

PRELOAD = ("vigil.ads.warm",)  # what the workers' fork server loads before it forks them


def owner_of(slug: str):
    resolver = OwnerResolver(slug)
    org = resolver.forced or resolver.default
    if org is None:
        raise RecordError("--owner", "no owning organisation: create organisations first (vigil demo or admin)")
    return org


def import_ads(path: Path, *, owner: str = "", images: Path | None = None, workers: int | None = None,
               mode: str | None = None, **options) -> ImportReport:
    """Import an ads file (``formats/ad.schema.json``); options as for ``intake.importer.import_lines``. Worker
    processes extract and read the ads while this process stores them; ``images``: the folder that the
    ``images[].path`` of the lines are relative to, for perceptual hashes of the files.

    ``mode``: "bulk" (store everything, then link it in one pass: ``ads/bulk.py``), "incremental" (link every batch
    against what is stored) or None: bulk for a first or a large load (``bulk.choose``). A bulk load not yet linked
    (interrupted) is finished first: by a bulk import after loading its file, by an incremental one before."""
    org = owner_of(owner)
    loading = bulk.choose(Path(path), mode)
    if not loading and bulk.pending() is not None:
        bulk.link()
    workers = default_workers() if workers is None else workers
    if workers > 1:
        start_fork_server(PRELOAD)  # it loads the catalogue and language model while the stop list is counted
    stop = stoplist.for_import(Path(path))  # the first import into an empty database counts it
    prepare = partial(pipeline.prepare, images=str(images) if images else None, stop=stop)
    signatures: dict = {}  # of stored ads, kept over the batches of this import (pipeline._link_clusters)
    if loading:
        waiting = bulk.pending()
        load = bulk.begin()
        if waiting is not None and bulk.file_loaded(load, Path(path)):  # loaded, linking interrupted: link only
            bulk.link(load)
            return ImportReport(run_id=0)

        def store(batch, by):
            return pipeline.write(batch, org, by, link=False)
    else:
        def store(batch, by):
            return pipeline.write(batch, org, by, signatures)
    kind = Kind("ads", prepare, store, one_per_batch=False, route=pipeline.route, preload=PRELOAD)
    with connection.cursor() as cur:
        # each batch commits with its checkpoint: after a crash the import resumes from the last batch that reached
        # the disk, so waiting for every commit to be flushed buys nothing here (the database stays consistent).
        # Only for the import: what the session writes afterwards (the audit of the import) waits as usual.
        cur.execute("SET synchronous_commit = off")
    try:
        report = import_lines(Path(path), kind, workers=workers, **options)
        if not loading:
            pipeline.refresh()
        elif ImportRun.objects.filter(pk=report.run_id, state=ImportRun.State.FINISHED).exists():
            bulk.link(load)  # else stopped early (``stop_after_batches``): the next import goes on loading
    finally:
        with connection.cursor() as cur:
            cur.execute("SET synchronous_commit TO DEFAULT")
    _link_later()
    return report


def _link_later() -> None:
    """The ad networks into the graph of signals (watched networks alert), by the background worker."""
    from vigil.core.tasks import already_queued
    from vigil.linking.tasks import link_ad_networks

    if not already_queued("link_ad_networks"):
        link_ad_networks.enqueue()


def default_workers() -> int:
    """As many preparing processes as cores: this process mostly waits for PostgreSQL."""
    return max(1, os.cpu_count() or 1)
