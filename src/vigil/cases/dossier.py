"""The dossier of a referral: what was shared, as a PDF (WeasyPrint) and as FollowTheMoney entities.

Both files, the receiver's page and the sender's copy are made from ``Referral.content`` alone, the frozen copy, so
they always show the same thing. The PDF carries the classification in the margin of every page: TLP and PAP, the
reference and "page X of Y", on a band in the TLP colour (FIRST TLP 2.0). WeasyPrint renders on the server and
fetches nothing but data: URLs, whatever a narrative or an ad holds. The network figure is an SVG drawn here
(networkx lays it out, with a fixed seed: the same content gives the same figure).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigil.assessment.models import Element, SmugglingReading, Trafficking, Urgency
from vigil.cases.models import Dossier, Pap, Referral, Tlp
from vigil.linking.models import SOURCES, Kind
from vigil.register.models import Channel, Form, Identifier, Person

# band colour, text colour (FIRST TLP 2.0: CLEAR is white on black)
TLP_COLOURS = {"red": ("#FF2B2B", "#000000"), "amber+strict": ("#FFC000", "#000000"),
               "amber": ("#FFC000", "#000000"), "green": ("#33FF00", "#000000"), "clear": ("#000000", "#FFFFFF")}
KIND_COLOURS = {Kind.SIGNAL: "#4b5563", Kind.AD_NETWORK: "#9ca3af", "ad": "#9ca3af", Kind.PERSON: "#1d4ed8",
                Kind.ORGANISATION: "#7c3aed", Kind.ADDRESS: "#047857", Kind.PHONE: "#ea580c", Kind.EMAIL: "#a16207",
                Kind.HANDLE: "#db2777", Kind.BANK_ACCOUNT: "#be123c", Kind.VEHICLE: "#0891b2",
                Kind.DOCUMENT: "#78350f", Kind.URL: "#cbd5e1"}
ELEMENTS = ("act", "means", "purpose", "vulnerability", "minor")


def _label(choices, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def kind_label(code: str) -> str:
    return _("Online ad") if code == "ad" else _label(Kind, code)


def markings(tlp: str, pap: str) -> dict:
    band, ink = TLP_COLOURS.get(tlp, TLP_COLOURS["red"])
    return {"tlp": tlp, "pap": pap, "tlp_label": f"TLP:{tlp.upper()}", "pap_label": f"PAP:{pap.upper()}",
            "tlp_meaning": _label(Tlp, tlp), "pap_meaning": _label(Pap, pap), "band": band, "ink": ink,
            "css_class": "tlp-" + tlp.replace("+", "-")}


# --- the content as the pages and the PDF show it ---------------------------------------------------------------

def present(content: dict) -> dict:
    """Template context for the shared content, in the active language (codes become labels)."""
    language = get_language() or settings.LANGUAGE_CODE
    nodes = {n["id"]: n for n in content.get("nodes", [])}
    links = content.get("links", [])
    signals = [_signal(s, language) for s in content.get("signals", [])]
    by_a, by_b = defaultdict(list), defaultdict(list)
    for link in links:
        by_a[link["a"]].append(link)
        by_b[link["b"]].append(link)

    def name(node_id: str) -> str:
        node = nodes.get(node_id)
        return node["label"] if node else node_id

    link_rows = [{"a": name(x["a"]), "relation": x["relation"], "b": name(x["b"]),
                  "b_kind": kind_label(nodes.get(x["b"], {}).get("kind", "")), "evidence": _evidence(x),
                  "source": x["source"], "at": x["at"]}
                 for x in sorted(links, key=lambda x: (x["source"], name(x["a"]), name(x["b"])))]
    persons = []
    for node in nodes.values():
        if node["kind"] != Kind.PERSON:
            continue
        roles = sorted({_label(Person.PersonRole, x["role"]) for x in by_b[node["id"]] if x["role"]})
        uses = [{"kind": kind_label(nodes.get(x["b"], {}).get("kind", "")), "label": name(x["b"]),
                 "evidence": _evidence(x), "source": x["source"]} for x in by_a[node["id"]]]
        persons.append({"label": node["label"], "variants": node["variants"], "roles": roles,
                        "sources": node["sources"], "uses": uses})
    entities = [dict(n, kind_label=kind_label(n["kind"])) for n in nodes.values() if not n.get("source")]
    ads = [dict(a, indicator_labels=[_text(i["label"], language) for i in a["indicators"]],
                first=dt.datetime.fromisoformat(a["first_collected"]), last=dt.datetime.fromisoformat(a["last_collected"]))
           for a in content.get("ads", [])]
    references = {}
    for s in signals:
        for ind in (s["assessment"] or {}).get("indicators", []):
            src = ind.get("source") or {}
            if src.get("document"):
                references.setdefault((src["document"], src.get("section", "")), src)
    return {
        "content": content,
        "reference": content.get("reference", ""),
        "markings": markings(content["markings"]["tlp"], content["markings"]["pap"]),
        "case": dict(content["case"], form_labels=[_label(Form, f) for f in content["case"].get("forms", [])]),
        "sent_at": dt.datetime.fromisoformat(content["sent_at"]) if content.get("sent_at") else None,
        "signals": signals,
        "reading": _reading(signals),
        "trafficking": sorted(Counter(s["assessment"]["trafficking_label"] for s in signals if s["assessment"]).items()),
        "persons": sorted(persons, key=lambda p: p["label"]),
        "entities": sorted(entities, key=lambda n: (n["kind_label"], n["label"])),
        "links": link_rows,
        "ads": ads,
        "references": sorted(references.values(), key=lambda r: (r["document"], r.get("section", ""))),
        "figure": mark_safe(figure(list(nodes.values()), links)),  # noqa: S308 - built from escaped parts
        "withheld": content.get("withheld", {}),
    }


def _text(label, language: str) -> str:
    if isinstance(label, dict):
        return label.get(language) or label.get("en") or next(iter(label.values()), "")
    return str(label)


def _evidence(link: dict) -> str:
    parts = [link.get("field", ""), f"“{link['given']}”" if link.get("given") else "", link.get("role", "")]
    return " · ".join(p for p in parts if p)


def _signal(s: dict, language: str) -> dict:
    out = dict(s, channel_label=_label(Channel, s["channel"]), form_labels=[_label(Form, f) for f in s["forms"]],
               received=dt.datetime.fromisoformat(s["received_at"]))
    def kinds(idents: list[dict]) -> list[dict]:
        return [dict(i, kind_label=_label(Identifier.Kind, i["kind"])) for i in idents]

    out["persons"] = [dict(p, role_label=_label(Person.PersonRole, p["role"]), identifiers=kinds(p["identifiers"]))
                      for p in s["persons"]]
    out["companies"] = [dict(c, identifiers=kinds(c["identifiers"])) for c in s["companies"]]
    out["identifiers"] = kinds(s["identifiers"])
    a = s.get("assessment")
    if a:
        out["assessment"] = dict(
            a, trafficking_label=_label(Trafficking, a["trafficking"]), urgency_label=_label(Urgency, a["urgency"]),
            smuggling_label=_label(SmugglingReading, a["smuggling"]), form_labels=[_label(Form, f) for f in a["forms"]],
            indicators=[dict(i, label_text=_text(i["label"], language), element_label=_label(Element, i["element"]))
                        for i in a["indicators"]])
    return out


def _reading(signals: list[dict]) -> list[dict]:
    """The legal-element reading over the shared signals (art. 273f Sr): per element, which signals evidence it and
    with which indicators."""
    rows = []
    for code in ELEMENTS:
        hits = []
        for s in signals:
            found = [i["label_text"] for i in (s["assessment"] or {}).get("indicators", []) if i["element"] == code]
            if found:
                hits.append({"ref": s["ref"], "indicators": found})
        rows.append({"code": code, "label": _label(Element, code), "signals": hits})
    return rows


# --- the network figure ------------------------------------------------------------------------------------------

FIGURE_W, FIGURE_H, PAD = 680, 520, 24
LABELLED = (Kind.PERSON, Kind.ORGANISATION, Kind.ADDRESS, Kind.VEHICLE)


def figure(nodes: list[dict], links: list[dict]) -> str:
    """The shared entities and their links as an SVG (presentation attributes only: no style, no script)."""
    if not nodes:
        return ""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(n["id"] for n in nodes))
    graph.add_edges_from((x["a"], x["b"]) for x in links if x["a"] != x["b"] and x["a"] in graph and x["b"] in graph)
    k = 2.2 / math.sqrt(max(len(graph), 1))
    pos = nx.spring_layout(graph, seed=7, k=k, iterations=80) if len(graph) > 1 else {nodes[0]["id"]: (0.0, 0.0)}
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    legend_h = 22
    width, height = FIGURE_W - 2 * PAD - 120, FIGURE_H - 2 * PAD - legend_h

    def at(node_id: str) -> tuple[float, float]:
        x, y = pos[node_id]
        return (PAD + (x - min(xs)) / span_x * width, PAD + (y - min(ys)) / span_y * height)

    kinds = {n["id"]: n["kind"] for n in nodes}
    labelled = LABELLED if len(nodes) <= 80 else (Kind.PERSON, Kind.ORGANISATION)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{FIGURE_W}" height="{FIGURE_H}" '
             f'viewBox="0 0 {FIGURE_W} {FIGURE_H}" role="img" aria-labelledby="figure-title" '
             f'font-family="DejaVu Sans, sans-serif">',
             f'<title id="figure-title">{escape(_("The shared entities and their links"))}</title>',
             f'<rect x="0" y="0" width="{FIGURE_W}" height="{FIGURE_H}" fill="#ffffff" stroke="#d1d5db"/>']
    drawn = set()
    for x in links:
        pair = tuple(sorted((x["a"], x["b"])))
        if x["a"] == x["b"] or pair in drawn or x["a"] not in pos or x["b"] not in pos:
            continue
        drawn.add(pair)
        (x1, y1), (x2, y2) = at(x["a"]), at(x["b"])
        colour = "#4b5563" if x["relation"] != "mentions" else "#c4c8cf"
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                     f'stroke-width="0.8"/>')
    degree = dict(graph.degree())
    for n in sorted(nodes, key=lambda n: n["id"]):
        cx, cy = at(n["id"])
        r = 3.5 + min(5.0, degree.get(n["id"], 0) / 3)
        colour = KIND_COLOURS.get(n["kind"], "#6b7280")
        tip = f'<title>{escape(kind_label(n["kind"]))}: {escape(n["label"])}</title>'
        if n.get("source"):  # signals and ads as squares, what they mention as dots
            parts.append(f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                         f'fill="{colour}" stroke="#ffffff" stroke-width="0.8">{tip}</rect>')
        else:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour}" stroke="#ffffff" '
                         f'stroke-width="0.8">{tip}</circle>')
        if n["kind"] in labelled:
            text = n["label"] if len(n["label"]) <= 30 else n["label"][:29] + "…"
            parts.append(f'<text x="{cx + r + 2:.1f}" y="{cy + 3:.1f}" font-size="8" fill="#111827">'
                         f'{escape(text)}</text>')
    x = PAD
    for kind in sorted(set(kinds.values()), key=lambda k: (kind_label(k), k)):  # the code breaks ties
        label = kind_label(kind)
        shape = (f'<rect x="{x}" y="{FIGURE_H - PAD}" width="8" height="8"' if kind in (*SOURCES, "ad")
                 else f'<circle cx="{x + 4}" cy="{FIGURE_H - PAD + 4}" r="4"')
        parts.append(f'{shape} fill="{KIND_COLOURS.get(kind, "#6b7280")}"/>'
                     f'<text x="{x + 11}" y="{FIGURE_H - PAD + 7}" font-size="8" fill="#111827">{escape(label)}</text>')
        x += 16 + 5 * len(label)
    parts.append("</svg>")
    return "".join(parts)


# --- the files ---------------------------------------------------------------------------------------------------

def _css_string(text: str) -> str:
    """A CSS string literal (for the page margins), safe inside <style>."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return mark_safe(f'"{escaped}"')  # noqa: S308 - escaped above


def html(content: dict) -> str:
    ctx = present(content)
    m = ctx["markings"]
    ref = ctx["reference"]
    # "page X of Y" as one sentence to translate, its numbers the page counters of the margin box
    page, pages = "\x00page\x00", "\x00pages\x00"
    words = (_("page %(page)s of %(pages)s") % {"page": page, "pages": pages}).split("\x00")
    counters = " ".join(f"counter({w})" if w in ("page", "pages") else _css_string(w) for w in words if w)
    marking = f"{m['tlp_label']} · {m['pap_label']}"
    ctx["page_css"] = {"top": _css_string(f"{marking} · {ref}"),
                       "bottom": mark_safe(f"{_css_string(f'{ref} · {marking} · ')} {counters}")}  # noqa: S308
    return render_to_string("dossier/dossier.html", ctx)


def pdf(content: dict) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html(content), url_fetcher=URLFetcher(allowed_protocols={"data"})).render()
    return document.write_pdf(), len(document.pages)


def ftm(content: dict) -> str:
    """The shared entities and links as FollowTheMoney entities, one JSON object per line. Mapped as
    ``linking/ftm.py`` maps the graph (same schemas and stable ids), but only from the frozen content; the first
    entity is the referral itself, with its markings."""
    from followthemoney import model

    from vigil.linking import ftm as graph_ftm
    from vigil.linking.models import Entity

    nodes = {n["id"]: n for n in content.get("nodes", [])}
    referral = model.make_entity("Document")
    referral.id = f"vigil-referral-{_slug(content['reference'])}"
    m = content["markings"]
    referral.add("title", f"{content['reference']} · {content['case']['title']}")
    referral.add("summary", content.get("reason", ""))
    referral.add("keywords", [f"TLP:{m['tlp'].upper()}", f"PAP:{m['pap'].upper()}"])
    referral.add("publisher", content["from"]["organisation"])
    referral.add("date", content.get("sent_at", "")[:10])
    proxies = {}
    for node in nodes.values():
        if node["kind"] == "ad":
            continue
        if node["id"].startswith("e"):
            first = dt.datetime.fromisoformat(node["first_seen"]) if node.get("first_seen") else None
            shell = Entity(pk=int(node["id"][1:]), kind=node["kind"], key=node.get("key") or "",
                           label=node["label"], variants=[node["label"], *node["variants"]], city=node["city"],
                           first_seen=first)
            proxy = graph_ftm._proxy(shell)
            if proxy is not None:
                proxies[node["id"]] = proxy
    for s in content.get("signals", []):
        if s.get("node") in proxies:
            proxies[s["node"]].add("bodyText", s["narrative"])
    for ad in content.get("ads", []):
        proxy = model.make_entity("PlainText")
        proxy.id = f"vigil-{ad['id'].replace('ad', 'ad-', 1)}"
        proxy.add("title", ad["title"] or f"{ad['site']} {ad['site_ad_id']}")
        proxy.add("bodyText", ad["body"])
        proxy.add("sourceUrl", ad["url"])
        proxy.add("date", ad["last_collected"][:10])
        proxies[ad["id"]] = proxy
    documents: list = []
    for x in content.get("links", []):
        a, b = nodes.get(x["a"]), nodes.get(x["b"])
        if a is None or b is None:
            continue
        ends = [graph_ftm.End(n["id"], n["kind"], n.get("key") or n["label"], n["id"][1:]) for n in (a, b)]
        graph_ftm.fold_link(proxies, documents, *ends, "mentions" if x["relation"] == "shows" else x["relation"],
                            given=x["given"], field=x["field"], role=x["role"], date=x["at"],
                            link_id=f"vigil-edge-{x['edge']}" if x.get("edge") else "vigil-link-" + hashlib.sha1(
                                f"{x['a']}|{x['b']}|{x['field']}".encode()).hexdigest()[:20])
    rows = [referral, *proxies.values(), *documents]
    return "".join(json.dumps(p.to_dict(), ensure_ascii=False, sort_keys=True) + "\n" for p in rows)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in text)


@transaction.atomic
def produce(referral: Referral) -> Dossier:
    """Make the PDF and the FtM file of a referral from its content and keep them, with their hashes. Written in the
    chain's working language (settings.LANGUAGE_CODE), whoever sends it."""
    with translation.override(settings.LANGUAGE_CODE):
        data, pages = pdf(referral.content)
        lines = ftm(referral.content)
    dossier, _created = Dossier.objects.update_or_create(referral=referral, defaults={
        "pdf": data, "pdf_sha256": hashlib.sha256(data).hexdigest(), "ftm": lines,
        "ftm_sha256": hashlib.sha256(lines.encode()).hexdigest(), "pages": pages})
    return dossier
