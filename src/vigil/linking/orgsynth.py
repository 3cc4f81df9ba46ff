"""Synthetic organisation records with ground truth, for tests and benchmarks of `organisations.resolve`.

    from vigil.linking.orgsynth import generate
    records, truth = generate(10_000, seed=1)   # truth: record id -> business number

Dutch-looking businesses of the sectors in labour-exploitation signals (uitzendbureaus, schoonmaak, horeca,
nagelstudio's, carwashes, massagesalons, land- en tuinbouw, logistiek), each mentioned in one to forty signals and
written differently each time: with or without legal form ("EuroJobs B.V.", "EUROJOBS BV", "EuroJobs"), in
capitals or not, with or without spaces ("Euro Jobs" / "EuroJobs"), with a typo, with a trade word added or
dropped ("Uitzendbureau EuroJobs", "EuroJobs Uitzendgroep"), abbreviated ("Schoonmaakbedr. Jansen"). Most
mentions carry no KvK number; some carry the business's phone, e-mail address, IBAN, website, address or postcode.
Fields are written as people write them (phones with and without country code, URLs with and without www).

The hard cases are there on purpose:

* common names: "Restaurant Lotus", "Nagelstudio Lisa", "Thai Massage Siam" in many cities, one business each,
  so the same name in another city with nothing else shared is another business;
* similar names of different businesses: "Pro Werk" and "Pro Jobs", "Jansen Transport" and "Janssen Transport";
* letterbox addresses: a few addresses where many different businesses are registered.

No two businesses share a name in one city (a signal could not tell them apart either).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from vigil import normalise

CITIES = [  # (city, weight): the large cities and the towns of the sectors (greenhouses, distribution, ports)
    ("Amsterdam", 40), ("Rotterdam", 35), ("Den Haag", 28), ("Utrecht", 20), ("Eindhoven", 13), ("Groningen", 12),
    ("Tilburg", 12), ("Almere", 11), ("Breda", 10), ("Nijmegen", 10), ("Arnhem", 9), ("Haarlem", 9),
    ("Enschede", 8), ("Apeldoorn", 8), ("Amersfoort", 8), ("Zaanstad", 8), ("Den Bosch", 8), ("Zwolle", 7),
    ("Leiden", 7), ("Maastricht", 7), ("Dordrecht", 6), ("Zoetermeer", 6), ("Venlo", 6), ("Westland", 7),
    ("Schiedam", 4), ("Roosendaal", 4), ("Helmond", 5), ("Emmen", 5), ("Lelystad", 4), ("Oss", 4),
    ("Waalwijk", 4), ("Tiel", 3), ("Venray", 3), ("Horst aan de Maas", 3), ("Lansingerland", 4), ("Moerdijk", 3),
    ("Heerlen", 4), ("Deventer", 5), ("Alkmaar", 5), ("Vlaardingen", 4),
]  # fmt: skip
PREFIXES = ["Euro", "Flex", "Pro", "Top", "Inter", "Poly", "Multi", "Direct", "Star", "Prima", "Best", "Quick", "Smart",
            "Easy", "Solid", "Power", "Opti", "Max", "Mega", "Uni", "Trans", "Nord", "West", "Oost", "Zuid", "Holland",
            "Baltic", "Polo", "Vista", "Nova", "Alfa", "Delta", "Omega", "Capital", "Royal", "Green", "Blue", "Golden",
            "Active", "Rapid", "Connect", "Global", "Atlas", "Orion", "Titan", "Zenit", "Victoria", "Mazovia"]  # fmt: skip
SUFFIXES = ["Jobs", "Werk", "Work", "Staff", "Personeel", "Force", "Team", "Plus", "Select", "Match", "Link",
            "Support", "Partners", "Crew", "Flex", "Labour", "Jobcenter", "Workers", "People", "Hands"]  # fmt: skip
COMMON = {  # the names many businesses use, one per city
    "horeca": ["Restaurant Lotus", "Restaurant Bamboo", "De Gouden Draak", "Restaurant Sakura", "Grillroom Istanbul",
               "Pizzeria Napoli", "Pizzeria Roma", "Cafe Het Hoekje", "Eetcafe De Zwaan", "Hotel De Kroon",
               "Restaurant Saigon", "Wokrestaurant Azie", "Restaurant Taj Mahal", "Snackbar Het Pleintje",
               "Restaurant Hong Kong", "Grillroom Ankara", "Lunchroom De Markt", "Restaurant Shanghai"],
    "nagelstudio": ["Nagelstudio Lisa", "Lisa Nails", "Nagelstudio Kim", "Mai Nails", "Linh Nails", "Beauty Nails",
                    "Nagelstudio Anna", "Perfect Nails", "Nails by Thu", "Nagelstudio Lan"],
    "massagesalon": ["Thai Massage Siam", "Bangkok Massage", "Lotus Massage", "Orchid Massage", "Thai Massage Sawasdee",
                     "Jasmine Massage", "Massagesalon Oriental", "Thai Massage Chiang Mai"],
    "carwash": ["Carwash Centrum", "Handcarwash Sparkle", "Super Carwash", "Carwash Shine", "Blitz Carwash",
                "Handcarwash Cleanstar"],
}  # fmt: skip
SECTORS = [("uitzend", 30), ("schoonmaak", 12), ("horeca", 20), ("nagelstudio", 9), ("carwash", 7), ("massagesalon", 8),
           ("landbouw", 8), ("logistiek", 6)]  # fmt: skip
TRADE_WORDS = {  # added to or dropped from a name as signals write it
    "uitzend": ["Uitzendbureau", "Uitzendgroep", "Personeelsdiensten", "Detachering"],
    "schoonmaak": ["Schoonmaakbedrijf", "Schoonmaakdiensten", "Schoonmaak"],
    "logistiek": ["Transport", "Logistics", "Logistiek"],
    "landbouw": ["Kwekerij", "Tuinbouw"],
}
ABBREVIATIONS = {"Schoonmaakbedrijf": "Schoonmaakbedr.", "Uitzendbureau": "Uitzendbur.", "Personeelsdiensten":
                 "Personeelsdienst", "Restaurant": "Rest.", "Massagesalon": "Massage", "Handcarwash": "Hand Carwash"}  # fmt: skip
LEGAL = {"NL": ["B.V.", "BV", "B.V.", "bv", "B.V", "V.O.F.", "VOF"], "PL": ["Sp. z o.o.", "sp. z o.o.", "Sp.z o.o."],
         "RO": ["S.R.L.", "SRL"], "BG": ["EOOD", "OOD"], "HU": ["Kft.", "Kft"]}  # fmt: skip
BANKS = ["ABNA", "INGB", "RABO", "TRIO", "KNAB", "BUNQ", "SNSB", "ASNB"]
MAIL = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "live.nl", "wp.pl", "o2.pl", "yahoo.ro"]


SURNAME_LOCALES = ("nl_NL", "nl_NL", "nl_NL", "de_DE", "en_GB", "pl_PL", "uk_UA", "bg_BG", "ro_RO", "hu_HU", "tr_TR",
                   "pt_PT")  # the owners of the businesses in the sectors (Dutch names counted three times)  # fmt: skip


def _surnames() -> list[str]:
    """Surnames of Faker's person lists for those locales, transliterated (several thousand)."""
    import importlib

    from anyascii import anyascii

    out: list[str] = []
    for locale in SURNAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in ("last_names", "last_names_male", "last_names_female"):
            names = getattr(provider, attr, ())
            out.extend(anyascii(n) for n in (names.keys() if isinstance(names, dict) else names))
    return sorted({n for n in out if 4 <= len(n) <= 16 and n.replace(" ", "").replace("'", "").isalpha()})


def _given() -> list[str]:
    from faker.providers.person.nl_NL import Provider

    return sorted({s for s in Provider.first_names_female if s.isalpha() and 3 <= len(s) <= 8})


def typo(rng: random.Random, word: str, shortest: int = 5) -> str:
    """One slip of the keyboard (a letter dropped, two swapped, one wrong, one extra); words shorter than
    ``shortest`` are left alone. Also the person tests' generator uses it."""
    if len(word) < shortest:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice("dswi")
    if op == "d":
        return word[:i] + word[i + 1:]
    if op == "s":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "w":
        return word[:i] + rng.choice("aeioulnrst") + word[i + 1:]
    return word[:i] + rng.choice("aeioulnrst") + word[i:]


def _iban(rng: random.Random) -> str:
    from stdnum import iban

    bban = f"{rng.choice(BANKS)}{rng.randrange(10**9, 10**10)}"
    return f"NL{iban.calc_check_digits('NL00' + bban)}{bban}"


def name_key(name: str) -> str:
    return normalise.text_key(name).replace(" ", "")


def core_key(name: str) -> str:
    """The name without the sector's trade words ("Nagelstudio Lisa", "Lisa Nails" -> "lisa")."""
    words = normalise.text_key(name).split()
    return "".join(w for w in words if w not in _TRADE) or "".join(words)


_TRADE = {"restaurant", "pizzeria", "grillroom", "cafe", "eetcafe", "hotel", "lunchroom", "snackbar", "wokrestaurant",
          "nagelstudio", "nails", "nail", "by", "beauty", "massage", "massagesalon", "thai", "carwash", "handcarwash",
          "super", "schoonmaak", "schoonmaakbedrijf", "kwekerij", "loonbedrijf", "champignonkwekerij", "transport",
          "logistics", "catering", "personeelsdiensten", "uitzendbureau", "detachering"}  # fmt: skip


class _Business:
    def __init__(self, n: int, sector: str, name: str, city: str, country: str, compound: tuple[str, str] | None,
                 letterbox: str | None):
        self.n, self.sector, self.name, self.city, self.country = n, sector, name, city, country
        self.compound, self.letterbox = compound, letterbox


def generate(records: int, seed: int = 1) -> tuple[list[dict], dict[str, int]]:
    """`records` organisation mentions and the true business of each (record id -> business number)."""
    rng = random.Random(seed)
    surnames, given = _surnames(), _given()
    cities, weights = [c for c, _ in CITIES], [w for _, w in CITIES]
    letterboxes = [(f"st:{rng.choice(surnames).lower()}straat:{rng.randrange(1, 200)}:{normalise.city(c).value}", c)
                   for c in rng.sample(cities, 6)]
    used: set[tuple[str, ...]] = set()  # (name, city) and (core name, sector, city) of the businesses so far
    taken: set[str] = set()  # domains and mailboxes: one business each

    def name_for(sector: str) -> tuple[str, tuple[str, str] | None]:
        sn = rng.choice(surnames)
        if sector in COMMON and rng.random() < 0.7:
            return rng.choice(COMMON[sector]), None
        if sector == "uitzend":
            p, s = rng.choice(PREFIXES), rng.choice(SUFFIXES)
            if rng.random() < 0.7:  # "EuroStar Jobs": two prefixes, so that thousands of agencies have their own name
                p = p + rng.choice(PREFIXES).lower() if rng.random() < 0.5 else p + rng.choice(PREFIXES)
            r = rng.random()
            if r < 0.6:
                return f"{p}{s}", (p, s)
            if r < 0.8:
                return f"{p} {s} {rng.choice(cities).split()[0]}", None
            return f"{sn} {rng.choice(['Personeelsdiensten', 'Uitzendbureau', 'Detachering'])}", None
        makers: dict[str, Callable[[], str]] = {
            "schoonmaak": lambda: rng.choice([f"Schoonmaakbedrijf {sn}", f"{sn} Schoonmaak",
                                              f"{rng.choice(PREFIXES)} Clean {sn}", f"Glans {sn}"]),
            "horeca": lambda: rng.choice([f"Restaurant {sn}", f"Eetcafe {sn}", f"Cafe {sn}", f"{sn} Catering"]),
            "nagelstudio": lambda: rng.choice([f"Nagelstudio {rng.choice(given)}", f"{rng.choice(given)} Nails"]),
            "carwash": lambda: f"Carwash {sn}",
            "massagesalon": lambda: f"Massagesalon {rng.choice(given)}",
            "landbouw": lambda: rng.choice([f"Kwekerij {sn}", f"{sn} Tomaten", f"Loonbedrijf {sn}",
                                            f"Champignonkwekerij {sn}"]),
            "logistiek": lambda: rng.choice([f"{sn} Transport", f"Trans {sn} Logistics",
                                             f"{rng.choice(PREFIXES)} Logistics"]),
        }  # fmt: skip
        return makers[sector](), None

    out: list[dict] = []
    truth: dict[str, int] = {}
    n = 0
    while len(out) < records:
        sector = rng.choices([s for s, _ in SECTORS], weights=[w for _, w in SECTORS])[0]
        # agencies, cleaners and hauliers are sometimes registered at a letterbox address shared with others
        letterbox = rng.choice(letterboxes) if sector in ("uitzend", "schoonmaak", "logistiek") and \
            rng.random() < 0.05 else None  # fmt: skip
        for _attempt in range(20):
            name, compound = name_for(sector)
            city = letterbox[1] if letterbox else rng.choices(cities, weights=weights)[0]
            if not {(name_key(name), city), (core_key(name), sector, city)} & used:
                break
        else:
            continue
        used.update({(name_key(name), city), (core_key(name), sector, city)})
        country = "NL" if sector != "uitzend" or rng.random() < 0.7 else rng.choice(["PL", "PL", "RO", "BG", "HU"])
        b = _Business(n, sector, name, city, country, compound, letterbox[0] if letterbox else None)
        n += 1
        _mentions(rng, b, out, truth, records, surnames, cities, weights, letterboxes, taken)
    return out, truth


def _mentions(rng, b, out, truth, records, surnames, cities, weights, letterboxes, taken) -> None:
    """Write business `b` as the signals mentioning it write it."""
    city_key = normalise.city(b.city).value
    legal = rng.choice(LEGAL[b.country]) if b.sector in ("uitzend", "schoonmaak", "landbouw", "logistiek") or \
        rng.random() < 0.3 else ""  # fmt: skip
    kvk = f"{rng.randrange(10**7, 10**8)}" if b.country == "NL" and rng.random() < 0.9 else None
    slug = normalise.text_key(b.name).replace(" ", "")
    phones = [f"+316{rng.randrange(10**7, 10**8)}" if rng.random() < 0.6 else f"+3110{rng.randrange(10**6, 10**7)}"
              for _ in range(rng.choice([1, 1, 1, 2]))]  # fmt: skip
    domain = None
    if rng.random() < 0.5:  # a domain no other business has (the name, else the name and the city)
        for candidate in (slug, f"{slug}-{city_key.replace(' ', '')}", f"{slug}{rng.randrange(10, 99)}"):
            domain = f"{candidate}.{rng.choice(['nl', 'nl', 'com', 'eu'])}"
            if domain not in taken:
                break
        taken.add(domain)
    mailbox = f"{slug[:12]}{rng.randrange(1000)}@{rng.choice(MAIL)}"
    while mailbox in taken:
        mailbox = f"{slug[:12]}{rng.randrange(10000)}@{rng.choice(MAIL)}"
    taken.add(mailbox)
    emails = [f"info@{domain}" if domain else mailbox]
    if rng.random() < 0.3:
        emails.append(f"{rng.choice(['planning', 'admin', 'jobs', 'boekhouding'])}@{domain}" if domain else mailbox)
    ibans = [_iban(rng) for _ in range(rng.choice([1, 1, 2]))]
    address = b.letterbox or f"st:{rng.choice(surnames).lower()}{rng.choice(['straat', 'weg', 'laan', 'kade'])}:" \
        f"{rng.randrange(1, 300)}{rng.choice(['', '', '', 'a', 'b'])}:{city_key}"  # fmt: skip
    home_city = b.city
    postcode = f"{rng.randrange(1000, 10000)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
    r = rng.random()  # mentions: most businesses once or twice, a few big agencies in dozens of signals
    count = 1 if r < 0.3 else 2 if r < 0.55 else 3 if r < 0.7 else rng.randint(4, 6) if r < 0.85 else \
        rng.randint(7, 15) if r < 0.96 else rng.randint(16, 40)  # fmt: skip
    trade = TRADE_WORDS.get(b.sector, [])
    # agencies, cleaners, growers and hauliers work at sites elsewhere; a restaurant or salon is where it is
    elsewhere = 0.12 if b.sector in ("uitzend", "schoonmaak", "landbouw", "logistiek") else 0.02
    for k in range(count):
        if len(out) >= records:
            return
        name = b.name
        if b.compound and rng.random() < 0.3:  # "Euro Jobs" for "EuroJobs"
            name = f"{b.compound[0]} {b.compound[1]}"
        if trade and rng.random() < 0.2:
            word = rng.choice(trade)
            if word.lower() in name.lower():
                name = " ".join(w for w in name.split() if w.lower() != word.lower()) or name  # dropped
            else:
                name = f"{word} {name}" if rng.random() < 0.6 else f"{name} {word}"  # added
        if rng.random() < 0.08:
            words = name.split()
            i = max(range(len(words)), key=lambda j: len(words[j]))
            words[i] = typo(rng, words[i])
            name = " ".join(words)
        for long, short in ABBREVIATIONS.items():
            if long in name and rng.random() < 0.25:
                name = name.replace(long, short)
        if legal and rng.random() < 0.5:
            name = f"{name} {legal}"
        style = rng.random()
        if style < 0.12:
            name = name.upper()
        elif style < 0.18:
            name = name.lower()
        rec: dict = {"id": f"o{b.n}m{k}", "name": name}
        place = rng.random()
        if place < 0.8 - elsewhere:
            rec["city"] = home_city if rng.random() > 0.05 else home_city.upper()
        elif place < 0.8:
            rec["city"] = rng.choices(cities, weights=weights)[0]  # a work site elsewhere (or a recording error)
        if rng.random() < 0.2:
            rec["address"] = address
        if rng.random() < 0.15 and place < 0.8 - elsewhere:
            rec["postcode"] = postcode
        if kvk and rng.random() < 0.15:
            rec["registration"] = rng.choice([kvk, f"KvK {kvk[:4]} {kvk[4:]}", f"{kvk[:2]}.{kvk[2:4]}.{kvk[4:6]}.{kvk[6:]}"])
        if rng.random() < 0.3:
            rec["country"] = b.country
        if rng.random() < 0.35:
            p = rng.choice(phones)
            rec["phones"] = [p if rng.random() < 0.5 else "0" + p[3:]]
        if rng.random() < 0.2:
            rec["emails"] = [rng.choice(emails)]
        if domain and rng.random() < 0.15:
            rec["websites"] = [rng.choice([domain, f"www.{domain}", f"https://www.{domain}/contact"])]
        if rng.random() < 0.1:
            rec["ibans"] = [rng.choice(ibans)]
        out.append(rec)
        truth[rec["id"]] = b.n
