"""Template clusters: ads written from one template with names, ages, cities and phones swapped.

Each ad's text is reduced to its *skeleton* (folded words; numbers, phones, e-mails, links and handles taken out, as
they are the slots most often swapped), cut into overlapping word shingles, and summarised by a MinHash signature.
Locality-sensitive hashing over bands of the signature proposes candidate pairs in near-constant time per ad; a
pair is kept when the signatures agree on at least ``THRESHOLD`` of their positions (an estimate of the Jaccard
similarity of the shingle sets). Clusters are the connected components of kept pairs. Boilerplate ("discretion
assured", "call or WhatsApp") is a small part of an ad's shingles, so two unrelated ads that share only boilerplate
stay well below the threshold.

The bands use the first ``BAND_VALUES`` positions of the signature; the pair is verified on all ``PERMUTATIONS``.
With 64 positions the estimate of a similarity of 0.35 has a standard deviation of 0.06, so about one unrelated pair
in twenty that share phrases and a site's disclaimer scored above 0.45; at 500,000 ads the index proposes millions
of such pairs, some 7,600 false pairs got through and their chains joined unrelated templates into clusters of
thousands. With 256 positions (standard deviation 0.03) they are about a thousand, and clusters stay templates.

Plain Python and NumPy, no Django: the import's worker processes compute signatures; ``service`` keeps the band
index in PostgreSQL so clustering is incremental across imports. Written here rather than taken from datasketch
because its MinHash hashes every shingle with SHA-1 in Python (about 30× slower than the vectorised
multiply-shift hashing below) and its LSH index lives in memory or Redis, not in the database we already have.
"""

from __future__ import annotations

import difflib
import re
import zlib
from collections import Counter
from typing import NamedTuple

import numpy as np

from vigil.assessment.patterns import fold

PERMUTATIONS = 256  # positions of a signature, all compared when a candidate pair is verified
BANDS = 32  # of 2 rows: pairs with Jaccard 0.35 become candidates with probability 0.98, at 0.2 with 0.73
ROWS = 2
BAND_VALUES = BANDS * ROWS  # the first positions, cut into the bands of the index
THRESHOLD = 0.46  # measured best with 256 positions: 0.45 let chains through at 500,000 ads, 0.48 lost recall
SHINGLE = 3
# ads a band keeps in the index (and a one-pass reclustering compares per band): a band shared by thousands of ads
# is boilerplate, and comparing each new ad with all of them would make clustering quadratic in the corpus
BUCKET_CAP = 200

_rng = np.random.default_rng(20261122)  # fixed: signatures must be the same in every process and every run
_A = _rng.integers(1, 2**63, size=BAND_VALUES, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=BAND_VALUES, dtype=np.uint64)
# drawn after the first 64 so that those (and the band keys stored before signatures grew to 256) stay the same
_A = np.r_[_A, _rng.integers(1, 2**63, size=PERMUTATIONS - BAND_VALUES, dtype=np.uint64) | np.uint64(1)]
_B = np.r_[_B, _rng.integers(0, 2**63, size=PERMUTATIONS - BAND_VALUES, dtype=np.uint64)]
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D], dtype=np.uint64)

# what is swapped between uses of a template, or is no part of its wording
_SLOTS = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+|[@#]\w+|\S*\d\S*")
_WORD = re.compile(r"([.!?\n|•]?)[^\w.!?\n|•]*([^\W\d_]+)")
_word_hash: dict[str, int] = {}


def skeleton(text: str) -> list[str]:
    """The words of a text without its slots, folded (lower case, no accents). A capitalised word inside a
    sentence is taken for a name (of the person or the city: slots) and kept only as a placeholder."""
    out = []
    start = True
    for stop, word in _WORD.findall(_SLOTS.sub(" ", text or "")):
        start = start or bool(stop)
        out.append("_" if not start and word[0].isupper() and not word.isupper() else word)
        start = False
    return fold(" ".join(out)).lower().split()


def _hashes(words: list[str]) -> np.ndarray:
    cache = _word_hash
    out = []
    for w in words:
        h = cache.get(w)
        if h is None:
            h = zlib.crc32(w.encode())
            if len(cache) < 500_000:
                cache[w] = h
        out.append(h)
    return np.array(out, dtype=np.uint64)


def shingles(text: str) -> np.ndarray | None:
    """The distinct word 3-shingles of the text's skeleton as 64-bit hashes (sorted); None for a text of fewer words
    than one shingle and two more (too short to say it was written from a template)."""
    words = skeleton(text)
    if len(words) < SHINGLE + 2:
        return None
    h = _hashes(words)
    n = len(h) - SHINGLE + 1
    return np.unique(h[:n] * _MIX[0] + h[1:n + 1] * _MIX[1] + h[2:n + 2] * _MIX[2])


def signature(text: str, stop: StopList | None = None) -> np.ndarray | None:
    """MinHash signature (PERMUTATIONS × uint32) of the text's word shingles, leaving out the shingles of the stop
    list (boilerplate); None for a text too short, or with nothing but boilerplate."""
    found = shingles(text)
    if found is None:
        return None
    if stop is not None and len(stop.shingles):
        found = found[~_member(found, stop.shingles)]
        if not len(found):
            return None
    values = (found[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)  # multiply-shift, wraps mod 2^64
    return values.min(axis=0).astype(np.uint32)


def _member(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Which ``values`` are in the sorted array ``ordered`` (one binary search each: faster than np.isin here)."""
    at = np.searchsorted(ordered, values)
    return ordered[np.minimum(at, len(ordered) - 1)] == values


# --- the boilerplate stop list -------------------------------------------------------------------------------------
# A site's disclaimer ("all advertisers are 18+ ...") and the phrases every poster uses are shared by thousands of
# unrelated ads. They are a small part of each ad, but at 500,000 ads the index proposes millions of pairs, and pairs
# of unrelated ads that share a disclaimer and a few phrases reach a Jaccard of 0.35-0.40: enough for some to pass and
# chain unrelated templates together. The shingles found in more than STOP_SHARE of all ads are left out before
# MinHash (on the synthetic corpora 42-45 shingles, all from site disclaimers); without them unrelated pairs fall and
# the threshold can come down, which finds more of each template.
STOP_SHARE = 0.10
# The threshold with a stop list. The import links an ad on every text it was captured with, so it has more
# chances, for true and for false pairs, than the one-pass reclustering of the latest texts; measured on the
# synthetic 100,000-capture corpus (seed 1): the import at 0.40 reached template F1 0.968 but joined two pairs of
# networks (network F1 0.947, 0.993 without a list); at 0.43 template F1 0.962, network F1 0.9999. The one-pass
# reclustering at 0.43 lost recall (template F1 0.928) and at 0.40 gives 0.955 (0.953 at 500,000 ads).
STOP_THRESHOLD = 0.43
STOP_THRESHOLD_ONE_PASS = 0.40
# a list needs this many distinct texts: in a small collection a template's own wording reaches 10% of the ads
STOP_MIN_TEXTS = 2_000


class StopList(NamedTuple):
    """A version of the stop list: the signatures made with it carry its number (``Ad.stop_list``)."""

    version: int
    shingles: np.ndarray  # sorted uint64


def threshold(stop: StopList | int | None, one_pass: bool = False) -> float:
    """The share of equal positions a pair needs, for signatures made with this stop list (or none: version 0), in
    the import or (``one_pass``) when clustering all latest texts again (``recluster``)."""
    version = stop.version if isinstance(stop, StopList) else stop
    if not version:
        return THRESHOLD
    return STOP_THRESHOLD_ONE_PASS if one_pass else STOP_THRESHOLD


def common_shingles(texts, share: float = STOP_SHARE, minimum: int = STOP_MIN_TEXTS) -> tuple[np.ndarray, int]:
    """The shingles found in more than ``share`` of the given texts (each text counted once, however often it
    was captured) and how many texts were counted; an empty list for fewer than ``minimum`` texts."""
    counts: Counter = Counter()
    n = 0
    for text in texts:
        found = shingles(text)
        n += 1
        if found is not None:
            counts.update(found.tolist())
    if n < minimum:
        return np.zeros(0, dtype=np.uint64), n
    common = sorted(s for s, c in counts.items() if c > share * n)
    return np.array(common, dtype=np.uint64), n


_BAND_MIX = np.array((0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5),
                     dtype=np.uint64)[:ROWS]
_BAND_OFFSET = np.arange(BANDS, dtype=np.uint64) * np.uint64(0x94D049BB133111EB)  # the band number mixed in


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One signed 63-bit key per band of each signature (n × BANDS, int64, the bigint range of the index in
    PostgreSQL), 100,000 signatures at a time."""
    out = np.empty((len(signatures), BANDS), dtype=np.int64)
    for start in range(0, len(signatures), 100_000):
        rows = signatures[start:start + 100_000, :BAND_VALUES].astype(np.uint64)
        keys = (rows.reshape(len(rows), BANDS, ROWS) * _BAND_MIX).sum(axis=2, dtype=np.uint64) + _BAND_OFFSET
        out[start:start + len(rows)] = (keys ^ np.uint64(1 << 63)).view(np.int64)  # k - 2**63
    return out


def bands(sig: np.ndarray) -> list[int]:
    """The band keys of one signature."""
    return band_keys(sig[None, :])[0].tolist()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The share of equal positions: an unbiased estimate of the Jaccard similarity of the shingle sets."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


class Components:
    """Union-find over hashable keys: clusters and networks are its connected components."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra  # the smaller key is the root: stable ids whatever the order of unions


def template(texts: list[str], most: int = 40) -> tuple[str, dict[str, list[str]]]:
    """The shared text of a cluster with its slots: words that differ between members become ⟨1⟩, ⟨2⟩, ...

    The member closest to all others is the base; each other member is aligned to it word by word (difflib), and a
    stretch of the base that members replace is a slot whose values are what they put there."""
    texts = [t for t in texts[:most] if t]
    if not texts:
        return "", {}
    tokens = [re.findall(r"\S+", t) for t in texts]
    if len(tokens) == 1:
        return texts[0], {}
    counts = Counter(w for toks in tokens for w in set(toks))
    base = max(range(len(tokens)), key=lambda i: sum(counts[w] for w in set(tokens[i])) / (1 + len(tokens[i])))
    ref = tokens[base]
    varies = [set() for _ in ref]
    for i, toks in enumerate(tokens):
        if i == base:
            continue
        matcher = difflib.SequenceMatcher(None, ref, toks, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op in ("replace", "delete"):
                value = " ".join(toks[j1:j2])
                for k in range(i1, i2):
                    varies[k].add(value if k == i1 else "")
                    varies[k].add(" ".join(ref[i1:i2]) if k == i1 else "")
    out, slots, k = [], {}, 0
    while k < len(ref):
        if len(varies[k]) > 1 and len(texts) > 1:
            start = k
            while k + 1 < len(ref) and varies[k + 1]:
                k += 1
            name = f"⟨{len(slots) + 1}⟩"
            slots[name] = sorted({v for v in varies[start] if v})[:20]
            out.append(name)
        else:
            out.append(ref[k])
        k += 1
    return " ".join(out), slots
