"""The boilerplate stop list of the template clusters, kept in the database with a version (``clusters.py`` says why
there is one).

The first import into a database without ads counts it over the first ``SAMPLE_LINES`` lines of its file and keeps
it: a site's disclaimer is in that site's ads from the first day (on the synthetic corpora the first 5,000 lines
give every shingle that all 500,000 give, and two more). Later imports sign with the list kept. ``vigil ads recluster
--stop-list`` counts it again over every stored ad; a different list is a new version, and every ad signed with
another version is signed again (from its latest capture) before the clusters are made again.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import structlog
from django.db import connection

from vigil.ads import clusters
from vigil.ads.models import Ad, StopList

log = structlog.get_logger("vigil.ads")
SAMPLE_LINES = 10_000  # lines of a first import counted for its list (about 1.5 s)


def _signed(values: np.ndarray) -> list[int]:
    return values.astype(np.uint64).view(np.int64).tolist()


def current() -> clusters.StopList | None:
    """The list new signatures are made with (the newest version), or None."""
    row = StopList.objects.order_by("-pk").first()
    if row is None:
        return None
    return clusters.StopList(row.pk, np.sort(np.array(row.shingles, dtype=np.int64).view(np.uint64)))


def save(shingles: np.ndarray, texts: int, source: str) -> clusters.StopList | None:
    """Keep a list counted over ``texts`` texts as a new version, unless it is the list in use (or empty: too few
    texts to tell boilerplate from a template's own wording). Returns the list in use afterwards."""
    before = current()
    if not len(shingles) or (before is not None and np.array_equal(before.shingles, np.sort(shingles))):
        return before
    row = StopList.objects.create(shingles=_signed(np.sort(shingles)), texts=texts, share=clusters.STOP_SHARE,
                                  source=source[:300])
    log.info("boilerplate stop list kept", version=row.pk, shingles=len(shingles), texts=texts, source=source)
    return clusters.StopList(row.pk, np.sort(shingles.astype(np.uint64)))


def text_of(title: str, body: str) -> str:
    """The text a signature is made of (the same in the workers, here and in migrations)."""
    return f"{title}\n{body}"[:20_000]


def _distinct(texts):
    """Each text once (a repost counts once), remembering only a hash of each."""
    seen = set()
    for text in texts:
        if hash(text) not in seen:
            seen.add(hash(text))
            yield text


def _file_texts(path: Path, lines: int):
    """The texts of the first ``lines`` lines of an ads file (bad lines are the import's to report)."""
    with Path(path).open("rb") as f:
        for n, raw in enumerate(f):
            if n >= lines:
                return
            try:
                record = json.loads(raw)
                title, body = record.get("title") or "", record["body"]
                if not (isinstance(title, str) and isinstance(body, str)):
                    continue
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            yield text_of(title.replace("\x00", ""), body.replace("\x00", ""))


def for_import(path: Path) -> clusters.StopList | None:
    """The list an import signs with: the one kept, or, for the first import into a database without ads, one
    counted over the start of its file (and kept). None when there is none (a small first import)."""
    stop = current()
    if stop is not None or Ad.objects.exists() or not Path(path).is_file():
        return stop
    found, n = clusters.common_shingles(_distinct(_file_texts(path, SAMPLE_LINES)))
    return save(found, n, f"the first {n} distinct texts of {Path(path).name}")


def _stored_texts():
    """The latest text of every stored ad, streamed."""
    with connection.chunked_cursor() as cur:
        cur.execute("SELECT v.title, v.body FROM ads_ad a JOIN ads_adversion v "
                    "ON v.ad_id = a.id AND v.collected_at = a.last_collected")
        for title, body in cur:
            yield text_of(title, body)


def count_stored() -> clusters.StopList | None:
    """Count the list again over every stored ad; a different list becomes the new version."""
    found, n = clusters.common_shingles(_distinct(_stored_texts()))
    return save(found, n, f"{n} distinct texts of the stored ads")


def sign_again(stop: clusters.StopList | None, batch: int = 5_000) -> int:
    """Sign every ad whose signature was made with another list than ``stop``, from its latest capture, a batch at a
    time in id order (memory does not grow with the corpus; an interrupted run goes on where it stopped). An ad left
    without a signature (nothing but boilerplate) leaves its cluster. Returns how many were signed."""
    version, last, done = stop.version if stop else 0, 0, 0
    while True:
        with connection.cursor() as cur:
            cur.execute("SELECT a.id, v.title, v.body FROM ads_ad a JOIN ads_adversion v "
                        "ON v.ad_id = a.id AND v.collected_at = a.last_collected "
                        "WHERE a.id > %s AND a.stop_list <> %s ORDER BY a.id LIMIT %s", [last, version, batch])
            rows = cur.fetchall()
            if not rows:
                return done
            last = rows[-1][0]
            sigs = [clusters.signature(text_of(title, body), stop) for _pk, title, body in rows]
            cur.execute("UPDATE ads_ad a SET signature = v.s, stop_list = %s, "
                        "cluster_id = CASE WHEN v.s IS NULL THEN NULL ELSE a.cluster_id END "
                        "FROM unnest(%s::bigint[], %s::bytea[]) AS v(id, s) WHERE a.id = v.id",
                        [version, [r[0] for r in rows], [None if s is None else s.tobytes() for s in sigs]])
            done += len(rows)
