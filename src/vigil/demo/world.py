"""A synthetic, reproducible demo world for Vigil: the Dutch counter-trafficking chain, in signals.

Everything here is invented. No record describes a real person: names are drawn from Faker
locales (nl_NL, ro_RO, pl_PL, hu_HU, pt_BR, es_CO, vi_VN, en_NG) and from short lists of common
given and family names (Bulgarian, Ukrainian, Thai, Venezuelan, Eritrean, ...) combined at
random; phone numbers, IBANs (with valid check digits, computed with python-stdnum), licence
plates and KvK numbers are random; websites in ad URLs use the reserved ``.example`` domain.
Streets and cities are real Dutch ones, so that addresses look and parse like real addresses.

The world spans the 18 months before 1 November 2026 and covers every channel through which
signals reach Vigil: phone tips (police tip line, EMM, CoMensha, Fier), anonymous tips from
Meld Misdaad Anoniem (never with a reporter), inspections (Labour Inspectorate, municipalities,
police, Royal Marechaussee), IND observations, partner referrals, police reports, reports from
the public web form and online ads captured by internet monitoring. Narratives are written in
Dutch, English, Romanian, Bulgarian, Spanish, Portuguese and Polish and describe sexual
exploitation (home, hotel, window and escort prostitution, massage parlours, clubs, online ads),
labour exploitation (Westland greenhouses, distribution centres, meat processing, nail salons,
car washes, construction, domestic work, transport), criminal exploitation (forced cannabis
cultivation, pickpocketing, drug running by minors, shoplifting, forced begging, identity
fraud), smuggling without exploitation, and vague or unfounded worries. Identifiers are written
the way people write them: '06-12345678', '+31 6 12 34 56 78', '0031612345678',
'(010) 414 2233'; plates with and without dashes; IBANs with and without spaces; house-number
additions as '14A', '14 a' or '14-A'. A few values are deliberately wrong, as in real intake:
an incomplete phone number ('06-1234'), an IBAN whose check digits do not match
('NL91 ABNA 0417 1643 01') and an unknown nationality ('Atlantis').

Hidden in the background are three networks that no single signal reveals; only linking
signals across channels, organisations and months does (the scripts are in data/networks.json):

* ``flat-manager`` (34 signals) - Hendrik-Jan de Vries (born 9 March 1968), written as
  'Hendrik-Jan de Vries', 'H.J. de Vries', 'H. J. de Vries', 'HJ de Vries', 'de Vries, Hendrik
  Jan', 'Henk de Vries', 'meneer De Vries' or just 'Henk', manages flats in Rotterdam
  (Mathenesserlaan 212B / '212 b' / '212-B', 3014 HJ), Amsterdam (Postjesweg 87-3 / '87 3',
  1057 EB) and Almere (Grote Markt 14A / '14 a' / '14-A', 1315 JG) where women from Romania,
  Bulgaria, Hungary, Colombia, Brazil and Venezuela are advertised and exploited. His phone
  (06-41278390) appears as '0641278390', '06-41 27 83 90', '+31641278390', '0031 6 41278390',
  '06 41278390', '+31 6 41 27 83 90'; his black Mercedes V-class as '54-TVR-1', '54TVR1',
  '54 TVR 1', '54-tvr-1'; his company Vriesland Vastgoedbeheer B.V. (KvK 71846203, also
  '7184 6203') in four spellings; its account as 'NL58RABO0318447295' and
  'NL58 RABO 0318 4472 95'. The ads use 06-87349215 (Rotterdam), 06-15820647 (Amsterdam),
  06-28194573 (Almere) and +40 756 118 432; a Romanian recruiter 'Mario' (Marius Stoica,
  +40 744 218 905) brings some of the women, one of them 17.
* ``labour-agency`` (24 signals) - uitzendbureau Flexwerk Oost B.V. ('FlexWerk Oost',
  'Flexwerk-Oost BV', 'Flexwerk Oost bv', 'FLEXWERK OOST B.V.'; KvK 80417265) places Polish,
  Romanian and Ukrainian workers in Westland greenhouses and a distribution centre near Venlo,
  houses them in overcrowded houses (Dijkweg 41 Naaldwijk, Langestraat 152 's-Gravenzande,
  Kaldenkerkerweg 118 Venlo), keeps their passports and deducts 'debts' paid into
  NL56 INGB 0007 5512 38. Shared: the white Ford Transit VT-518-N ('VT518N', 'vt-518-n',
  'VT 518 N'), recruiter 'Tomek' (Tomasz Wiśniewski, +48 512 734 608), Romanian foreman 'Nelu'
  (Ionuț Vasilescu, +40 745 319 822) and director R. Kamphuis (06-52197740).
* ``criminal-cannabis`` (13 signals) - 'Anh Hùng' (Tran Van Hung, 06-28551407) keeps
  Vietnamese minors in cannabis grow houses in Kerkrade, Helmond, Sittard and Tilburg and
  drops Vietnamese and Romanian children off for pickpocketing on the Amsterdam Damrak, in a
  grey Toyota Auris ZT-504-F.

Near misses that must NOT link are scripted too: 'H. de Vries' in Groningen (06-41278391),
'Hendrik de Vries' (born 1957) in Zwolle, 'Henk de Vries' (born 1979) in Almere,
Mathenesserlaan 21B and Mathenesserdijk 212, Postjesweg 78-3, Grote Markt 14A in Groningen,
Flexwerk West B.V. (KvK 80471265), Friesland Vastgoedbeheer B.V., plates 54-TVR-7, VT-581-N and
ZT-504-P, phones one digit off, a valid IBAN one transposition away and a second Tomasz
Wiśniewski, Marius Stoica and Nguyen Van Minh who are different people.

Company stories for organisation resolution (``World.companies``): the Utrecht cleaning company
written 'De Glansmakers', 'Glansmakers Schoonmaak B.V.' (KvK 67204518) and 'Glans Makers
schoonmaakdiensten' in three signals that share its office (Cartesiusweg 90) or its phone
(030-2947715) — one organisation — and 'Nagelstudio Sunflower' in Enschede (two signals, one
address) and in Breda (KvK 58113920): the same name, two businesses.

Public API: ``ORGANISATIONS``, ``World``, ``generate_world(seed, n_signals)`` (seeded and
byte-for-byte reproducible) and ``generate_signals(n, seed, start_ref)``, a fast stream of
background signals only, for benchmarks. Every signal validates against
``vigil/formats/signal.schema.json`` and carries two extra keys the loader understands:
``channel`` ('public_web_report' or 'online_ad', with source 'other') and ``owner`` (the slug
of the Vigil organisation that owns it).
"""

from __future__ import annotations

import json
import random
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from faker import Faker
from stdnum import iban as _stdnum_iban

DATA_DIR = Path(__file__).with_name("data")
REFERENCE_DATE = datetime(2026, 11, 1)
WINDOW_START = datetime(2025, 5, 1)
_WINDOW_DAYS = (REFERENCE_DATE - WINDOW_START).days

CHANNELS = ("phone_tip", "anonymous_tip", "inspection", "ind_observation", "partner_referral", "police_report",
            "public_web_report", "online_ad")
EXTRA_CHANNELS = ("public_web_report", "online_ad")

# --------------------------------------------------------------------------- organisations

ORGANISATIONS: list[dict] = [
    {"slug": "emm", "name": "Expertisecentrum Mensenhandel en Mensensmokkel", "kind": "expertise_centre",
     "aliases": ["EMM", "EMM webformulier", "EMM internetmonitoring"]},
    {"slug": "politie-noord-nederland", "name": "Politie Eenheid Noord-Nederland", "kind": "police",
     "aliases": ["Politie Noord-Nederland"]},
    {"slug": "politie-oost-nederland", "name": "Politie Eenheid Oost-Nederland", "kind": "police",
     "aliases": ["Politie Oost-Nederland"]},
    {"slug": "politie-midden-nederland", "name": "Politie Eenheid Midden-Nederland", "kind": "police",
     "aliases": ["Politie Midden-Nederland", "Politie Midden-Nederland AVIM"]},
    {"slug": "politie-noord-holland", "name": "Politie Eenheid Noord-Holland", "kind": "police",
     "aliases": ["Politie Noord-Holland"]},
    {"slug": "politie-amsterdam", "name": "Politie Eenheid Amsterdam", "kind": "police",
     "aliases": ["Politie Amsterdam", "Politie Amsterdam AVIM"]},
    {"slug": "politie-den-haag", "name": "Politie Eenheid Den Haag", "kind": "police",
     "aliases": ["Politie Den Haag", "Politie Den Haag AVIM"]},
    {"slug": "politie-rotterdam", "name": "Politie Eenheid Rotterdam", "kind": "police",
     "aliases": ["Politie Rotterdam", "Politie Rotterdam AVIM"]},
    {"slug": "politie-zeeland-west-brabant", "name": "Politie Eenheid Zeeland-West-Brabant", "kind": "police",
     "aliases": ["Politie Zeeland-West-Brabant"]},
    {"slug": "politie-oost-brabant", "name": "Politie Eenheid Oost-Brabant", "kind": "police",
     "aliases": ["Politie Oost-Brabant"]},
    {"slug": "politie-limburg", "name": "Politie Eenheid Limburg", "kind": "police", "aliases": ["Politie Limburg"]},
    {"slug": "kmar", "name": "Koninklijke Marechaussee", "kind": "police", "aliases": ["KMar"]},
    {"slug": "ind", "name": "Immigratie- en Naturalisatiedienst", "kind": "ind", "aliases": ["IND"]},
    {"slug": "om", "name": "Openbaar Ministerie", "kind": "prosecution", "aliases": ["OM"]},
    {"slug": "nla", "name": "Nederlandse Arbeidsinspectie", "kind": "labour_inspectorate", "aliases": ["NLA"]},
    {"slug": "gemeente-rotterdam", "name": "Gemeente Rotterdam", "kind": "municipality"},
    {"slug": "gemeente-amsterdam", "name": "Gemeente Amsterdam", "kind": "municipality"},
    {"slug": "gemeente-almere", "name": "Gemeente Almere", "kind": "municipality"},
    {"slug": "gemeente-den-haag", "name": "Gemeente Den Haag", "kind": "municipality"},
    {"slug": "gemeente-utrecht", "name": "Gemeente Utrecht", "kind": "municipality"},
    {"slug": "gemeente-westland", "name": "Gemeente Westland", "kind": "municipality"},
    {"slug": "gemeente-venlo", "name": "Gemeente Venlo", "kind": "municipality"},
    {"slug": "gemeente-eindhoven", "name": "Gemeente Eindhoven", "kind": "municipality"},
    {"slug": "comensha", "name": "CoMensha", "kind": "ngo"},
    {"slug": "fier", "name": "Fier", "kind": "ngo"},
    {"slug": "scharlaken-koord", "name": "Het Scharlaken Koord", "kind": "ngo"},
    {"slug": "meld-misdaad-anoniem", "name": "Meld Misdaad Anoniem", "kind": "reporting_line", "aliases": ["MMA"]},
]
_KIND = {o["slug"]: o["kind"] for o in ORGANISATIONS}

_WESTLAND = ("Naaldwijk", "'s-Gravenzande", "Monster", "De Lier", "Honselersdijk", "Wateringen", "Poeldijk")


@dataclass(frozen=True)
class _Desk:
    """One sender of signals: an organisation, the name it puts in 'organisation', its reference numbering.

    ref is a format string with {y} (year), {yy} (two-digit year) and {n} (sequence number); yearly
    numbering restarts every year. rate is about how many numbers the sender hands out per day.
    cities limits where its signals happen (None: anywhere)."""

    key: str
    slug: str
    organisation: str
    ref: str
    yearly: bool
    base: int
    rate: float
    cities: tuple[str, ...] | None = None

    @property
    def kind(self) -> str:
        return _KIND[self.slug]


_POLICE_CODES = {
    "politie-noord-nederland": "0100", "politie-oost-nederland": "0500", "politie-midden-nederland": "0900",
    "politie-noord-holland": "1200", "politie-amsterdam": "1300", "politie-den-haag": "1500",
    "politie-rotterdam": "1700", "politie-zeeland-west-brabant": "2000", "politie-oost-brabant": "2100",
    "politie-limburg": "2300",
}
_ORG_NAME = {o["slug"]: o["name"] for o in ORGANISATIONS}


def _make_desks(places: dict) -> dict[str, _Desk]:
    unit_cities: dict[str, list[str]] = {}
    for c in places["cities"]:
        unit_cities.setdefault(c["unit"], []).append(c["name"])
    desks = []
    for slug, code in _POLICE_CODES.items():
        short = _ORG_NAME[slug].replace("Politie Eenheid ", "Politie ")
        desks.append(_Desk(slug, slug, short, f"PL{code}-{{y}}{{n:06d}}", True, 1000, 310.0, tuple(unit_cities[slug])))
    for slug, prefix in (("politie-rotterdam", "RTM"), ("politie-amsterdam", "AMS"),
                         ("politie-midden-nederland", "MNL"), ("politie-den-haag", "DHG")):
        short = _ORG_NAME[slug].replace("Politie Eenheid ", "Politie ")
        desks.append(_Desk(f"{slug}/ads", slug, f"{short} AVIM", f"AVIM-{prefix}-{{y}}-{{n:05d}}", True, 10, 9.0,
                           tuple(unit_cities[slug])))
    desks += [
        _Desk("emm/tel", "emm", "EMM", "EMM-T-{y}-{n:05d}", True, 10, 4.0),
        _Desk("emm/web", "emm", "EMM webformulier", "WEB-{y}-{n:06d}", True, 100, 6.0),
        _Desk("emm/ads", "emm", "EMM internetmonitoring", "EMM-ADV-{y}-{n:05d}", True, 10, 12.0),
        _Desk("mma", "meld-misdaad-anoniem", "Meld Misdaad Anoniem", "MMA-{n}", False, 84000, 44.0),
        _Desk("nla", "nla", "Nederlandse Arbeidsinspectie", "NLA-{y}-{n:06d}", True, 20, 19.0),
        _Desk("ind", "ind", "IND", "IND-OBS-{y}-{n:04d}", True, 5, 6.0),
        _Desk("om", "om", "Openbaar Ministerie", "10/{n:06d}-{yy:02d}", True, 1000, 280.0),
        _Desk("kmar", "kmar", "Koninklijke Marechaussee", "KMAR-{y}-{n:06d}", True, 100, 40.0,
              tuple(places["kmar_cities"])),
        _Desk("gemeente-rotterdam", "gemeente-rotterdam", "Gemeente Rotterdam", "RTD-TOEZ-{y}-{n:05d}", True, 10, 30.0,
              ("Rotterdam",)),
        _Desk("gemeente-amsterdam", "gemeente-amsterdam", "Gemeente Amsterdam", "AMS-HH-{y}-{n:05d}", True, 10, 45.0,
              ("Amsterdam",)),
        _Desk("gemeente-almere", "gemeente-almere", "Gemeente Almere", "ALM-{y}-{n:04d}", True, 5, 6.0, ("Almere",)),
        _Desk("gemeente-den-haag", "gemeente-den-haag", "Gemeente Den Haag", "DH-VTH-{y}-{n:05d}", True, 10, 25.0,
              ("Den Haag",)),
        _Desk("gemeente-utrecht", "gemeente-utrecht", "Gemeente Utrecht", "UTR-{y}-{n:05d}", True, 10, 18.0,
              ("Utrecht",)),
        _Desk("gemeente-westland", "gemeente-westland", "Gemeente Westland", "WL-{y}-{n:04d}", True, 5, 4.0, _WESTLAND),
        _Desk("gemeente-venlo", "gemeente-venlo", "Gemeente Venlo", "VL-{y}-{n:04d}", True, 5, 3.0, ("Venlo",)),
        _Desk("gemeente-eindhoven", "gemeente-eindhoven", "Gemeente Eindhoven", "EHV-{y}-{n:04d}", True, 5, 5.0,
              ("Eindhoven",)),
        _Desk("comensha", "comensha", "CoMensha", "CM-{y}-{n:04d}", True, 5, 5.0),
        _Desk("fier", "fier", "Fier", "FIER/{yy:02d}/{n:04d}", True, 5, 3.0),
        _Desk("scharlaken-koord", "scharlaken-koord", "Het Scharlaken Koord", "HSK-{y}-{n:03d}", True, 2, 0.8,
              ("Amsterdam",)),
    ]
    return {d.key: d for d in desks}


def _load(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


_PLACES = _load("places.json")
_LEX = _load("lexicon.json")
_NARR = _load("narratives.json")
_SCRIPTS = _load("networks.json")
_DESKS = _make_desks(_PLACES)

# channel -> [(desk key, weight)]
_POLICE_WEIGHT = {}
for _c in _PLACES["cities"]:
    _POLICE_WEIGHT[_c["unit"]] = _POLICE_WEIGHT.get(_c["unit"], 0) + _c["weight"]
_MUNICIPAL = {"gemeente-rotterdam": 5, "gemeente-amsterdam": 6, "gemeente-almere": 2.5, "gemeente-den-haag": 4.5,
              "gemeente-utrecht": 3.5, "gemeente-westland": 2.5, "gemeente-venlo": 1.5, "gemeente-eindhoven": 2.5}
_CHANNEL_DESKS: dict[str, list[tuple[str, float]]] = {
    "phone_tip": [(u, w * 0.9) for u, w in _POLICE_WEIGHT.items()] + [("emm/tel", 25), ("comensha", 14), ("fier", 8)],
    "anonymous_tip": [("mma", 1)],
    "inspection": [("nla", 40), ("kmar", 8)] + [(m, w) for m, w in _MUNICIPAL.items()] + [(u, 1.5) for u in _POLICE_WEIGHT],
    "ind_observation": [("ind", 1)],
    "partner_referral": [("nla", 20), ("comensha", 20), ("fier", 14), ("scharlaken-koord", 5), ("om", 4)]
    + [(m, w * 0.8) for m, w in _MUNICIPAL.items()],
    "police_report": [(u, w) for u, w in _POLICE_WEIGHT.items()] + [("kmar", 8)],
    "public_web_report": [("emm/web", 1)],
    "online_ad": [("politie-rotterdam/ads", 22), ("politie-amsterdam/ads", 25), ("politie-midden-nederland/ads", 12),
                  ("politie-den-haag/ads", 12), ("emm/ads", 29)],
}
_CHANNEL_WEIGHTS = {"phone_tip": 18, "anonymous_tip": 14, "inspection": 13, "ind_observation": 9, "partner_referral": 14,
                    "police_report": 14, "public_web_report": 9, "online_ad": 9}
_STYLE = {"phone_tip": "tip", "anonymous_tip": "tip", "public_web_report": "web", "inspection": "official",
          "ind_observation": "official", "partner_referral": "official", "police_report": "official"}

_FORMS = {
    "phone_tip": {"sexual": 40, "labour": 30, "criminal": 12, "smuggling": 3, "vague": 15},
    "anonymous_tip": {"sexual": 38, "labour": 28, "criminal": 20, "smuggling": 2, "vague": 12},
    "inspection": {"sexual": 30, "labour": 52, "criminal": 6, "smuggling": 2, "vague": 10},
    "ind_observation": {"sexual": 32, "labour": 25, "criminal": 10, "smuggling": 23, "vague": 10},
    "partner_referral": {"sexual": 42, "labour": 38, "criminal": 8, "smuggling": 2, "vague": 10},
    "police_report": {"sexual": 35, "labour": 20, "criminal": 27, "smuggling": 10, "vague": 8},
    "public_web_report": {"sexual": 35, "labour": 35, "criminal": 8, "smuggling": 4, "vague": 18},
}
_FORMS_BY_KIND = {
    "labour_inspectorate": {"labour": 88, "vague": 12},
    "prosecution": {"sexual": 55, "labour": 45},
    "municipality": {"labour": 45, "sexual": 40, "criminal": 3, "vague": 12},
}
_FORMS_KMAR = {"smuggling": 45, "sexual": 25, "labour": 15, "criminal": 15}
_SUBS = {
    "sexual": {"window": 12, "hotel": 20, "home": 35, "escort": 15, "massage": 12, "club": 6},
    "labour": {"greenhouse": 18, "distribution": 18, "meat": 9, "nail_salon": 8, "car_wash": 8, "construction": 12,
               "domestic": 6, "restaurant": 8, "agriculture": 6, "cleaning": 5, "transport": 4},
    "criminal": {"cannabis": 30, "drug_running": 25, "pickpocketing": 15, "shoplifting": 12, "fraud": 10, "begging": 8},
    "smuggling": {"route": 1},
    "vague": {"none": 1},
}
_ORIGINS = {
    "sexual": {"RO": 20, "BG": 12, "HU": 9, "NL": 16, "CO": 7, "BR": 7, "VE": 4, "NG": 8, "TH": 6, "UA": 5, "PL": 3, "CN": 3},
    "labour": {"PL": 24, "RO": 18, "BG": 9, "UA": 12, "HU": 4, "PH": 5, "IN": 6, "CN": 5, "VN": 5, "MA": 4, "TR": 3,
               "NL": 2, "BR": 3},
    "criminal": {"VN": 22, "RO": 24, "NL": 28, "MA": 10, "AL": 6, "BG": 5, "ER": 5},
    "smuggling": {"ER": 20, "SY": 22, "AF": 20, "MA": 8, "VN": 10, "AL": 8, "TR": 7, "IN": 5},
    "vague": {"NL": 30, "PL": 15, "RO": 15, "BG": 8, "UA": 8, "BR": 6, "CO": 6, "TH": 6, "PH": 6},
}
_ORIGINS_BY_SUB = {
    "cannabis": {"VN": 80, "CN": 5, "NL": 15}, "drug_running": {"NL": 75, "MA": 15, "ER": 10},
    "pickpocketing": {"RO": 55, "VN": 15, "MA": 20, "BG": 10}, "begging": {"RO": 60, "BG": 40},
    "shoplifting": {"RO": 50, "AL": 20, "NL": 30}, "fraud": {"NL": 50, "RO": 25, "PL": 25},
    "nail_salon": {"VN": 70, "CN": 30}, "domestic": {"PH": 45, "IN": 20, "MA": 15, "UA": 10, "CO": 10},
    "car_wash": {"RO": 25, "BG": 20, "MA": 20, "AF": 15, "TR": 20}, "massage": {"CN": 35, "TH": 45, "VN": 20},
}
_FEMALE_SHARE = {"sexual": 0.93, "labour": 0.35, "criminal": 0.2, "smuggling": 0.2, "vague": 0.5}
_FEMALE_BY_SUB = {"nail_salon": 0.75, "domestic": 0.92, "cleaning": 0.6, "begging": 0.6, "shoplifting": 0.6,
                  "construction": 0.02, "transport": 0.02, "car_wash": 0.05, "massage": 1.0}
_MINOR_SHARE = {"sexual": 0.07, "labour": 0.02, "criminal": 0.45, "smuggling": 0.1, "vague": 0.0}
_OWN_LANG = {"RO": "ro", "BG": "bg", "PL": "pl", "CO": "es", "VE": "es", "BR": "pt"}
_SLOT_NAMES = ("city", "street", "address", "v_name", "v_first", "v_age", "v_nat", "v_natio", "v_country", "n",
               "s_name", "s_alias", "phone", "plate", "car", "company", "kvk", "iban", "workplace", "setting", "amount",
               "wage", "rent", "hours", "date", "time", "url", "handle", "r_role", "r_role_en")

# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class _Template:
    text: str
    subs: frozenset | None
    kinds: frozenset | None
    minor: bool
    gender: str | None


def _parse_templates() -> dict[tuple[str, str, str], list[_Template]]:
    out: dict[tuple[str, str, str], list[_Template]] = {}
    fmt = string.Formatter()
    for lang, forms in _NARR["templates"].items():
        for form, styles in forms.items():
            for style, entries in styles.items():
                lst = []
                for e in entries:
                    if isinstance(e, str):
                        e = {"t": e}
                    for _, field, _, _ in fmt.parse(e["t"]):
                        if field is not None and field not in _SLOT_NAMES:
                            raise ValueError(f"unknown slot {field!r} in template {e['t'][:40]!r}")
                    lst.append(_Template(e["t"], frozenset(e["sub"]) if "sub" in e else None,
                                         frozenset(e["kinds"]) if "kinds" in e else None, bool(e.get("minor")),
                                         e.get("g") or ("F" if form == "sexual" else None)))
                out[(lang, form, style)] = lst
    return out


_TEMPLATES = _parse_templates()


def _choose_template(rng: random.Random, lang: str, form: str, style: str, sub: str, kind: str) -> tuple[str, _Template]:
    for lg, st in ((lang, style), (lang, "tip"), ("nl", style), ("nl", "tip")):
        entries = _TEMPLATES.get((lg, form, st))
        if not entries:
            continue
        for strict in (True, False):
            fit = [t for t in entries if (t.subs is None or sub in t.subs) and (not strict or t.kinds is None or kind in t.kinds)]
            if fit:
                return lg, rng.choice(fit)
    entries = _TEMPLATES.get((lang, form, style)) or _TEMPLATES[("nl", form, "tip")]
    return lang if (lang, form, style) in _TEMPLATES else "nl", rng.choice(entries)


# --------------------------------------------------------------------------- small helpers


def _wchoice(rng: random.Random, weights: dict) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month, 31)
    return d - timedelta(days=(d.weekday() + 1) % 7)


_DST = {y: (datetime.combine(_last_sunday(y, 3), datetime.min.time()) + timedelta(hours=2),
            datetime.combine(_last_sunday(y, 10), datetime.min.time()) + timedelta(hours=3)) for y in range(2020, 2031)}


def _offset(local: datetime) -> int:
    """Hours ahead of UTC in Europe/Amsterdam (1 or 2) for a local wall-clock time."""
    start, end = _DST[local.year]
    return 2 if start <= local < end else 1


def _iso(local: datetime) -> str:
    return (f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}:"
            f"{local.second:02d}+0{_offset(local)}:00")


def _utc(local: datetime) -> datetime:
    return local - timedelta(hours=_offset(local))


def _thousands(n: int, lang: str) -> str:
    if n < 1000:
        return str(n)
    sep = {"nl": ".", "en": ",", "ro": ".", "es": ".", "pt": ".", "pl": " ", "bg": " "}.get(lang, ".")
    return f"{n:,}".replace(",", sep)


# --------------------------------------------------------------------------- identifiers

_PLATE_LETTERS = "BDFGHJKLNPRSTVXZ"
_SIDECODES = (("LL-DD-LL", 2), ("LL-LL-DD", 2), ("DD-LL-LL", 3), ("DD-LLL-D", 10), ("D-LLL-DD", 10), ("LL-DDD-L", 12),
              ("L-DDD-LL", 12), ("LLL-DD-L", 10), ("L-DD-LLL", 8), ("D-LL-DDD", 6), ("DDD-LL-D", 4))
_SIDECODE_PATTERNS = [p for p, _ in _SIDECODES]
_SIDECODE_WEIGHTS = [w for _, w in _SIDECODES]

_FOREIGN_PHONE = {
    # country: (calling code, leading digits options, total national digits, grouping)
    "RO": ("40", ("72", "73", "74", "75", "76"), 9, (3, 3, 3)),
    "BG": ("359", ("87", "88", "89"), 9, (2, 3, 4)),
    "PL": ("48", ("50", "51", "53", "60", "66", "69", "72", "78", "79", "88"), 9, (3, 3, 3)),
    "HU": ("36", ("20", "30", "70"), 9, (2, 3, 4)),
    "BR": ("55", ("119", "219", "319", "619", "859"), 11, (2, 5, 4)),
    "CO": ("57", ("300", "310", "311", "313", "315", "320"), 10, (3, 3, 4)),
    "VE": ("58", ("412", "414", "416", "424", "426"), 10, (3, 3, 4)),
    "NG": ("234", ("803", "806", "813", "816", "703", "706", "810", "905"), 10, (3, 3, 4)),
    "TH": ("66", ("81", "86", "89", "91", "95"), 9, (2, 3, 4)),
    "UA": ("380", ("50", "63", "66", "67", "68", "93", "96", "97"), 9, (2, 3, 2, 2)),
    "VN": ("84", ("90", "91", "93", "96", "97", "98"), 9, (2, 3, 4)),
    "MA": ("212", ("61", "62", "66", "67", "70"), 9, (3, 3, 3)),
    "TR": ("90", ("530", "532", "535", "541", "555"), 10, (3, 3, 2, 2)),
    "AL": ("355", ("67", "68", "69"), 9, (2, 3, 4)),
    "IN": ("91", ("98", "97", "99", "81"), 10, (5, 5)),
    "PH": ("63", ("917", "918", "927", "939"), 10, (3, 3, 4)),
    "CN": ("86", ("138", "139", "150", "186"), 11, (3, 4, 4)),
    "ER": ("291", ("71", "72", "73"), 7, (1, 3, 3)),
    "SY": ("963", ("93", "94", "99"), 9, (3, 3, 3)),
    "AF": ("93", ("70", "77", "78", "79"), 9, (2, 3, 4)),
    "DE": ("49", ("151", "160", "170", "176"), 11, (3, 8)),
    "BE": ("32", ("47", "48", "49"), 9, (3, 2, 2, 2)),
}


def _group(digits: str, sizes: tuple[int, ...]) -> str:
    out, i = [], 0
    for s in sizes:
        out.append(digits[i:i + s])
        i += s
    if i < len(digits):
        out[-1] += digits[i:]
    return " ".join(x for x in out if x)


def _fmt_nl_mobile(rng: random.Random, s: str) -> str:
    """s: the 8 digits after '06'."""
    pairs = f"{s[0:2]} {s[2:4]} {s[4:6]} {s[6:8]}"
    r = rng.random()
    if r < 0.30:
        return f"06-{s}"
    if r < 0.44:
        return f"06{s}"
    if r < 0.55:
        return f"06 {s[:4]} {s[4:]}"
    if r < 0.64:
        return f"+31 6 {pairs}"
    if r < 0.73:
        return f"+316{s}"
    if r < 0.79:
        return f"06-{pairs}"
    if r < 0.84:
        return f"00316{s}"
    if r < 0.89:
        return f"06 {pairs}"
    if r < 0.93:
        return f"0031 6 {s}"
    if r < 0.97:
        return f"+31 (0)6 {s}"
    return f"06 {s}"


def _fmt_landline(rng: random.Random, area: str, s: str) -> str:
    r = rng.random()
    if len(area) == 3:
        if r < 0.3:
            return f"({area}) {s[:3]} {s[3:]}"
        if r < 0.6:
            return f"{area}-{s}"
        if r < 0.8:
            return f"{area} {s[:3]} {s[3:5]} {s[5:]}"
        return f"+31 {area[1:]} {s[:3]} {s[3:]}"
    if r < 0.5:
        return f"{area}-{s}"
    if r < 0.8:
        return f"({area}) {s[:2]} {s[2:4]} {s[4:]}"
    return f"+31 {area[1:]} {s}"


def _fmt_foreign(rng: random.Random, cc: str, national: str, grouping: tuple[int, ...]) -> str:
    r = rng.random()
    if r < 0.5:
        return f"+{cc} {_group(national, grouping)}"
    if r < 0.75:
        return f"+{cc}{national}"
    if r < 0.9:
        return f"00{cc}{national}"
    return f"00{cc} {_group(national, grouping)}"


def _fmt_plate(rng: random.Random, plate: str) -> str:
    r = rng.random()
    if r < 0.62:
        return plate
    if r < 0.82:
        return plate.replace("-", "")
    if r < 0.9:
        return plate.lower()
    return plate.replace("-", " ")


def _fmt_iban(rng: random.Random, compact: str) -> str:
    r = rng.random()
    if r < 0.58:
        return compact
    grouped = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return grouped if r < 0.95 else grouped.lower()


# --------------------------------------------------------------------------- pools (built once per seed)


def _reserved_from_scripts() -> dict[str, set]:
    """Identifiers of the scripted signals, kept out of random background values."""
    phones, plates, ibans, regs, postcodes, names = set(), set(), set(), set(), set(), set()

    def walk(sig: dict) -> None:
        for p in sig.get("phones", []):
            phones.add("".join(ch for ch in p if ch.isdigit())[-9:])
        for person in sig.get("persons", []):
            for p in person.get("phones", []):
                phones.add("".join(ch for ch in p if ch.isdigit())[-9:])
            for n in [person.get("name") or ""] + person.get("aliases", []):
                names.add(_ascii(n).lower().replace(",", ""))
        for v in sig.get("vehicles", []):
            plates.add("".join(ch for ch in v["plate"].upper() if ch.isalnum()))
        for b in sig.get("bank_accounts", []):
            ibans.add(b.replace(" ", "").upper())
        for o in sig.get("organisations", []):
            regs.add(o.get("registration_number", "").replace(" ", ""))
        for a in sig.get("addresses", []):
            if a.get("postcode"):
                postcodes.add(a["postcode"].replace(" ", ""))

    for specs in [*_SCRIPTS["networks"].values(), *_SCRIPTS["organisations"].values()]:
        for s in specs:
            walk(s)
    for s in _SCRIPTS["near_misses"]:
        walk(s)
    return {"phones": phones, "plates": plates, "ibans": ibans, "regs": regs, "postcodes": postcodes, "names": names}


_RESERVED = _reserved_from_scripts()


@dataclass
class _City:
    name: str
    pc4: list[tuple[int, int]]
    area: str
    unit: str
    weight: float
    spellings: tuple[str, ...]
    streets: tuple[str, ...]
    ad_areas: tuple[str, ...]
    window: bool


# A pooled person name: (call name, given names, family name, full, native full, native call name)
_Name = tuple[str, str, str, str, str, str]


class _Pools:
    def __init__(self, seed: int):
        rng = random.Random(f"vigil-demo-pools-{seed}")
        self.cities: dict[str, _City] = {}
        common = tuple(_PLACES["common_streets"])
        for c in _PLACES["cities"]:
            own = tuple(c["streets"])
            self.cities[c["name"]] = _City(
                c["name"], [tuple(r) for r in c["pc4"]], c["area"], c["unit"], c["weight"], tuple(c.get("spellings", [])),
                own + own + common[: max(6, len(own) // 2)] + tuple(rng.sample(common, 6)),
                tuple(c.get("areas", [])), bool(c.get("window")))
        self.city_names = list(self.cities)
        self.city_weights = [self.cities[n].weight for n in self.city_names]
        self.window_cities = [n for n in self.city_names if self.cities[n].window] + list(_PLACES["window_cities_extra"])
        self.sector_cities = {k: [c for c in v if c in self.cities] for k, v in _PLACES["sector_cities"].items()}
        self.sector_cities["greenhouse"] = list(_WESTLAND)
        self.people = self._names(rng, seed)
        self.companies = self._companies(rng)
        self.ad_phones = [self.nl_mobile_digits(rng) for _ in range(160)]

    # names ------------------------------------------------------------------
    def _names(self, rng: random.Random, seed: int) -> dict[str, dict[str, list[_Name]]]:
        people: dict[str, dict[str, list[_Name]]] = {}
        reserved = _RESERVED["names"]
        for i, (origin, locale) in enumerate(sorted(_LEX["faker_locales"].items())):
            fk = Faker(locale)
            fk.seed_instance(seed * 100 + i)
            people[origin] = {}
            for gender in ("F", "M"):
                out: list[_Name] = []
                first_fn = fk.first_name_female if gender == "F" else fk.first_name_male
                last_fn = getattr(fk, "last_name_female" if gender == "F" else "last_name_male", fk.last_name)
                tries = 0
                while len(out) < 140 and tries < 600:
                    tries += 1
                    first, last = first_fn(), last_fn()
                    if origin == "VN":
                        mid = "Thị" if gender == "F" else "Văn"
                        given = f"{mid} {first}"
                        full = f"{last} {given}"
                    else:
                        given, full = first, f"{first} {last}"
                    key = _ascii(full).lower()
                    if key in reserved or ("vries" in key and key.startswith("h")):
                        continue
                    out.append((first, given, last, full, full, first))
                people[origin][gender] = out
        for origin, spec in _LEX["curated_names"].items():
            people[origin] = {}
            for gender, key in (("F", "female"), ("M", "male")):
                firsts = spec[key]
                out = []
                for _ in range(90):
                    f = rng.choice(firsts)
                    ln = rng.choice(spec["last"])
                    f_lat, f_nat = (f[0], f[1]) if isinstance(f, list) else (f, f)
                    l_lat, l_nat = (ln[0], ln[1]) if isinstance(ln, list) else (ln, ln)
                    if gender == "F" and spec.get("female_suffix"):
                        l_lat, l_nat = l_lat + spec["female_suffix"], l_nat + "а"
                    full = f"{f_lat} {l_lat}"
                    if _ascii(full).lower() in reserved:
                        continue
                    out.append((f_lat, f_lat, l_lat, full, f"{f_nat} {l_nat}", f_nat))
                people[origin][gender] = out
        return people

    # companies --------------------------------------------------------------
    def _companies(self, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
        lastnames = [n[2] for n in self.people["NL"]["M"]]
        legal = ("B.V.", "BV", "B.V.", "bv", "B.V.", "")
        pre = ("Euro", "Inter", "Work", "Job", "Top", "Star", "Green", "Polder", "Delta", "Holland", "Noord", "Maas",
               "Rijn", "Tulip", "Orange", "Prima", "Total", "Smart", "Quick", "Pro")
        suf = ("Personeel", "Uitzendgroep", "Staffing", "Werk", "Jobs", "Services", "Detachering", "Flex", "Workforce",
               "Personeelsdiensten")
        patterns = {
            "agency": lambda: f"{rng.choice(pre)}{'' if rng.random() < 0.5 else ' '}{rng.choice(suf)} {rng.choice(legal)}",
            "greenhouse": lambda: rng.choice([f"Kwekerij {rng.choice(lastnames)}", f"{rng.choice(lastnames)} Tomaten B.V.",
                                              f"Tuinbouwbedrijf {rng.choice(lastnames)} B.V."]),
            "distribution": lambda: f"{rng.choice(['Logistiek', 'Fulfilment', 'Distributie'])} {rng.choice(lastnames)} B.V.",
            "meat": lambda: f"Vleesverwerking {rng.choice(lastnames)} B.V.",
            "nail_salon": lambda: rng.choice(["Pretty Nails", "Star Nails", "Lovely Nails & Beauty", "Nail Studio Diamond",
                                              "Golden Nails", "Queen Nails"]),
            "car_wash": lambda: rng.choice([f"{rng.choice(lastnames)} Autopoets", "Speed Wash", "Clean Car Center",
                                            "Carwash Express", "Glans & Co"]),
            "construction": lambda: rng.choice([f"{rng.choice(lastnames)} Bouw B.V.", f"Bouwbedrijf {rng.choice(lastnames)}",
                                                f"{rng.choice(lastnames)} Bouwservice"]),
            "cleaning": lambda: f"{rng.choice(lastnames)} Schoonmaak B.V.",
            "transport": lambda: rng.choice([f"{rng.choice(lastnames)} Transport B.V.", f"Trans {rng.choice(lastnames)} Logistics"]),
            "restaurant": lambda: rng.choice(["Restaurant De Gouden Draak", "Grillroom Istanbul", "Pizzeria Napoli",
                                              "Wok & Sushi Palace", "Eetcafé De Hoek", "Restaurant Lotus"]),
            "massage": lambda: rng.choice(["Thai Massage Sabai", "Lotus Wellness", "Chinese Massage Harmony",
                                           "Bangkok Spa", "Relax Center Orchidee"]),
            "agriculture": lambda: f"Aspergeteelt {rng.choice(lastnames)}",
            "domestic": lambda: "",
        }
        out: dict[str, list[tuple[str, str]]] = {}
        for sector, make in patterns.items():
            lst = []
            for _ in range(160 if sector == "agency" else 40):
                name = make().strip()
                if not name or _ascii(name).lower().replace(" ", "").startswith("flexwerk"):
                    continue
                lst.append((name, self.kvk(rng)))
            out[sector] = lst
        return out

    # identifiers -------------------------------------------------------------
    @staticmethod
    def kvk(rng: random.Random) -> str:
        while True:
            k = str(rng.randrange(10_000_000, 99_999_999))
            if k not in _RESERVED["regs"]:
                return k

    @staticmethod
    def nl_mobile_digits(rng: random.Random) -> str:
        while True:
            s = f"{rng.randrange(10_000_000, 65_000_000):08d}"
            if ("6" + s) not in _RESERVED["phones"]:
                return s

    def phone(self, rng: random.Random, country: str = "NL", city: str | None = None, landline: bool = False) -> str:
        if country == "NL":
            if landline and city:
                area = self.cities[city].area
                n = 10 - len(area)
                return _fmt_landline(rng, area, str(rng.randrange(2 * 10 ** (n - 1), 10 ** n)))
            return _fmt_nl_mobile(rng, self.nl_mobile_digits(rng))
        spec = _FOREIGN_PHONE.get(country)
        if spec is None:
            return _fmt_nl_mobile(rng, self.nl_mobile_digits(rng))
        cc, leads, total, grouping = spec
        while True:
            lead = rng.choice(leads)
            national = lead + "".join(rng.choices(string.digits, k=total - len(lead)))
            if national[-9:] not in _RESERVED["phones"]:
                break
        if country == "RO" and rng.random() < 0.1:
            return f"0{national[:3]} {national[3:6]} {national[6:]}"
        return _fmt_foreign(rng, cc, national, grouping)

    @staticmethod
    def nl_plate(rng: random.Random) -> str:
        while True:
            pattern = rng.choices(_SIDECODE_PATTERNS, weights=_SIDECODE_WEIGHTS)[0]
            plate = "".join(rng.choice(_PLATE_LETTERS) if ch == "L" else (str(rng.randrange(10)) if ch == "D" else ch)
                            for ch in pattern)
            if plate.replace("-", "") not in _RESERVED["plates"]:
                return plate

    @staticmethod
    def foreign_plate(rng: random.Random, country: str) -> str:
        up = string.ascii_uppercase
        if country == "PL":
            return f"{rng.choice(['WPR', 'PO', 'KR', 'WX', 'DW', 'LU', 'GD'])} {rng.randrange(10000, 99999)}"
        if country == "RO":
            return f"{rng.choice(['B', 'CJ', 'IS', 'TM', 'BV', 'CT', 'BC', 'DJ', 'GL', 'SV'])} {rng.randrange(10, 99)} " \
                   f"{''.join(rng.choices(up, k=3))}"
        if country == "BG":
            return f"{rng.choice(['CA', 'PB', 'B', 'CB', 'BT', 'PA'])} {rng.randrange(1000, 9999)} " \
                   f"{''.join(rng.choices('ABEKMHOPCTYX', k=2))}"
        if country == "DE":
            district = rng.choice(["KLE", "VIE", "BOR", "AC", "D", "HS"])
            return f"{district}-{''.join(rng.choices(up, k=2))} {rng.randrange(1, 10 ** (6 - len(district)))}"
        if country == "BE":
            return f"1-{''.join(rng.choices(up, k=3))}-{rng.randrange(100, 999)}"
        return f"{''.join(rng.choices(up, k=2))}-{rng.randrange(100, 999)}-{''.join(rng.choices(up, k=2))}"

    @staticmethod
    def iban(rng: random.Random, country: str = "NL") -> str:
        while True:
            if country == "RO":
                bban = rng.choice(["BTRL", "RNCB", "BRDE", "INGB"]) + "".join(rng.choices(string.digits, k=16))
            elif country == "PL":
                bban = "".join(rng.choices(string.digits, k=24))
            elif country == "BG":
                bban = rng.choice(["UNCR", "STSA", "FINV"]) + "".join(rng.choices(string.digits, k=6)) + \
                       "".join(rng.choices(string.digits, k=8))
            else:
                country = "NL"
                bank = rng.choices(["INGB", "ABNA", "RABO", "TRIO", "BUNQ", "KNAB", "SNSB", "ASNB"],
                                   weights=[30, 22, 25, 4, 7, 4, 5, 3])[0]
                lead = {"INGB": "000", "ABNA": rng.choice(["04", "05", "06"]), "RABO": rng.choice(["01", "03"]),
                        "TRIO": "0", "BUNQ": "20", "KNAB": "0", "SNSB": "09", "ASNB": "07"}[bank]
                bban = bank + lead + "".join(rng.choices(string.digits, k=10 - len(lead)))
            compact = country + _stdnum_iban.calc_check_digits(country + "00" + bban) + bban
            if compact not in _RESERVED["ibans"]:
                return compact

    def postcode(self, rng: random.Random, city: str) -> str:
        rngs = self.cities[city].pc4
        lo, hi = rng.choice(rngs)
        while True:
            letters = rng.choice(string.ascii_uppercase) + rng.choice(string.ascii_uppercase)
            if letters in ("SA", "SD", "SS"):
                continue
            pc = f"{rng.randint(lo, hi)}{letters}"
            if pc not in _RESERVED["postcodes"]:
                return pc


@lru_cache(maxsize=4)
def _pools(seed: int) -> _Pools:
    return _Pools(seed)


# --------------------------------------------------------------------------- persons and places


_GENDER_WRITTEN = {"F": ("V", "V", "F", "vrouw", "female", "v"), "M": ("M", "M", "man", "male", "m")}
_DOC_TYPES = {"nl": ("paspoort", "paspoort", "ID-kaart", "verblijfsdocument", "rijbewijs"),
              "en": ("passport", "passport", "identity card", "residence permit")}


def _doc_number(rng: random.Random, country: str) -> str:
    up, dg = string.ascii_uppercase, string.digits
    if country == "RO":
        return f"{''.join(rng.choices(up, k=2))} {''.join(rng.choices(dg, k=6))}"
    if country == "PL":
        return "".join(rng.choices(up, k=3)) + "".join(rng.choices(dg, k=6))
    if country == "NL":
        return "".join(rng.choices("BCDFGHJKLMNPRSTVWXYZ", k=2)) + "".join(rng.choices(dg + "BCDFGHJKLMNPRSTVWXYZ", k=6)) \
            + rng.choice(dg)
    if country in ("BG", "VE"):
        return "".join(rng.choices(dg, k=9))
    if country == "UA":
        return f"{''.join(rng.choices(up, k=2))} {''.join(rng.choices(dg, k=6))}"
    return "".join(rng.choices(up, k=rng.choice((1, 2)))) + "".join(rng.choices(dg, k=7))


def _render_name(rng: random.Random, n: _Name, official: bool) -> str:
    first, given, family, full, _, _ = n
    r = rng.random()
    if not official:
        name = full if r < 0.7 else (first if r < 0.9 else f"{first[0]}. {family}")
        return _ascii(name) if rng.random() < 0.15 else name
    if r < 0.3:
        name = f"{family.upper()}, {given}"
    elif r < 0.68:
        name = full
    elif r < 0.76:
        name = f"{first[0]}. {family}"
    elif r < 0.9:
        name = first
    elif r < 0.95:
        name = f"{family}, {given}"
    else:
        name = f"{given} {family.upper()}"
    if rng.random() < 0.2:
        name = _ascii(name)
    return name


class _Signal:
    """Builds one background signal. Slots of the narrative template are filled on demand
    (``__missing__`` of the slot dict), so that only what the text mentions is generated."""

    def __init__(self, rng: random.Random, P: _Pools, channel: str, desk: _Desk, when: datetime):
        self.rng, self.P, self.channel, self.desk, self.when = rng, P, channel, desk, when
        self.kind = desk.kind
        self.style = _STYLE.get(channel, "ad")
        self.official = self.style == "official"

    # --- choices -------------------------------------------------------------
    def choose(self) -> None:
        rng, P = self.rng, self.P
        if self.desk.key == "kmar":
            forms = _FORMS_KMAR
        else:
            forms = _FORMS_BY_KIND.get(self.kind) if self.official else None
            forms = forms or _FORMS[self.channel]
        self.form = _wchoice(rng, forms)
        subs = _SUBS[self.form]
        if self.desk.cities:
            self.city = rng.choice(self.desk.cities)
            allowed = {s: w for s, w in subs.items() if self._sub_fits(s, self.city)}
            self.sub = _wchoice(rng, allowed or {"home" if self.form == "sexual" else next(iter(subs)): 1})
        else:
            self.sub = _wchoice(rng, subs)
            cities = self._sub_cities(self.sub)
            self.city = rng.choice(cities) if cities else rng.choices(P.city_names, weights=P.city_weights)[0]
        self.origin = _wchoice(rng, _ORIGINS_BY_SUB.get(self.sub) or _ORIGINS[self.form])

    def _sub_cities(self, sub: str) -> list[str] | None:
        if sub == "window":
            return self.P.window_cities
        return self.P.sector_cities.get(sub)

    def _sub_fits(self, sub: str, city: str) -> bool:
        cities = self._sub_cities(sub)
        return cities is None or city in cities

    def choose_language(self) -> str:
        rng = self.rng
        r = rng.random()
        if self.channel == "public_web_report":
            own = _OWN_LANG.get(self.origin)
            if own and r < 0.6 and (own, self.form, "web") in _TEMPLATES:
                return own
            return "nl" if self.origin == "NL" or r < 0.8 else "en"
        if self.channel == "phone_tip":
            return "en" if r < 0.05 else "nl"
        if self.official and self.kind in ("ngo", "ind") and r < 0.18:
            return "en"
        return "nl"

    # --- people ---------------------------------------------------------------
    def person(self, role: str, origin: str, gender: str, minor: bool = False, adult_ages=(19, 35)) -> dict:
        rng, P = self.rng, self.P
        pool = P.people.get(origin) or P.people["NL"]
        n = rng.choice(pool[gender])
        age = rng.randint(15, 17) if minor else rng.randint(*adult_ages)
        p = {"role": role, "_n": n, "_age": age, "_origin": origin, "_gender": gender, "_name": None}
        return p

    def finish_person(self, p: dict, named: bool) -> dict:
        """Turn a working person into its schema dict, with the fields a source would have filled."""
        rng, lang = self.rng, self.lang
        out: dict = {"role": p["role"]}
        n: _Name = p["_n"]
        name = p["_name"]
        if name is None and p.get("_first_used") and rng.random() < 0.7:
            name = n[0]
        if name is None and named:
            name = _render_name(rng, n, self.official)
        aliases = list(p.get("_aliases", []))
        if name is None and not aliases and rng.random() < 0.5:
            if p["role"] == "possible_suspect":
                aliases.append(rng.choice(_LEX["suspect_aliases"]))
            elif p["role"] == "possible_victim" and self.form == "sexual":
                aliases.append(rng.choice(_LEX["victim_aliases"]))
        if name is not None or rng.random() < 0.4:
            out["name"] = name
        if aliases:
            out["aliases"] = aliases
        if p["role"] != "reporter":
            r = rng.random()
            year = self.when.year - p["_age"] - (1 if rng.random() < 0.5 else 0)
            if r < 0.45:
                r2 = rng.random()
                if r2 < 0.35:
                    out["birth_date"] = str(year)
                elif r2 < 0.5:
                    out["birth_date"] = f"{year}-{rng.randint(1, 12):02d}"
                else:
                    out["birth_date"] = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                if rng.random() < 0.1:
                    out["estimated_age"] = p["_age"]
            elif r < 0.82 or p["_age"] < 18:
                out["estimated_age"] = p["_age"]
            if rng.random() < 0.5:
                out["gender"] = rng.choice(_GENDER_WRITTEN[p["_gender"]])
            if rng.random() < 0.72:
                variants = _LEX["nationality_variants"].get(p["_origin"])
                if variants:
                    out["nationality"] = rng.choice(variants)
        phones = list(p.get("_phones", []))
        if not phones and rng.random() < (0.75 if p["role"] == "reporter" and self.channel == "phone_tip" else 0.25):
            if p["role"] == "reporter" and rng.random() < 0.3:
                phones.append(self.P.phone(rng, "NL", self.city, landline=True))
            else:
                country = "NL" if p["_origin"] == "NL" or rng.random() < 0.6 else p["_origin"]
                phones.append(self.P.phone(rng, country))
        if phones:
            out["phones"] = phones
        if rng.random() < (0.5 if p["role"] == "reporter" and self.channel == "public_web_report" else 0.06):
            out["emails"] = [self.email(n, p["_origin"])]
        if self.official and p["role"] == "possible_victim" and rng.random() < 0.22:
            doc_lang = "en" if lang == "en" else "nl"
            ctry = p["_origin"]
            out["id_documents"] = [{"type": rng.choice(_DOC_TYPES[doc_lang]), "number": _doc_number(rng, ctry),
                                    "country": ctry}]
        if rng.random() < 0.08 and p["role"] in ("possible_victim", "possible_suspect"):
            key = "victim_descriptions" if p["role"] == "possible_victim" else "suspect_descriptions"
            out["description"] = rng.choice(_LEX[key]["en" if lang == "en" else "nl"])
        return out

    def email(self, n: _Name, origin: str) -> str:
        rng = self.rng
        first, last = _ascii(n[0]).lower().replace(" ", ""), _ascii(n[2]).lower().replace(" ", "").replace("-", "")
        domain = rng.choice(_LEX["email_domains"].get(origin) or _LEX["email_domains"]["default"])
        r = rng.random()
        if r < 0.4:
            local = f"{first}.{last}"
        elif r < 0.7:
            local = f"{first}{last}{rng.randint(1, 99)}"
        else:
            local = f"{first}_{rng.randint(1970, 2008)}"
        return f"{local}@{domain}"

    def suspect(self) -> dict:
        if self._suspect is None:
            rng = self.rng
            r = rng.random()
            origin = self.origin if r < 0.5 else ("NL" if r < 0.8 else rng.choice(("TR", "AL", "MA", "RO", "BG")))
            s = self.person("possible_suspect", origin, "M", adult_ages=(22, 58))
            if rng.random() < 0.4:
                s["_aliases"] = [rng.choice(_LEX["suspect_aliases"])]
            self._suspect = s
        return self._suspect

    # --- slots -----------------------------------------------------------------
    def slot(self, key: str) -> str:
        rng, P, lang = self.rng, self.P, self.lang
        v = self.victim
        if key == "city":
            return _NARR["city_native"].get(lang, {}).get(self.city, self.city)
        if key == "street":
            return self.place()[0]
        if key == "address":
            street, hn = self.place()
            return f"{street} {hn}"
        if key == "v_name":
            v["_name"] = _render_name(rng, v["_n"], self.official)
            return v["_name"]
        if key == "v_first":
            v["_first_used"] = True
            return v["_n"][5] if lang in ("bg", "uk") else v["_n"][0]
        if key == "v_age":
            return str(v["_age"])
        if key == "v_nat":
            return _LEX["adjective"].get(lang, _LEX["adjective"]["en"]).get(v["_origin"], "buitenlandse")
        if key == "v_country":
            return _LEX["country_name"].get(lang, _LEX["country_name"]["en"]).get(v["_origin"], "?")
        if key == "v_natio":
            variants = _LEX["nationality_variants"].get(v["_origin"], ["onbekend"])
            v["_natio"] = rng.choice(variants)
            return v["_natio"]
        if key == "n":
            lo, hi = {"sexual": (2, 6), "labour": (5, 24), "criminal": (2, 9), "smuggling": (3, 15)}.get(self.form, (2, 6))
            return str(rng.randint(lo, hi))
        if key == "s_name":
            s = self.suspect()
            s["_name"] = _render_name(rng, s["_n"], self.official)
            return s["_name"]
        if key == "s_alias":
            s = self.suspect()
            if not s.get("_aliases"):
                s["_aliases"] = [rng.choice(_LEX["suspect_aliases"])]
            return s["_aliases"][0]
        if key == "phone":
            country = "NL" if rng.random() < 0.75 else self.origin
            ph = P.phone(rng, country)
            if rng.random() < 0.6:
                self.suspect().setdefault("_phones", []).append(ph)
            else:
                self.loose_phones.append(ph)
            return ph
        if key == "plate":
            if self.form == "smuggling":
                country = rng.choice(("PL", "RO", "BG", "DE", "BE", "FR"))
                plate = P.foreign_plate(rng, country)
            else:
                country, plate = None, _fmt_plate(rng, P.nl_plate(rng))
            self.plates.append((plate, country))
            return plate
        if key == "car":
            colours = _LEX["colours"].get(lang, _LEX["colours"]["nl"])
            self.car = f"{rng.choice(colours)} {rng.choice(_LEX['car_models'])}"
            return self.car
        if key in ("company", "kvk"):
            if self.company is None:
                sector = self.sub if self.form == "labour" and self.sub in P.companies and rng.random() < 0.45 else "agency"
                if self.sub == "massage":
                    sector = "massage"
                self.company = rng.choice(P.companies[sector] or P.companies["agency"])
            return self.company[0] if key == "company" else self.company[1]
        if key == "iban":
            ib = _fmt_iban(rng, P.iban(rng, "NL" if rng.random() < 0.85 else rng.choice(("RO", "PL", "BG"))))
            self.ibans.append(ib)
            return ib
        if key == "workplace":
            phrase = _NARR["workplace"].get(self.sub, _NARR["workplace"]["construction"])
            return phrase.get(lang, phrase["en"]).format(city=self.slots["city"])
        if key == "setting":
            phrase = _NARR["setting"].get(self.sub, _NARR["setting"]["home"])
            return phrase.get(lang, phrase["en"]).format(city=self.slots["city"])
        if key == "amount":
            return _thousands(rng.choice(_LEX["amounts"]), lang)
        if key == "wage":
            return rng.choice(_LEX["wages"])
        if key == "rent":
            return str(rng.choice((80, 100, 120, 130, 150, 180, 200) if self.form == "sexual" else (60, 75, 80, 95, 110, 125)))
        if key == "hours":
            return str(rng.randint(10, 16))
        if key == "date":
            d = self.observed or self.when
            if lang == "en":
                return f"{d.day} {_LEX['months']['en'][d.month - 1]} {d.year}"
            return f"{d.day} {_LEX['months']['nl'][d.month - 1]} {d.year}" if rng.random() < 0.6 else d.strftime("%d-%m-%Y")
        if key == "time":
            return f"{rng.randint(0, 23):02d}{'.' if rng.random() < 0.6 else ':'}{rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)):02d}"
        if key == "url":
            u = self.ad_url()
            self.urls.append(u)
            return u
        if key == "handle":
            n = v["_n"]
            h = rng.choice(_LEX["handles"]).format(first=_ascii(n[0]).lower(), last=_ascii(n[2]).lower().replace(" ", ""),
                                                   n=rng.randint(1, 99), city=_ascii(self.city).lower().replace(" ", ""))
            self.urls.append(h)
            return h
        if key in ("r_role", "r_role_en"):
            i = rng.randrange(len(_LEX["reporter_roles"]["nl"]))
            return _LEX["reporter_roles"]["en" if key == "r_role_en" else "nl"][i]
        raise KeyError(key)

    def place(self) -> tuple[str, str]:
        if self._place is None:
            rng = self.rng
            street = rng.choice(self.P.cities[self.city].streets)
            num = str(int(rng.paretovariate(1.1) * 3) if rng.random() < 0.9 else rng.randint(1, 400))
            num = str(max(1, min(int(num), 480)))
            r = rng.random()
            if r < 0.12:
                hn = num + rng.choice("ABCabc")
            elif r < 0.18:
                hn = f"{num} {rng.choice('ABCabc')}"
            elif r < 0.24:
                hn = f"{num}-{rng.choice(('1', '2', '3', 'hs', 'A', 'a', 'bis', 'I', 'II'))}"
            elif r < 0.28:
                hn = f"{num} {rng.choice(('1', '2', '3', 'hs'))}"
            else:
                hn = num
            self._place = (street, hn)
        return self._place

    def address_dict(self) -> dict:
        rng = self.rng
        street, hn = self.place()
        city = self.city
        spellings = self.P.cities[city].spellings
        if spellings and rng.random() < 0.25:
            city = rng.choice(spellings)
        pc = self.P.postcode(rng, self.city) if rng.random() < 0.6 else None
        role = rng.choice(self.address_roles)
        if rng.random() < 0.3:
            if pc:
                pc_txt = pc if rng.random() < 0.4 else f"{pc[:4]} {pc[4:]}"
                full = f"{street} {hn}, {pc_txt} {city}" if rng.random() < 0.7 else f"{pc_txt} {city}, {street} {hn}"
            else:
                full = f"{street} {hn}, {city}" if rng.random() < 0.7 else f"{street} {hn} {city}"
            return {"role": role, "full": full} if role else {"full": full}
        out = {"role": role} if role else {}
        out.update({"street": street, "house_number": hn})
        if pc:
            out["postcode"] = pc if rng.random() < 0.2 else f"{pc[:4]} {pc[4:]}"
        out["city"] = city
        return out

    def ad_url(self) -> str:
        rng = self.rng
        site = rng.choice(_LEX["ad_sites"])
        slug = _ascii(self.city).lower().replace(" ", "-").replace("'", "")
        return rng.choice((f"https://www.{site}/{slug}/advertentie/{rng.randrange(100000, 999999)}",
                           f"https://{site}/ad/{slug}/{rng.randrange(10000, 99999)}",
                           f"https://{site}/{slug}/{rng.randrange(1000000, 9999999)}"))

    # --- assembly --------------------------------------------------------------
    @property
    def address_roles(self) -> tuple:
        if self.form == "labour":
            return ("work location", "residence", "huisvesting", "werklocatie", None)
        if self.form == "sexual":
            return ("work location", "residence", "managed property", None, None)
        if self.form == "vague":
            return ("residence", None, None)
        return ("residence", "pick-up point", "work location", None)

    def build(self) -> dict:
        rng = self.rng
        self.choose()
        self.lang = self.choose_language()
        self.lang, tmpl = _choose_template(rng, self.lang, self.form, self.style, self.sub, self.kind)
        minor = tmpl.minor or rng.random() < _MINOR_SHARE[self.form] * (0.3 if self.sub not in
                                                                           ("drug_running", "pickpocketing", "cannabis") else 1)
        female = _FEMALE_BY_SUB.get(self.sub, _FEMALE_SHARE[self.form])
        if self.sub == "drug_running" or (self.sub == "cannabis" and minor):
            female = 0.1
        if tmpl.gender:
            female = 1.0 if tmpl.gender == "F" else 0.0
        ages = {"sexual": (18, 33), "labour": (19, 58), "criminal": (18, 40), "smuggling": (16, 45), "vague": (20, 60)}
        self.victim = self.person("possible_victim", self.origin, "F" if rng.random() < female else "M", minor,
                                  ages[self.form])
        self._suspect = None
        self._place = None
        self.company = None
        self.car = None
        self.loose_phones, self.plates, self.ibans, self.urls = [], [], [], []
        self.observed = None
        if rng.random() < 0.35:
            back = timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45)), hours=rng.randint(0, 12))
            self.observed = self.when - back
        slots = self.slots = _Slots(self)
        text = tmpl.text.format_map(slots).replace("..", ".")
        if self.channel in ("phone_tip", "anonymous_tip", "partner_referral", "ind_observation"):
            pre = _NARR["prefix"].get(self.channel, {}).get(self.lang)
            if pre:
                p = rng.choice(pre)
                if p:
                    text = p.format_map(slots) + text
        return self.assemble(text, minor)

    def assemble(self, text: str, minor: bool) -> dict:
        rng, ch = self.rng, self.channel
        sig: dict = {"source": "other" if ch in EXTRA_CHANNELS else ch}
        if ch in EXTRA_CHANNELS:
            sig["channel"] = ch
        sig["ref"] = ""
        sig["organisation"] = self.desk.organisation
        sig["owner"] = self.desk.slug
        sig["received_at"] = _iso(self.when)
        if self.observed is not None:
            sig["observed_at"] = self.observed.date().isoformat() if rng.random() < 0.6 else _iso(self.observed)
        sig["language"] = self.lang
        sig["narrative"] = text
        sparse = self.style in ("tip", "web") and rng.random() < 0.14
        p_forms = {"official": 0.85, "tip": 0.45, "web": 0.2}[self.style]
        if rng.random() < p_forms:
            form = {"vague": "unknown", "smuggling": "unknown"}.get(self.form, self.form)
            if self.form == "smuggling":
                sig["suspected_forms"] = ["unknown"] if rng.random() < 0.6 else []
            elif self.form == "vague":
                if rng.random() < 0.5:
                    sig["suspected_forms"] = ["unknown"]
            else:
                forms = [form]
                if form == "sexual" and rng.random() < 0.05:
                    forms.append("labour")
                elif form == "criminal" and rng.random() < 0.15:
                    forms.append("labour")
                sig["suspected_forms"] = forms
        urgent = (minor and rng.random() < 0.25) or rng.random() < 0.018
        if urgent:
            sig["urgent"] = True
        elif self.official and rng.random() < 0.3:
            sig["urgent"] = False
        persons = []
        if ch in ("phone_tip", "public_web_report"):
            if ch == "phone_tip" or rng.random() < 0.55:
                if self.lang not in ("nl", "en"):
                    origin = self.origin
                else:
                    origin = "NL" if rng.random() < 0.8 else self.origin
                rep = self.person("reporter", origin, "F" if rng.random() < 0.55 else "M")
                persons.append(self.finish_person(rep, named=rng.random() < (0.7 if ch == "phone_tip" else 0.85)))
        if not sparse or self.victim["_name"] is not None:
            v = self.victim
            if self.form != "vague" or rng.random() < 0.3:
                vd = self.finish_person(v, named=rng.random() < (0.55 if self.official else 0.3))
                if "_natio" in v:
                    vd["nationality"] = v["_natio"]
                persons.append(vd)
                if self.form in ("labour", "criminal", "smuggling") and rng.random() < 0.15:
                    extra = self.person("possible_victim", self.origin, v["_gender"], minor, (18, 45))
                    persons.append(self.finish_person(extra, named=self.official))
        s = self._suspect
        if s is None and not sparse and self.form != "vague" and rng.random() < 0.18:
            s = self.suspect()
        if s is not None and (not sparse or s["_name"] is not None or s.get("_phones")):
            persons.append(self.finish_person(s, named=rng.random() < 0.4))
        if ch == "anonymous_tip":
            persons = [p for p in persons if p["role"] != "reporter"]
        if persons:
            sig["persons"] = persons
        if not sparse:
            addresses = []
            if self._place is not None or rng.random() < 0.3:
                addresses.append(self.address_dict())
            elif rng.random() < 0.5:
                city = self.city
                addresses.append({"city": city})
            if addresses:
                sig["addresses"] = addresses
        if self.loose_phones and rng.random() < 0.85:
            sig["phones"] = list(self.loose_phones)
        if self.plates and rng.random() < 0.85 or (not sparse and rng.random() < 0.03):
            plates = self.plates or [(_fmt_plate(rng, self.P.nl_plate(rng)), None)]
            vehicles = []
            for pl, country in plates:
                vehicle = {"plate": pl}
                if country or rng.random() < 0.1:
                    vehicle["country"] = country or "NL"
                if self.car and rng.random() < 0.7:
                    vehicle["description"] = self.car
                vehicles.append(vehicle)
            sig["vehicles"] = vehicles
        if self.company is not None and rng.random() < 0.85 or (self.form == "labour" and not sparse and rng.random() < 0.2):
            if self.company is None:
                self.slot("company")
            name, kvk = self.company
            org = {"name": name}
            if rng.random() < 0.5:
                org["registration_number"] = kvk
            if rng.random() < 0.4:
                org["country"] = "NL"
            if rng.random() < 0.6:
                org["role"] = rng.choice(("uitzendbureau", "werkgever", "employer", "eigenaar", "inlener")
                                         if self.form == "labour" else ("eigenaar", "exploitant", "verhuurder"))
            sig["organisations"] = [org]
        if self.ibans and rng.random() < 0.9 or (not sparse and rng.random() < 0.02):
            sig["bank_accounts"] = list(self.ibans) or [_fmt_iban(rng, self.P.iban(rng))]
        if self.urls and rng.random() < 0.9:
            sig["online"] = list(self.urls)
        p_ind = {"official": 0.75, "tip": 0.25, "web": 0.08}[self.style]
        if rng.random() < p_ind:
            pool = _LEX["indicators"][{"vague": "unknown"}.get(self.form, self.form)]
            sig["indicators"] = rng.sample(pool, k=min(len(pool), rng.randint(1, 4)))
        self._bad_values(sig)
        return sig

    def _bad_values(self, sig: dict) -> None:
        """Now and then a value as badly written as in real intake (kept as given, still schema-valid)."""
        rng = self.rng
        r = rng.random()
        if r < 0.004 and sig.get("persons"):
            sig["persons"][-1].setdefault("phones", []).append(rng.choice(("06-1234", "06-123456", "+31 6 1234")))
        elif r < 0.007:
            compact = self.P.iban(rng)
            wrong = compact[:2] + f"{(int(compact[2:4]) + rng.randint(1, 9)) % 100:02d}" + compact[4:]
            sig.setdefault("bank_accounts", []).append(wrong)
        elif r < 0.009 and sig.get("persons"):
            sig["persons"][-1]["nationality"] = rng.choice(("Atlantis", "onbekend", "Joegoslavië", "Oost-Europa"))


class _Slots(dict):
    def __init__(self, builder: _Signal):
        super().__init__()
        self.builder = builder

    def __missing__(self, key: str) -> str:
        value = self.builder.slot(key)
        self[key] = value
        return value


def _clean_person(p: dict) -> dict:
    return {k: v for k, v in p.items() if not k.startswith("_")}


# --------------------------------------------------------------------------- online ads


def _ad_signal(rng: random.Random, P: _Pools, desk: _Desk, when: datetime) -> dict:
    labour = rng.random() < 0.08
    city = rng.choice(desk.cities) if desk.cities else rng.choices(P.city_names, weights=P.city_weights)[0]
    c = P.cities[city]
    if labour:
        origin = _wchoice(rng, {"PL": 40, "RO": 30, "BG": 15, "UA": 10, "CO": 5})
        lang = {"PL": "pl", "RO": "ro", "BG": "bg", "CO": "es"}.get(origin, "en")
        if rng.random() < 0.2:
            lang = "nl"
        phone = P.phone(rng, origin if lang != "nl" and rng.random() < 0.7 else "NL")
        text = rng.choice(_NARR["ads"]["labour"][lang]).format(city=city, wage=rng.choice(_LEX["job_wages"]), phone=phone)
        url = f"https://{rng.choice(_LEX['job_sites'])}/oferta/{rng.randrange(10000, 99999)}"
        forms, persons, indicators = ["labour"], [], ["werving zonder taaleis", "huisvesting via werkgever"]
    else:
        origin = _wchoice(rng, {k: v for k, v in _ORIGINS["sexual"].items() if k not in ("CN",)})
        r = rng.random()
        own = {"CO": "es", "VE": "es", "BR": "pt", "RO": "ro"}.get(origin)
        if own and r < (0.35 if origin == "RO" else 0.5):
            lang = own
        else:
            lang = "nl" if rng.random() < 0.45 else "en"
        alias = rng.choice(_LEX["victim_aliases"])
        age = rng.choice((18, 19, 19, 20, 21, 21, 22, 23, 24, 25, 26, 28, 30))
        if rng.random() < 0.3:
            phone_digits = rng.choice(P.ad_phones)
            phone = _fmt_nl_mobile(rng, phone_digits)
        else:
            phone = P.phone(rng, "NL" if rng.random() < 0.85 else origin)
        adjs = _LEX["ad_adjective"].get(lang, {}).get(origin) or _LEX["ad_adjective"]["en"].get(origin, ["sexy", "sexy"])
        nat_ad = adjs[0] if rng.random() < 0.6 else adjs[1]
        area = rng.choice(c.ad_areas) if c.ad_areas else city
        text = rng.choice(_NARR["ads"]["sexual"][lang]).format(alias=alias, age=age, nat_ad=nat_ad, city=city, area=area,
                                                               phone=phone, price=rng.choice((60, 70, 80, 100, 120, 150)))
        slug = _ascii(city).lower().replace(" ", "-").replace("'", "")
        url = f"https://www.{rng.choice(_LEX['ad_sites'])}/{slug}/advertentie/{rng.randrange(100000, 999999)}"
        person = {"role": "possible_victim", "aliases": [alias], "estimated_age": age}
        if nat_ad == adjs[0] and rng.random() < 0.7:
            person["nationality"] = nat_ad
        if rng.random() < 0.6:
            person["gender"] = rng.choice(("V", "F", "female"))
        persons = [person]
        forms = ["sexual"]
        pool = ["nieuw in stad", "24/7 beschikbaar", "lage prijs", "zonder condoom", "meerdere steden",
                "zelfde nummer in meerdere advertenties", "buitenlands nummer", "jong ogend", "Engelstalige tekst"]
        indicators = rng.sample(pool, k=rng.randint(1, 3))
    sig: dict = {"source": "other", "channel": "online_ad", "ref": "", "organisation": desk.organisation,
                 "owner": desk.slug, "received_at": _iso(when)}
    if rng.random() < 0.3:
        sig["observed_at"] = (when - timedelta(days=rng.randint(0, 6))).date().isoformat()
    sig["language"] = lang
    sig["narrative"] = text
    if rng.random() < 0.6:
        sig["suspected_forms"] = forms
    if persons:
        sig["persons"] = persons
    if rng.random() < 0.75:
        sig["addresses"] = [{"role": "advertised location", "city": city}]
    sig["phones"] = [phone]
    sig["online"] = [url]
    if rng.random() < 0.5:
        sig["indicators"] = indicators
    return sig


# --------------------------------------------------------------------------- time and refs


_OFFICE_HOURS = (8, 9, 9, 10, 10, 11, 11, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17)
_TIP_HOURS = (7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 20, 21, 21, 22, 22, 23, 0)


def _received(rng: random.Random, channel: str) -> datetime:
    day = WINDOW_START + timedelta(days=int(rng.random() ** 0.85 * _WINDOW_DAYS))
    if channel in ("inspection", "ind_observation", "partner_referral", "police_report"):
        if day.weekday() >= 5 and (channel != "police_report" or rng.random() < 0.6):
            day -= timedelta(days=day.weekday() - 4)
        if day < WINDOW_START:
            day += timedelta(days=3)
        return day.replace(hour=rng.choice(_OFFICE_HOURS), minute=rng.randrange(60))
    hour = rng.randrange(24) if channel in EXTRA_CHANNELS else rng.choice(_TIP_HOURS)
    return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60) if channel in EXTRA_CHANNELS else 0)


def _ref(desk: _Desk, year: int, n: int) -> str:
    return desk.ref.format(y=year, yy=year % 100, n=n)


def _pick_desk(rng: random.Random, channel: str) -> _Desk:
    opts = _CHANNEL_DESKS[channel]
    return _DESKS[rng.choices([k for k, _ in opts], weights=[w for _, w in opts])[0]]


def _background(rng: random.Random, P: _Pools, channel: str) -> tuple[dict, _Desk, datetime]:
    desk = _pick_desk(rng, channel)
    when = _received(rng, channel)
    if channel == "online_ad":
        return _ad_signal(rng, P, desk, when), desk, when
    sig = _Signal(rng, P, channel, desk, when).build()
    if "persons" in sig:
        sig["persons"] = [_clean_person(p) for p in sig["persons"]]
    return sig, desk, when


_CH_KEYS = list(_CHANNEL_WEIGHTS)
_CH_WEIGHTS = [_CHANNEL_WEIGHTS[k] for k in _CH_KEYS]

# --------------------------------------------------------------------------- public API


@dataclass
class World:
    organisations: list[dict]
    signals: list[dict]
    networks: dict[str, list[str]]
    # refs of the scripted signals per company story ('glansmakers', 'sunflower-enschede', 'sunflower-breda')
    companies: dict[str, list[str]] = _field(default_factory=dict)


_FIELD_ORDER = ("language", "narrative", "suspected_forms", "urgent", "persons", "addresses", "phones", "vehicles",
                "organisations", "bank_accounts", "online", "indicators")


def _scripted(rng: random.Random, spec: dict) -> tuple[dict, _Desk, datetime]:
    desk = _DESKS[spec["desk"]]
    ch = spec["channel"]
    d = datetime.strptime(spec["date"], "%Y-%m-%d")
    if "time" in spec:
        hh, mm = spec["time"].split(":")
        when = d.replace(hour=int(hh), minute=int(mm))
    else:
        when = _received(rng, ch)
        when = d.replace(hour=when.hour, minute=when.minute, second=when.second)
    sig: dict = {"source": "other" if ch in EXTRA_CHANNELS else ch}
    if ch in EXTRA_CHANNELS:
        sig["channel"] = ch
    sig.update({"ref": "", "organisation": desk.organisation, "owner": desk.slug, "received_at": _iso(when)})
    if spec.get("observed_at"):
        sig["observed_at"] = spec["observed_at"]
    for k in _FIELD_ORDER:
        if k in spec:
            sig[k] = json.loads(json.dumps(spec[k]))
    return sig, desk, when


def generate_world(seed: int = 2026, n_signals: int = 2200) -> World:
    """The demo world: background signals, the three hidden networks and their near misses, and the company
    stories for organisation resolution.

    Same seed, same output (byte for byte after json.dumps). n_signals is the total number of
    signals; the 97 scripted ones (71 network signals, 20 near misses, 6 company stories) are always
    included."""
    rng = random.Random(seed)
    P = _pools(seed)
    items: list[tuple[datetime, int, dict, _Desk, datetime, str | None]] = []
    for name, specs in _SCRIPTS["networks"].items():
        for spec in specs:
            sig, desk, when = _scripted(rng, spec)
            items.append((_utc(when), len(items), sig, desk, when, name))
    for spec in _SCRIPTS["near_misses"]:
        sig, desk, when = _scripted(rng, spec)
        items.append((_utc(when), len(items), sig, desk, when, None))
    for name, specs in _SCRIPTS["organisations"].items():
        for spec in specs:
            sig, desk, when = _scripted(rng, spec)
            items.append((_utc(when), len(items), sig, desk, when, f"company:{name}"))
    n_background = max(0, n_signals - len(items))
    for i in range(n_background):
        channel = _CH_KEYS[i] if i < len(_CH_KEYS) else rng.choices(_CH_KEYS, weights=_CH_WEIGHTS)[0]
        sig, desk, when = _background(rng, P, channel)
        items.append((_utc(when), len(items), sig, desk, when, None))
    items.sort(key=lambda t: (t[0], t[1]))
    last: dict[tuple[str, int | None], int] = {}
    networks: dict[str, list[str]] = {name: [] for name in _SCRIPTS["networks"]}
    companies: dict[str, list[str]] = {name: [] for name in _SCRIPTS["organisations"]}
    signals = []
    for _, _, sig, desk, local, network in items:
        year = local.year
        if desk.yearly:
            elapsed = (local - datetime(year, 1, 1)).total_seconds() / 86400
            key: tuple[str, int | None] = (desk.ref, year)
        else:
            elapsed = (local - datetime(2025, 1, 1)).total_seconds() / 86400
            key = (desk.ref, None)
        estimate = desk.base + int(elapsed * desk.rate) + rng.randrange(max(1, int(desk.rate)))
        n = max(last.get(key, 0) + 1, estimate)
        last[key] = n
        sig["ref"] = _ref(desk, year, n)
        signals.append(sig)
        if network and network.startswith("company:"):
            companies[network[8:]].append(sig["ref"])
        elif network:
            networks[network].append(sig["ref"])
    return World(organisations=[dict(o) for o in ORGANISATIONS], signals=signals, networks=networks,
                 companies=companies)


def generate_signals(n: int, seed: int = 1, start_ref: int = 0) -> Iterator[dict]:
    """A fast stream of n realistic background signals (no hidden networks), for benchmarks.

    Refs are numbered start_ref + 1 ... start_ref + n (plus a per-sender base), so streams with
    non-overlapping ranges never repeat an (organisation, ref) pair."""
    rng = random.Random(seed)
    P = _pools(seed)
    for i in range(n):
        channel = rng.choices(_CH_KEYS, weights=_CH_WEIGHTS)[0]
        sig, desk, when = _background(rng, P, channel)
        sig["ref"] = _ref(desk, when.year, desk.base + start_ref + i + 1)
        yield sig
