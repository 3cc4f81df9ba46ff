"""Benchmark of vigil.ads.extract.extract (in memory, one core).

    .venv/bin/python benchmarks/bench_extract.py [--n 4000] [--seed 1]
    .venv/bin/python benchmarks/bench_extract.py --synth 20000 [--seed 3]

Default: ads/s, best of 5 runs, on a small generator independent of the corpus generator
(300-800 character ads in several languages with obfuscated phone numbers, prices, ages,
places, handles and e-mails); every ad is unique and the extractor's caches are cleared
before each run, so this is the cold-cache speed.

``--synth N``: N ads of the ground-truth corpus (``vigil.ads.synth``), one pass in corpus
order with fresh caches (re-captured ads repeat their text, as in a real crawl), and the
phone scores against the truth: recall = tp / (tp + fn), spurious numbers per ad = fp / ads.
"""

from __future__ import annotations

import argparse
import random
import time

from vigil.ads import extract as _x
from vigil.ads.extract import extract


def clear_caches() -> None:
    """Empty the extractor's per-text caches (phone validation caches stay: they are per number)."""
    for fn in (_x._scan_field, _x._scan_contact_phone, _x._scan_location, _x._detect_language, _x._prep_cached):
        fn.cache_clear()

CITIES = ["Amsterdam Zuidoost", "Rotterdam Centrum", "Den Haag", "Den Bosch", "Utrecht", "Eindhoven",
          "Almere Haven", "Groningen", "Breda", "Tilburg", "Zaandam", "Hoofddorp", "Scheveningen", "Venlo"]
OPENERS = {
    "nl": ["Hoi lieve heren, ik ben {name}, {age} jaar, {nat} en nieuw in {city}.",
           "Nieuw! Sexy {nat} dame {name} ({age}) in {city}, discreet en zonder haast."],
    "en": ["Hi gentlemen, I am {name}, {age} yo, {nat} girl, new in {city}.",
           "New in town: {name}, {age} years old, sweet {nat} lady in {city}."],
    "es": ["Hola cariño, soy {name}, {nat}, tengo {age} años, nueva en {city}."],
    "pt": ["Olá amor, sou {name}, {nat}, {age} anos, nova em {city}."],
    "ro": ["Sunt {name}, {nat}, am {age} ani, nouă în {city}, foarte dulce și discretă."],
}
NATS = {"nl": ["roemeense", "latina", "poolse", "nederlandse"], "en": ["romanian", "latina", "thai", "asian"],
        "es": ["colombiana", "venezolana", "dominicana"], "pt": ["brasileira"], "ro": ["româncă", "moldoveancă"]}
FILLER = {
    "nl": "Ik ontvang je graag in mijn schone privé appartement. Bel of app me voor een afspraak, alleen serieuze heren.",
    "en": "I receive you in my clean private apartment. Call or text me for an appointment, serious gentlemen only.",
    "es": "Te recibo en mi apartamento privado y limpio. Llámame para una cita, solo caballeros serios.",
    "pt": "Recebo você no meu apartamento privado e limpo. Me liga para marcar, só homens sérios.",
    "ro": "Te primesc în apartamentul meu privat și curat. Sună-mă pentru o întâlnire, doar domni serioși.",
}
WORDS = {"0": "nul", "1": "een", "2": "twee", "3": "drie", "4": "vier", "5": "vijf", "6": "zes", "7": "zeven",
         "8": "acht", "9": "negen"}


def phone(r: random.Random) -> str:
    kind = r.random()
    sub = "".join(r.choice("0123456789") for _ in range(8))
    if kind < 0.4:
        sep = r.choice([" ", "-", ".", "", " - ", "/"])
        return f"06{sep}{sub[:2]}{sep}{sub[2:4]}{sep}{sub[4:6]}{sep}{sub[6:]}"
    if kind < 0.55:
        return f"+31 6 {sub[:4]} {sub[4:]}"
    if kind < 0.65:
        return f"O6-{sub}"
    if kind < 0.75:
        return "+40 7" + "".join(r.choice("2345") for _ in range(2)) + " " + sub[:3] + " " + sub[3:6]
    if kind < 0.85:
        return " ".join(WORDS[c] for c in "06" + sub)
    if kind < 0.92:
        return "0️⃣6️⃣" + sub
    return f"wa.me/316{sub}"


def ad(r: random.Random, i: int) -> dict:
    lang = r.choice(list(OPENERS))
    name = r.choice(["Lisa", "Ana", "Maria", "Bianca", "Sofia", "Nina", "Jade"])
    city = r.choice(CITIES)
    parts = [r.choice(OPENERS[lang]).format(name=name, age=r.randint(19, 39), nat=r.choice(NATS[lang]), city=city)]
    parts.append(FILLER[lang])
    parts.append(f"Tel: {phone(r)}.")
    parts.append(r.choice(["150€/30min, 250€/60min.", "30 min 100 euro, 1 uur 180.", "€ 200 p/u", "100 rosas",
                           "Prijs: 1h 180, half uur 120"]))
    parts.append(r.choice(["Open 10-22h.", "Ma t/m vr 10:00-23:00.", "1.70m, 55kg, 90-60-90.", ""]))
    if r.random() < 0.3:
        parts.append(f"Snap: {name.lower()}_{r.randint(1, 99)}")
    if r.random() < 0.2:
        parts.append(f"mail {name.lower()}{r.randint(1, 99)} [at] gmail [dot] com")
    parts.append(FILLER[lang])
    body = " ".join(p for p in parts if p)
    while len(body) < r.randint(300, 800):
        body += " " + FILLER[lang]
    return {"site": "bench.example", "id": str(i), "collected_at": "2025-01-01T00:00:00Z",
            "title": f"{name} nieuw in {city.split()[0]}", "body": body, "location": city,
            "contact": {"phone": phone(r) if r.random() < 0.5 else None}, "stated_age": str(r.randint(19, 39)),
            "images": [{"sha256": "0" * 64, "phash": f"{r.getrandbits(64):016x}"}]}


def synth_bench(n: int, seed: int) -> None:
    from vigil.ads.synth import generate

    pairs = list(generate(n, seed=seed))
    extract(pairs[0][0])  # load the language model outside the timing
    clear_caches()
    t0 = time.process_time()
    results = [extract(ad) for ad, _ in pairs]
    dt = time.process_time() - t0
    tp = fn = fp = 0
    for (_, truth), res in zip(pairs, results, strict=True):
        got = {p.value for p in res.phones}
        expected = set(truth["phones"])
        tp += len(got & expected)
        fn += len(expected - got)
        fp += len(got - expected)
    avg = sum(len(ad["body"] or "") for ad, _ in pairs) / len(pairs)
    print(f"synth seed {seed}: {n / dt:,.0f} ads/s CPU (one pass, {n} ads, mean body {avg:.0f} chars); "
          f"phones recall {tp / max(tp + fn, 1):.4f}, spurious {fp / n:.4f} per ad (tp {tp}, fn {fn}, fp {fp})")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--synth", type=int, default=0, help="measure on N ads of the vigil.ads.synth corpus instead")
    a = p.parse_args()
    if a.synth:
        synth_bench(a.synth, a.seed)
        return
    r = random.Random(a.seed)
    ads = [ad(r, i) for i in range(a.n)]
    extract(ads[0])  # load the language model outside the timing
    best = 0.0
    for _ in range(5):
        clear_caches()
        t0 = time.perf_counter()
        for x in ads:
            extract(x)
        best = max(best, a.n / (time.perf_counter() - t0))
    avg = sum(len(x["body"]) for x in ads) / len(ads)
    print(f"extract: {best:,.0f} ads/s (best of 5, cold caches, {a.n} ads, mean body {avg:.0f} chars, one core)")


if __name__ == "__main__":
    main()
