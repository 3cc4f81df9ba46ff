"""The reading of one signal or ad: indicators with evidence, legal elements, forms, smuggling, minor, urgency and
priority, each with the reasons behind it. Plain Python: no request, no database.

    from vigil.assessment import assess
    reading = assess({"narrative": "...", "language": "nl", "persons": [...]})
"""

from __future__ import annotations

from collections import defaultdict

from vigil.assessment.catalogue import FORMS, Catalogue, current
from vigil.assessment.structured import CHECKS

# Text fields read, in both interchange formats (signal: narrative, indicators ticked by the source; ad: title, body)
TEXT_FIELDS = ("title", "body", "narrative", "text", "indicators")
MAX_EVIDENCE = 5  # quotes kept per indicator; a 5 MB text does not make a 5 MB reading
QUOTE_CONTEXT = 40
PATTERNS_ONLY = "+patterns-only"  # marks the version of a reading made without the catalogue's learned reader


def _texts(record: dict) -> list[tuple[str, str]]:
    out = []
    for key in TEXT_FIELDS:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            out.append((key, value))
        elif isinstance(value, list):
            out.extend((f"{key}[{n}]", v) for n, v in enumerate(value) if isinstance(v, str) and v.strip())
    # an ad's `extra` (price table, services) is read too: "services: bareback", "30 min: 40 €"
    extra = record.get("extra")
    if isinstance(extra, dict):
        for key, value in list(extra.items())[:50]:
            values = value if isinstance(value, list) else list(value.items()) if isinstance(value, dict) else [value]
            for n, v in enumerate(values[:50]):
                text = f"{v[0]}: {v[1]}" if isinstance(v, tuple) else v
                if isinstance(text, str) and text.strip():
                    out.append((f"extra.{key}" + (f"[{n}]" if len(values) > 1 else ""), text))
    return out


def _quote(text: str, start: int, end: int) -> dict:
    lo, hi = max(0, start - QUOTE_CONTEXT), min(len(text), end + QUOTE_CONTEXT)
    return {"before": text[lo:start], "match": text[start:end][:300], "after": text[end:hi], "start": start,
            "end": end}


def assess(record: dict | str, language: str = "", catalogue: Catalogue | None = None, reader: bool = True) -> dict:
    """The full reading; `record` is an interchange record (signal or ad) or just a text. `reader`: also ask the
    catalogue's learned reader for the signs the patterns missed (about 10 ms a clause: the ads import, reading
    thousands of ads a second, leaves it out)."""
    cat = catalogue or current()
    if isinstance(record, str):
        record = {"text": record}
    language = language or (record.get("language") if isinstance(record.get("language"), str) else "") or ""
    found: dict[str, list] = defaultdict(list)
    set_aside = []
    texts = _texts(record)
    for field, text in texts:
        for hit in cat.matcher.find(text, language):
            item = {"field": field, "language": hit.language, "pattern": hit.pattern,
                    **_quote(text, hit.start, hit.end)}
            if hit.set_aside:
                set_aside.append({"id": hit.indicator, "reason": hit.set_aside, **item})
            elif len(found[hit.indicator]) < MAX_EVIDENCE and not any(  # one quote per place in the text
                    e["field"] == field and e["start"] < hit.end and hit.start < e["end"] for e in found[hit.indicator]):
                found[hit.indicator].append(item)
    if reader and cat.reader is not None:
        _read_learned(cat.reader, texts, language, found, set_aside)
    if len(record) > 1 or "text" not in record:  # a bare text has no fields to check
        for ident, name, params in cat.structured:
            for path, value in CHECKS[name](record, **params):
                found[ident].append({"field": path, "language": "", "pattern": name, "before": "", "match": value,
                                     "after": "", "start": None, "end": None})
    out = read(cat, found, set_aside, record.get("urgent") is True, language)
    if not reader and cat.reader is not None:  # not the catalogue's full reading: stale until read again with it
        out["catalogue_version"] += PATTERNS_ONLY
    return out


def _read_learned(learned, texts: list[tuple[str, str]], language: str, found: dict, set_aside: list) -> None:
    """The reader's signs in each free-text field, for indicators no pattern found and no pattern set aside in that
    field ("No 24/7, only by appointment": a text that denies a sign is not read as having it); evidence: the clause,
    with its score."""
    for field, text in texts:
        if not field.startswith(("title", "body", "narrative", "text")):
            continue  # a source's ticked indicators and an ad's price table are read by the patterns only
        denied = {item["id"] for item in set_aside if item["field"] == field}
        for hit in learned.find(text, skip=set(found) | denied):
            found[hit.indicator].append({"field": field, "language": language, "pattern": "reader",
                                         "score": hit.score, **_quote(text, hit.start, hit.end)})


def _level(indicators: list[dict]) -> str:
    """Trafficking likely / possible / unlikely from the legal elements these indicators evidence (means not needed
    for a minor)."""
    elements = {i["element"] for i in indicators}
    minor = "minor" in elements
    weight = sum(i["weight"] for i in indicators if i["element"] != "none")
    if "purpose" in elements and ("means" in elements or minor) and ("act" in elements or weight >= 7):
        return "likely"
    if minor and "purpose" in elements:
        return "likely"
    if weight >= 3 and ("purpose" in elements or "means" in elements or minor):
        return "possible"
    return "unlikely"


def read(cat: Catalogue, found: dict, set_aside: list, source_urgent: bool = False, language: str = "",
         confirmed: frozenset = frozenset()) -> dict:
    """The reading from the indicators found (id -> evidence); also used to fold in analysts' judgements
    (``confirmed``: indicators an analyst confirmed, whatever found them)."""
    indicators = []
    for ident, evidence in found.items():
        ind = cat.indicators[ident]
        indicators.append({"id": ident, "label": ind.label, "family": ind.family, "element": ind.element,
                           "forms": list(ind.forms), "weight": ind.weight, "urgent": ind.urgent,
                           "smuggling": ind.smuggling, "source": ind.source, "evidence": evidence})
    indicators.sort(key=lambda i: (-i["weight"], i["id"]))
    ids = {i["id"] for i in indicators}
    by_element = defaultdict(list)
    for i in indicators:
        by_element[i["element"]].append(i["id"])
    minor = bool(by_element["minor"])
    elements = {
        "act": {"indicated": bool(by_element["act"]), "evidence": by_element["act"]},
        "means": {"indicated": bool(by_element["means"]), "evidence": by_element["means"], "required": not minor},
        "purpose": {"indicated": bool(by_element["purpose"]), "evidence": by_element["purpose"]},
    }
    trafficking_weight = sum(i["weight"] for i in indicators if i["element"] != "none")
    trafficking = _level(indicators)
    # the reader may raise a reading to "possible", not to "likely": that needs the elements quoted by a pattern, a
    # structured check or an analyst (a model's sign is a lead, not evidence the reading can rest on alone)
    firm = [i for i in indicators
            if i["id"] in confirmed or any(e.get("pattern") != "reader" for e in i["evidence"])]
    model_only = trafficking == "likely" and _level(firm) != "likely"
    if model_only:
        trafficking = "possible"

    form_scores = {f: sum(i["weight"] for i in indicators if f in i["forms"]) for f in FORMS}
    purpose_forms = {f for i in indicators if i["element"] == "purpose" for f in i["forms"]}
    top = max(form_scores.values()) if form_scores else 0
    likely_forms = [f for f, s in sorted(form_scores.items(), key=lambda x: -x[1])
                    if s >= 3 and s * 2 >= top and (f in purpose_forms or not purpose_forms)]
    if trafficking == "unlikely":
        likely_forms = [f for f in likely_forms if f in purpose_forms]

    smuggling_signs = [i["id"] for i in indicators if i["smuggling"]]
    if smuggling_signs and trafficking == "likely":
        smuggling = "both"
    elif smuggling_signs:
        smuggling = "smuggling"
    elif trafficking == "likely":
        smuggling = "trafficking"
    else:
        smuggling = "unclear" if trafficking == "possible" else "neither"

    reasons = [i["id"] for i in indicators if i["urgent"]]
    if source_urgent:
        reasons.append("source.urgent")
    violence = [i for i in ("means.violence", "means.sexual_violence", "means.restricted_movement") if i in ids]
    if reasons:
        urgency = "immediate"
    elif minor or violence:
        urgency, reasons = "high", (by_element["minor"] + violence)
    else:
        urgency = "normal"

    parts = [{"part": "indicators", "points": min(40, trafficking_weight * 3)}]
    parts.append({"part": "trafficking", "value": trafficking,
                  "points": {"likely": 20, "possible": 8}.get(trafficking, 0)})
    if minor:
        parts.append({"part": "minor", "points": 20})
    parts.append({"part": "urgency", "value": urgency, "points": {"immediate": 25, "high": 10}.get(urgency, 0)})
    parts = [p for p in parts if p["points"]]
    score = min(100, sum(p["points"] for p in parts))
    return {
        "catalogue_version": cat.version,
        "language": language,
        "source_urgent": source_urgent,
        "indicators": indicators,
        "set_aside": set_aside[:50],
        "elements": elements,
        "vulnerability": by_element["vulnerability"],
        "minor": minor,
        "trafficking": trafficking,
        "held_back": model_only,  # likely on the reader's signs alone: shown, left to the analyst to confirm
        "forms": {"scores": {f: s for f, s in form_scores.items() if s}, "likely": likely_forms},
        "smuggling": {"signs": smuggling_signs, "reading": smuggling},
        "urgency": {"level": urgency, "reasons": reasons},
        "priority": {"score": score, "parts": parts},
    }
