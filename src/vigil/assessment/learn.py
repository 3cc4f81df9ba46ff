"""Training the reader's heads (``vigil assess train-reader``): one logistic regression per indicator on clause
embeddings.

The labelled items say which signs a text holds, not in which clause. So the heads learn in rounds (multiple-
instance learning): first from the catalogue's examples (a sentence per sign and language; the ``not`` examples
and other signs' examples are negatives) and from every clause of the items that do *not* hold the sign (all
negatives); then, per item that holds the sign, its two best-scoring clauses are added as positives and the head is
fitted again. Settings chosen by five-fold cross-validation on the development sets (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vigil.assessment import reader as R
from vigil.assessment.catalogue import Catalogue

C = 10.0  # inverse regularisation of each head (5-fold CV on the five sets: 10 > 30 > 100)
ROUNDS = 2  # multiple-instance rounds
BEST = 2  # clauses per item taken as the sign's positives in each round (1: 0.827, 2: 0.841, 3: 0.837 by CV)
THRESHOLD = 0.95  # a clause reads as the sign from this probability (CV: 0.93 best on six sets, 0.97 on eight)


def load_items(folders: list[Path]) -> list[dict]:
    items = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.jsonl")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                item = json.loads(line)
                if not isinstance(item.get("text"), str) or not isinstance(item.get("expected"), list):
                    raise ValueError(f"{path}: line {number}: needs text and expected")
                items.append(item)
    return items


def vectors_of(texts: list[str], cache: Path | None = None,
               progress: Callable[[str], None] = lambda _: None) -> np.ndarray:
    """Embeddings of ``texts``; ``cache`` (an .npz of texts and vectors, per model) spares embedding the same labelled
    sets again when only the training settings change."""
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            if str(data["model"]) == R.MODEL:
                known = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
    todo = [t for t in texts if t not in known]
    progress(f"embedding {len(todo)} texts with {R.MODEL} ({len(texts) - len(todo)} from the cache)")
    for start in range(0, len(todo), 256):
        known.update(zip(todo[start:start + 256], R.embed(todo[start:start + 256]), strict=True))
        progress(f"embedded {min(start + 256, len(todo))}/{len(todo)}")
    if cache is not None and todo:
        with open(cache, "wb") as out:
            np.savez_compressed(out, model=R.MODEL, texts=np.array(list(known)), vectors=np.array(list(known.values())))
    return np.array([known[t] for t in texts], dtype=np.float32).reshape(len(texts), 384)


def _best(units: np.ndarray, probs: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` units of one item that read most like the sign: the clauses that most likely carry its label."""
    return units[np.argsort(-probs[units])[:k]]


def train(cat: Catalogue, items: list[dict], *, c: float = C, rounds: int = ROUNDS, best: int = BEST,
          threshold: float = THRESHOLD, progress: Callable[[str], None] = lambda _: None, source: str = "",
          cache: Path | None = None) -> R.Heads:
    from sklearn.linear_model import LogisticRegression

    ids = sorted(i.id for i in cat.indicators.values() if i.text)
    column = {ident: n for n, ident in enumerate(ids)}
    examples = [e for e in cat.examples if e.indicator in column]
    unit_texts, owner = [], []
    for n, item in enumerate(items):
        for unit in R.units(item["text"]):
            unit_texts.append(item["text"][unit.start:unit.end])
            owner.append(n)
    owner = np.array(owner)
    texts = sorted({e.text for e in examples} | set(unit_texts))
    vectors = vectors_of(texts, cache, progress)
    row = {t: n for n, t in enumerate(texts)}
    x_examples = vectors[[row[e.text] for e in examples]]
    x_units = vectors[[row[t] for t in unit_texts]]
    labels = np.zeros((len(items), len(ids)), bool)
    for n, item in enumerate(items):
        for ident in item["expected"]:
            if ident in column:
                labels[n, column[ident]] = True

    weights = np.zeros((len(ids), 384), np.float32)
    bias = np.full(len(ids), -20.0, np.float32)  # a sign without any example is never read
    for j, ident in enumerate(ids):
        y_examples = np.array([e.indicator == ident and e.should_match for e in examples])
        negative_units = ~labels[owner, j]
        x_base = np.vstack([x_examples, x_units[negative_units]])
        y_base = np.concatenate([y_examples, np.zeros(int(negative_units.sum()), bool)])
        if not y_base.any():
            continue
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x_base, y_base)
        holders = np.nonzero(labels[:, j])[0]
        for _ in range(rounds if len(holders) else 0):
            probs = model.predict_proba(x_units)[:, 1]
            chosen = [n for i in holders for n in _best(np.nonzero(owner == i)[0], probs, best)]
            model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(
                np.vstack([x_base, x_units[chosen]]), np.concatenate([y_base, np.ones(len(chosen), bool)]))
        weights[j], bias[j] = model.coef_[0], model.intercept_[0]
        progress(f"head {j + 1}/{len(ids)} {ident}")
    digest = hashlib.sha256(json.dumps([[i["text"], sorted(i["expected"])] for i in items]).encode()).hexdigest()
    meta = {"model": R.MODEL, "c": c, "rounds": rounds, "best": best, "items": len(items), "examples": len(examples),
            "items_sha256": digest[:16], "catalogue": cat.version.split("+")[0], "source": source}
    return R.Heads(ids, weights, bias, threshold, meta)
