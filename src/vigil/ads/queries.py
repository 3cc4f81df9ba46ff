"""What the ads workspace shows, as plain functions: who may read ads, the search, the marked text of a capture,
the history of captures, the template of a cluster, a phone's weeks and cities, a network's timeline.

The views (``ads/views.py``) only check access, write the audit entry and render what these return.
"""

from __future__ import annotations

import datetime
import difflib
import json
import math
import re
from functools import lru_cache
from importlib import resources

import phonenumbers
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from vigil import normalise
from vigil.ads import clusters
from vigil.ads.forms import start_of
from vigil.ads.models import Ad, AdAlert, AdVersion, Sighting, TemplateCluster
from vigil.assessment import assess
from vigil.assessment import catalogue as catalogues
from vigil.audit.log import record
from vigil.organisations.roles import Role
from vigil.register.highlight import longest, render

SHOWN_CHARS = 100_000  # of a title or body marked on the ad page; the capture keeps the whole text
DIFF_CHARS = 20_000  # of two captures compared for the history
HISTORY = 200  # captures shown on the ad page
TEMPLATE_MEMBERS = 40

# --- access ------------------------------------------------------------------------------------------------------


def may_read_ads(user) -> bool:
    """Ads are for roles that read signals in their own right. Partners read only what is shared with them, and
    ads are not shared one by one, so they see none; privacy officers, administrators and the public see none."""
    return bool(user.is_authenticated and user.can("read_signals") and user.role != Role.PARTNER
                and user.organisation_id is not None)


def require_ads(user) -> None:
    if not may_read_ads(user):
        record(user, "denied", object_type="capability", object_id="read_ads")
        raise PermissionDenied("read_ads")


# --- search ------------------------------------------------------------------------------------------------------


def with_phone(e164: str) -> Q:
    """Ads showing the number now, or in any earlier capture (stored as E.164, so any way of writing it)."""
    return Q(phones__contains=[e164]) | Q(pk__in=AdVersion.objects.filter(phones__contains=[e164]).values("ad_id"))


def latest_captures() -> QuerySet[AdVersion]:
    """The capture an ad's facts were copied from (for use in a subquery on Ad)."""
    return AdVersion.objects.filter(ad=OuterRef("pk"), collected_at=OuterRef("last_collected"))


def search(data: dict) -> QuerySet[Ad]:
    """Ads matching the cleaned search form, highest score first. Free text: PostgreSQL full-text search
    ('simple' configuration: ads are written in many languages) over the latest title and body, or trigram word
    similarity with the title for misspellings."""
    qs = Ad.objects.all()
    if data.get("phone"):
        qs = qs.filter(with_phone(data["phone"]))
    if data.get("city"):
        qs = qs.filter(city__iexact=data["city"])
    if data.get("date_from"):
        qs = qs.filter(last_collected__gte=start_of(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(last_collected__lt=start_of(data["date_to"] + datetime.timedelta(days=1)))
    if data.get("q"):
        words = SearchQuery(data["q"], config="simple", search_type="websearch")
        qs = qs.filter(Q(search=words) | Q(title__trigram_word_similar=data["q"]))
    return (qs.select_related("cluster", "network")
            .only("id", "site", "site_ad_id", "title", "city", "phones", "score", "last_collected", "versions",
                  "cluster__id", "cluster__size", "network__id", "network__size")
            .order_by("-score", "-last_collected", "-id"))


# --- marking a capture's text ------------------------------------------------------------------------------------

KINDS = {"phones": "phone", "emails": "email", "handles": "handle", "urls": "url", "ages": "age",
         "nationalities": "nationality", "places": "place", "prices": "price"}


def _shown(kind: str, item: dict) -> str:
    if kind == "handle":
        return f"{item.get('platform') or '?'}:{item.get('value', '')}"
    if kind == "place":
        return ", ".join(str(x) for x in (item.get("municipality"), item.get("district")) if x)
    if kind == "price":
        minutes = f" / {item['minutes']} min" if item.get("minutes") else ""
        return f"{item.get('amount', '')} {item.get('currency') or ''}{minutes}".strip()
    return str(item.get("value", ""))


def ident_spans(extraction: dict, field: str, text: str, phones=()) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, value) of everything extracted from one field ('title' or 'body'), from the spans the
    extraction stored; a phone of the ad written again elsewhere in the text (the extraction keeps one place per
    number) is found with phonenumbers. Overlapping spans: the longest is kept."""
    found = []
    for key, kind in KINDS.items():
        for item in (extraction or {}).get(key) or ():
            if not isinstance(item, dict) or item.get("field") != field:
                continue
            start, end = item.get("start"), item.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
                found.append((start, end, kind, _shown(kind, item)))
    if phones:
        try:
            for m in phonenumbers.PhoneNumberMatcher(text[:SHOWN_CHARS], "NL", leniency=phonenumbers.Leniency.VALID):
                value = normalise.phone(m.raw_string).value
                if value in phones:
                    found.append((m.start, m.end, "phone", value))
        except Exception:  # noqa: BLE001 - marking is a help; junk text must not break the page
            pass
    return longest(found)


def marked(text: str, idents: list, signs: list = ()) -> SafeString:
    """The text as HTML with extracted values in <mark> and signs of trafficking (start, end, indicator, tooltip)
    underlined around them, as on the signal page."""
    return render(text, idents, signs, ident_labels())


def ident_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {"phone": _("phone"), "email": _("e-mail"), "handle": _("handle"), "url": _("link"), "age": _("age"),
            "nationality": _("nationality"), "place": _("place"), "price": _("price")}


# --- the ad page -------------------------------------------------------------------------------------------------


def reading_of(capture: AdVersion) -> dict:
    """The engine's full reading of a capture, made again as the import made it (pipeline.prepare)."""
    from vigil.ads.pipeline import MAX_BODY

    given = capture.given if isinstance(capture.given, dict) else {}
    rec = {"title": capture.title, "body": capture.body[:MAX_BODY]}
    rec.update({k: given[k] for k in ("stated_age", "extra") if given.get(k) is not None})
    return assess(rec, (capture.extraction or {}).get("language") or "", reader=False)


def indicator_rows(reading: dict, stored: list[str]) -> tuple[list[dict], list[tuple]]:
    """Rows for the indicator table, and the signs (start, end, id, tooltip) to underline in title and body."""
    cat = catalogues.current()
    language = get_language() or "nl"
    rows, signs = [], []
    for ind in reading["indicators"]:
        known = cat.indicators.get(ind["id"])
        label = known.label_in(language) if known else ind["id"]
        rows.append({"id": ind["id"], "label": label, "description": known.description_in(language) if known else "",
                     "element": ind["element"], "weight": ind["weight"], "source": ind["source"],
                     "evidence": ind["evidence"], "stored": ind["id"] in stored})
        tip = f"{label} — {ind['source'].get('document', '')}, {ind['source'].get('section', '')}"
        for ev in ind["evidence"]:
            if ev["field"] in ("title", "body") and ev["start"] is not None:
                signs.append((ev["field"], ev["start"], ev["end"], ind["id"], tip))
    return rows, signs


def capture_text(capture: AdVersion, reading: dict) -> dict:
    """Title and body of a capture as marked HTML, the indicator rows, and the stored indicators the engine no
    longer finds (the catalogue changed since the import)."""
    rows, signs = indicator_rows(reading, capture.indicators)
    phones = set(capture.phones)
    out = {"rows": rows, "no_longer": [i for i in capture.indicators if i not in {r["id"] for r in rows}]}
    for field in ("title", "body"):
        text = getattr(capture, field) or ""
        out[f"{field}_cut"] = len(text) > SHOWN_CHARS
        text = text[:SHOWN_CHARS]
        out[field] = marked(text, ident_spans(capture.extraction, field, text, phones),
                            [s[1:] for s in signs if s[0] == field])
    return out


def extracted(extraction: dict) -> dict:
    """The extraction as lists for the page: each value once, with how it was written and where."""
    out = {}
    for key, kind in KINDS.items():
        seen, items = set(), []
        for item in (extraction or {}).get(key) or ():
            if isinstance(item, dict):
                value = _shown(kind, item)
                if (value, item.get("given")) not in seen:
                    seen.add((value, item.get("given")))
                    items.append({"value": value, "given": item.get("given", ""), "field": item.get("field", ""),
                                  "raw": item})
        out[key] = items
    city = (extraction or {}).get("city")
    out["city"] = city if isinstance(city, dict) else None
    return out


def _tokens(capture: AdVersion) -> list[str]:
    return re.findall(r"\S+", f"{capture.title}\n{capture.body}"[:DIFF_CHARS])


def changes(before: AdVersion, after: AdVersion, context: int = 6) -> list[dict]:
    """What the later capture changed in title and body, word by word: hunks of (before, removed, added, after)."""
    a, b = _tokens(before), _tokens(after)
    hunks = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        hunks.append({"before": " ".join(a[max(0, i1 - context):i1]), "removed": " ".join(a[i1:i2]),
                      "added": " ".join(b[j1:j2]), "after": " ".join(a[i2:i2 + context])})
        if len(hunks) >= 30:
            break
    return hunks


def history(ad: Ad) -> list[dict]:
    """The captures in order, each with what changed since the one before: text, city, phones."""
    captures = list(ad.captures.order_by("number", "collected_at")[:HISTORY])
    out, prev = [], None
    for c in captures:
        row = {"capture": c, "first": prev is None, "same": False, "hunks": [], "moved": False,
               "phones_added": [], "phones_removed": []}
        if prev is not None:
            row["same"] = c.content_hash == prev.content_hash
            row["hunks"] = [] if row["same"] else changes(prev, c)
            row["moved"] = c.city != prev.city
            row["phones_added"] = sorted(set(c.phones) - set(prev.phones))
            row["phones_removed"] = sorted(set(prev.phones) - set(c.phones))
        out.append(row)
        prev = c
    return out


# --- clusters ----------------------------------------------------------------------------------------------------

_SLOT = re.compile(r"(⟨\d+⟩)")


def cluster_template(cluster: TemplateCluster, most: int = TEMPLATE_MEMBERS) -> dict:
    """The shared text of the cluster's first members (by first capture) with its slots and their values."""
    bodies = list(Ad.objects.filter(cluster=cluster).order_by("first_collected", "id")
                  .annotate(text=Subquery(latest_captures().values("body")[:1]))
                  .values_list("text", flat=True)[:most])
    text, slots = clusters.template([b or "" for b in bodies], most)
    parts = [{"slot": p, "values": slots.get(p, [])} if _SLOT.fullmatch(p) else {"text": p}
             for p in _SLOT.split(text) if p]
    return {"parts": parts, "slots": sorted(slots.items(), key=lambda kv: int(kv[0][1:-1])),
            "members_read": len(bodies)}


def sightings(kind: str, key: str) -> list[Sighting]:
    return list(Sighting.objects.filter(kind=kind, key=key).order_by("first_seen", "city"))


# --- phones ------------------------------------------------------------------------------------------------------


def phone_weeks(e164: str) -> list[dict]:
    """Captures showing the number, per week: how many, of how many ads, in which cities."""
    return list(AdVersion.objects.filter(phones__contains=[e164]).annotate(week=TruncWeek("collected_at"))
                .values("week").annotate(captures=Count("id"), ads=Count("ad", distinct=True),
                                         cities=ArrayAgg("city", distinct=True, filter=~Q(city="")),
                                         first=Min("collected_at"), last=Max("collected_at"))
                .order_by("week")[:520])


@lru_cache(maxsize=1)
def _municipalities() -> dict[str, tuple[str, float, float]]:
    """Municipality names and their spellings, then their towns and districts (a name that is a municipality's
    own is never taken by a town elsewhere), casefolded -> (municipality, lat, lon)."""
    data = json.loads((resources.files("vigil.ads") / "data" / "municipalities.json").read_text(encoding="utf-8"))
    out = {}
    for fields in (("aliases",), ("districts", "places")):
        for m in data["municipalities"]:
            names = [m["name"], *m.get("aliases", [])] if fields == ("aliases",) else \
                [x for f in fields for x in m.get(f, [])]
            for name in names:
                out.setdefault(name.casefold(), (m["name"], float(m["lat"]), float(m["lon"])))
    return out


def municipality_of(place: str) -> str:
    """The municipality a city, town or district name lies in ('Almere-Stad' -> 'Almere'); '' if unknown."""
    hit = _municipalities().get((place or "").strip().casefold())
    return hit[0] if hit else ""


# the Netherlands in an equirectangular projection at 52°N (a degree of longitude is 0.62 of one of latitude)
MAP_LON, MAP_LAT, MAP_SCALE = (3.2, 7.4), (50.7, 53.7), 100.0
MAP_WIDTH = round((MAP_LON[1] - MAP_LON[0]) * math.cos(math.radians(52)) * MAP_SCALE)
MAP_HEIGHT = round((MAP_LAT[1] - MAP_LAT[0]) * MAP_SCALE)


def city_points(cities: list[str]) -> list[dict]:
    """Cities in the order given (first seen first) with their municipality's centre and a place on the sketch
    map; a city the municipality list does not know has no coordinates."""
    known = _municipalities()
    out = []
    for n, city in enumerate(cities, 1):
        hit = known.get((city or "").casefold())
        point = {"n": n, "city": city, "lat": None, "lon": None}
        if hit:
            _, lat, lon = hit
            point.update(lat=lat, lon=lon,
                         x=round((lon - MAP_LON[0]) * math.cos(math.radians(52)) * MAP_SCALE, 1),
                         y=round((MAP_LAT[1] - lat) * MAP_SCALE, 1))
        out.append(point)
    return out


def path_of(points: list[dict]) -> str:
    """SVG polyline points: the route from city to city in the order they were first seen."""
    return " ".join(f"{p['x']},{p['y']}" for p in points if p["lat"] is not None)


# --- networks ----------------------------------------------------------------------------------------------------


def network_clusters(network) -> list[tuple[TemplateCluster, int]]:
    counts = dict(Ad.objects.filter(network=network, cluster__isnull=False).values("cluster")
                  .annotate(n=Count("id")).values_list("cluster", "n"))
    found = TemplateCluster.objects.in_bulk(list(counts))
    return sorted(((found[pk], n) for pk, n in counts.items() if pk in found), key=lambda x: (-x[1], x[0].pk))


def network_timeline(network, most: int = 1000) -> list[dict]:
    """The captures of the network's ads per week and city, oldest week first: where its ads were, when."""
    rows = (AdVersion.objects.filter(ad__network=network).annotate(week=TruncWeek("collected_at"))
            .values("week", "city").annotate(captures=Count("id"), ads=Count("ad", distinct=True))
            .order_by("week", "city")[:most])
    weeks: list[dict] = []
    for r in rows:
        if not weeks or weeks[-1]["week"] != r["week"]:
            weeks.append({"week": r["week"], "cities": []})
        weeks[-1]["cities"].append({"city": r["city"], "captures": r["captures"], "ads": r["ads"]})
    return weeks


def network_cities(network, most: int = 500) -> list[dict]:
    """The cities of the network's captures, in the order its ads were first seen there, with how many captures and
    ads, and the municipality's centre (``lat``/``lon`` None when the municipality list does not know the city)."""
    rows = list(AdVersion.objects.filter(ad__network=network).exclude(city="").values("city")
                .annotate(captures=Count("id"), ads=Count("ad", distinct=True), first=Min("collected_at"))
                .order_by("first", "city")[:most])
    return [{**p, **r} for r, p in zip(rows, city_points([r["city"] for r in rows]), strict=True)]


def map_of(points: list[dict], *, route: bool, tiles: str, attribution: str) -> dict:
    """What ``static/vigil/map.js`` draws, as JSON: the points that have coordinates (name, lat, lon, label and
    an optional count), the route through them in order or not, and the background tiles (None: a blank map)."""
    return {"points": [{"name": p["city"], "lat": p["lat"], "lon": p["lon"], "label": p["label"],
                        **({"count": p["count"]} if "count" in p else {})}
                       for p in points if p["lat"] is not None],
            "route": route, "tiles": tiles or None, "attribution": attribution if tiles else ""}


def network_alerts(network, most: int = 200) -> list[AdAlert]:
    return list(AdAlert.objects.filter(ad__network=network).select_related("ad").order_by("-at", "-id")[:most])
