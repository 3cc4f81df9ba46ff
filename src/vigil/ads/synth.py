"""Synthetic online-ad corpus with ground truth (for measuring, not for Vigil itself).

Simulates a fictional Dutch sex-work ad market over a span of weeks: several invented
sites, exploiting networks (controllers' phones behind many women, shared templates,
women rotating between cities) and a majority of independent workers writing their
own ads. Every ad line (``ad.schema.json``) comes with a truth line. See
``docs/ads-corpus.md`` for the exact meaning of the truth fields.

CLI::

    python -m vigil.ads.synth --ads 100000 --seed 1 OUT.jsonl --truth TRUTH.jsonl

Python::

    for ad, truth in generate(1000, seed=1): ...

Deterministic for (n, seed, start, actors); streaming: memory is bounded by the
number of simultaneously active actors (capped), not by ``n``.

This module deliberately shares no code with the extraction / clustering code it is
meant to measure.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import phonenumbers

DATA = Path(__file__).resolve().parent.parent / "demo" / "data"
DAY = 86400.0

# --------------------------------------------------------------------------------------
# Static world data
# --------------------------------------------------------------------------------------

# Locality (places.json name) -> municipality (CBS name).
MUNICIPALITY = {
    "Den Haag": "'s-Gravenhage", "Naaldwijk": "Westland", "'s-Gravenzande": "Westland",
    "Monster": "Westland", "De Lier": "Westland", "Honselersdijk": "Westland",
    "Wateringen": "Westland", "Poeldijk": "Westland", "Hoofddorp": "Haarlemmermeer",
    "Schiphol": "Haarlemmermeer", "Zaandam": "Zaanstad", "Ter Apel": "Westerwolde",
    "Horst": "Horst aan de Maas", "Sittard": "Sittard-Geleen",
}
CITY_VARIANTS = {
    "Amsterdam": ["A'dam", "Adam", "amsterdam", "AMSTERDAM", "Amsterdm", "Amsterdam NL"],
    "Rotterdam": ["R'dam", "Rdam", "rotterdam", "ROTTERDAM", "Roterdam", "010 Rotterdam"],
    "Den Haag": ["Den-Haag", "DenHaag", "den haag", "The Hague", "'s-Gravenhage", "Haag"],
    "'s-Hertogenbosch": ["Den Bosch", "Den-Bosch", "s-Hertogenbosch", "den bosch", "'s Hertogenbosch"],
    "Utrecht": ["utrecht", "UTRECHT", "Utrecht stad"],
    "Eindhoven": ["eindhoven", "EINDHOVEN", "Eindhoven NB"],
    "Almere": ["Almere-Stad", "almere"],
    "Haarlem": ["haarlem", "Harlem"],
    "Groningen": ["groningen", "Groningen stad"],
}
FOREIGN_CITY = {
    "es": {"Den Haag": "La Haya", "Amsterdam": "Ámsterdam", "Rotterdam": "Róterdam"},
    "pt": {"Den Haag": "Haia", "Amsterdam": "Amesterdão", "Rotterdam": "Roterdão"},
    "ro": {"Den Haag": "Haga"},
    "pl": {"Den Haag": "Haga"},
    "hu": {"Den Haag": "Hága"},
    "bg": {"Amsterdam": "Амстердам", "Rotterdam": "Ротердам", "Den Haag": "Хага",
           "Utrecht": "Утрехт", "Eindhoven": "Айндховен"},
}

NAMES = {
    "NL": ["Lisa", "Sanne", "Fleur", "Anouk", "Eva", "Iris", "Romy", "Demi", "Kim", "Naomi", "Esmee",
           "Britt", "Mandy", "Chantal", "Linda", "Patricia", "Monique", "Sandra", "Ingrid", "Yvonne",
           "Marieke", "Nicole", "Jessica", "Mariska", "Joyce", "Kelly", "Priscilla", "Tamara"],
    "RO": ["Andreea", "Alexandra", "Ioana", "Elena", "Maria", "Bianca", "Roxana", "Denisa", "Larisa",
           "Alina", "Cristina", "Raluca", "Georgiana", "Florentina", "Madalina"],
    "HU": ["Anna", "Zsófia", "Réka", "Eszter", "Fanni", "Dóra", "Viktória", "Nikolett", "Kitti", "Petra"],
    "PL": ["Kasia", "Agnieszka", "Magda", "Ola", "Natalia", "Monika", "Ewa", "Paulina", "Karolina", "Marta"],
    "BR": ["Ana", "Juliana", "Camila", "Larissa", "Fernanda", "Bruna", "Gabriela", "Thaís", "Rafaela", "Letícia"],
    "CO": ["Valentina", "Daniela", "Camila", "Laura", "Natalia", "Paola", "Andrea", "Carolina", "Luisa"],
    "VE": ["Génesis", "Yuleisy", "Oriana", "Daniela", "Mariángel", "Yoselin", "Andreína", "Karla"],
    "DO": ["Yokasta", "Wendy", "Yanelis", "Rosanna", "Franchesca", "Massiel", "Yaritza"],
    "NG": ["Blessing", "Precious", "Joy", "Gift", "Favour", "Peace", "Mercy", "Esther"],
    "TH": ["Ploy", "Nok", "Fon", "Mint", "Ning", "Pim", "Aom", "Nan"],
    "ES": ["Lucía", "Paula", "Marta", "Sara", "Carmen", "Nerea", "Alba"],
}
NAT = {
    "es": {"RO": "rumana", "BG": "búlgara", "HU": "húngara", "PL": "polaca", "BR": "brasileña",
           "CO": "colombiana", "VE": "venezolana", "DO": "dominicana", "NG": "nigeriana",
           "TH": "tailandesa", "UA": "ucraniana", "ES": "española", "NL": "holandesa"},
    "pt": {"RO": "romena", "BG": "búlgara", "HU": "húngara", "PL": "polonesa", "BR": "brasileira",
           "CO": "colombiana", "VE": "venezuelana", "DO": "dominicana", "NG": "nigeriana",
           "TH": "tailandesa", "UA": "ucraniana", "ES": "espanhola", "NL": "holandesa"},
    "ro": {"RO": "româncă", "BG": "bulgăroaică", "HU": "unguroaică", "PL": "poloneză", "BR": "braziliancă",
           "CO": "columbiancă", "VE": "venezueleană", "DO": "dominicană", "NG": "nigeriană",
           "TH": "thailandeză", "UA": "ucraineancă", "ES": "spaniolă", "NL": "olandeză"},
    "bg": {"RO": "румънка", "BG": "българка", "HU": "унгарка", "PL": "полякиня", "BR": "бразилка",
           "CO": "колумбийка", "VE": "венецуелка", "DO": "доминиканка", "NG": "нигерийка",
           "TH": "тайландка", "UA": "украинка", "ES": "испанка", "NL": "холандка"},
    "pl": {"RO": "Rumunka", "BG": "Bułgarka", "HU": "Węgierka", "PL": "Polka", "BR": "Brazylijka",
           "CO": "Kolumbijka", "VE": "Wenezuelka", "DO": "Dominikanka", "NG": "Nigeryjka",
           "TH": "Tajka", "UA": "Ukrainka", "ES": "Hiszpanka", "NL": "Holenderka"},
    "hu": {"RO": "román", "BG": "bolgár", "HU": "magyar", "PL": "lengyel", "BR": "brazil",
           "CO": "kolumbiai", "VE": "venezuelai", "DO": "dominikai", "NG": "nigériai",
           "TH": "thai", "UA": "ukrán", "ES": "spanyol", "NL": "holland"},
}
EXTRA_NAT = {"nl": {"DO": "Dominicaanse", "ES": "Spaanse"}, "en": {"DO": "Dominican", "ES": "Spanish"}}
EXTRA_COUNTRY = {"nl": {"DO": "de Dominicaanse Republiek", "ES": "Spanje"},
                 "en": {"DO": "the Dominican Republic", "ES": "Spain"}}

# Phone numbering: country -> (calling code, [national significant number prefixes], nsn length)
MOBILE = {
    "NL": (31, ["61", "62", "63", "64", "65"], 9),
    "RO": (40, ["72", "73", "74", "75", "76", "77", "78"], 9),
    "BG": (359, ["87", "88", "89"], 9),
    "HU": (36, ["20", "30", "70"], 9),
    "PL": (48, ["50", "51", "53", "57", "60", "66", "69", "72", "78", "79", "88"], 9),
    "BR": (55, ["119", "219", "319", "419", "519", "619", "719", "819", "859"], 11),
    "CO": (57, ["300", "301", "304", "310", "311", "312", "313", "314", "315", "316", "317", "318", "320", "321", "350"], 10),
    "VE": (58, ["412", "414", "424", "416", "426"], 10),
    "DO": (1, ["809", "829", "849"], 10),
    "NG": (234, ["803", "806", "813", "816", "703", "706", "805", "807", "815", "905", "810", "814", "903"], 10),
    "TH": (66, ["81", "82", "83", "84", "85", "86", "87", "88", "89", "61", "62", "63", "91", "92", "93"], 9),
    "UA": (380, ["50", "66", "67", "68", "96", "97", "98", "63", "73", "93", "95", "99"], 9),
    "ES": (34, ["6"], 9),
}

DIGIT_WORDS = {
    "nl": "nul een twee drie vier vijf zes zeven acht negen".split(),
    "en": "zero one two three four five six seven eight nine".split(),
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve".split(),
    "pt": "zero um dois três quatro cinco seis sete oito nove".split(),
    "ro": "zero unu doi trei patru cinci șase șapte opt nouă".split(),
}
AREA = {"BR": 2, "CO": 3, "VE": 3, "DO": 3, "NG": 3, "HU": 2, "RO": 3, "ES": 3, "PL": 3}
KEYCAP = [f"{d}\ufe0f\u20e3" for d in range(10)]

# A foreign number written in its national format is ambiguous without a cue: 0761 155 302 is
# a Romanian mobile and a Breda landline, 062 354 2575 a Thai mobile and a Dutch 06 number.
# Real posters (and readers) disambiguate with the country code elsewhere in the ad, a flag
# or a country tag, so every foreign national-format number in the corpus carries one.
INTL_KINDS = frozenset(("intl_plus", "intl_compact", "intl_00", "intl_trunk"))
FLAG = {c: chr(0x1F1E6 + ord(c[0]) - 65) + chr(0x1F1E6 + ord(c[1]) - 65)
        for c in ("RO", "BG", "HU", "PL", "BR", "CO", "VE", "DO", "NG", "TH", "UA", "ES")}
NUMBER_TAG = {  # language -> (format, country -> adjective): "(Roemeens nummer)", "número venezolano"
    "nl": ("({} nummer)", {"RO": "Roemeens", "BG": "Bulgaars", "HU": "Hongaars", "PL": "Pools", "BR": "Braziliaans",
                          "CO": "Colombiaans", "VE": "Venezolaans", "DO": "Dominicaans", "NG": "Nigeriaans",
                          "TH": "Thais", "UA": "Oekraïens", "ES": "Spaans"}),
    "en": ("({} number)", {"RO": "Romanian", "BG": "Bulgarian", "HU": "Hungarian", "PL": "Polish", "BR": "Brazilian",
                          "CO": "Colombian", "VE": "Venezuelan", "DO": "Dominican", "NG": "Nigerian", "TH": "Thai",
                          "UA": "Ukrainian", "ES": "Spanish"}),
    "es": ("(número {})", {"RO": "rumano", "BG": "búlgaro", "HU": "húngaro", "PL": "polaco", "BR": "brasileño",
                          "CO": "colombiano", "VE": "venezolano", "DO": "dominicano", "NG": "nigeriano",
                          "TH": "tailandés", "UA": "ucraniano", "ES": "español"}),
    "pt": ("(número {})", {"RO": "romeno", "BG": "búlgaro", "HU": "húngaro", "PL": "polonês", "BR": "brasileiro",
                          "CO": "colombiano", "VE": "venezuelano", "DO": "dominicano", "NG": "nigeriano",
                          "TH": "tailandês", "UA": "ucraniano", "ES": "espanhol"}),
    "ro": ("(număr {})", {"RO": "românesc", "BG": "bulgăresc", "HU": "unguresc", "PL": "polonez", "BR": "brazilian",
                         "CO": "columbian", "VE": "venezuelean", "DO": "dominican", "NG": "nigerian", "TH": "thailandez",
                         "UA": "ucrainean", "ES": "spaniol"}),
}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

EMOJI = ["🔥", "💋", "😘", "❤️", "💦", "😈", "🌹", "✨", "💕", "👄", "🍒", "😍", "💎", "⭐", "🥰", "🍓", "👠", "💯"]
EMOJI_SET = frozenset(EMOJI)

# --------------------------------------------------------------------------------------
# Text: networks (third person, templates with slots)
# --------------------------------------------------------------------------------------
# Slots: {name} {age} {nat} {country} {city} {district} {phone} {price} {services} {hours}
# adjectives {a1} {a2} {a3} are fixed when the template is made (they are part of its text).

NET = {
    "nl": {
        "title": ["NIEUW in {city}!! {name} {age}", "{name} ({age}) - nieuw in {city}", "Jonge {nat} {name} in {city}",
                  "{name} {age}jr {e} {city}", "Super sexy {name}, net nieuw in {city}!", "{city}: {name}, {age} jaar, alleen deze week",
                  "{e}{e} {name} {age} NIEUW {e}{e}", "Echt nieuw: {name} in {city}"],
        "open": ["Nieuw in {city}!", "Net aangekomen in {city}!", "Eerste week in {city}!!", "Alleen deze week in {city}!",
                 "Voor het eerst in {city}", "Vers in de stad: {city}!", "NIEUW NIEUW NIEUW in {city}", "Deze week te gast in {city}."],
        "intro": ["{name} is {age} jaar en komt uit {country}.", "Dit is {name}, een {nat} meisje van {age}.",
                  "Maak kennis met {name} ({age}), {nat} schoonheid.", "{name}, {age} jaar oud, {nat}.",
                  "Zij heet {name} en is pas {age}.", "Onze nieuwe {nat} dame {name} is {age} jaar."],
        "desc": ["Ze is {a1}, {a2} en {a3}.", "Een {a1} en {a2} meid, heel {a3}.", "{a1}, {a2} en altijd {a3}!",
                 "Zeer {a1} en {a2} meisje, ook {a3}.", "Heel {a1}, {a2} lichaam, {a3} karakter."],
        "adj": ["jong", "lief", "slank", "sexy", "verleidelijk", "ondeugend", "mooi", "strak", "klein", "schattig",
                "speels", "heet", "naturel", "onervaren", "verlegen", "heerlijk", "zacht", "beeldschoon", "tenger", "vrolijk"],
        "serv": ["Ze doet {services}.", "Service: {services}.", "Zij biedt {services} en meer.", "Mogelijk: {services}.",
                 "Alles kan: {services}."],
        "price": ["Prijzen: {price}.", "{price}", "Tarief {price}.", "Vanaf {price}."],
        "hours": ["24/7 beschikbaar.", "Dag en nacht bereikbaar, ook in het weekend.", "Open {hours}.", "Elke dag {hours}.",
                  "Ook 's nachts, 24/7!"],
        "loc": ["Privé adres in {district}.", "Ontvangst in {district}, discreet appartement.",
                "Adres in {district} na telefonisch contact.", "Ook escort naar hotel in {city}.", "Rustige locatie in {district}."],
        "contact": ["Bel {phone}", "Bel of WhatsApp {phone}", "Afspraak: {phone}", "Info en afspraak via {phone}",
                    "📞 {phone}", "Tel/WA: {phone}"],
        "close": ["Kom snel, ze is er maar kort!", "Niet lang in {city}, wees er snel bij!", "Ze wacht op jou!",
                  "Je zult geen spijt krijgen.", "Heel jong en nieuw in dit werk.", "Volgende week weer weg!"],
        "extra": ["Pas 18 en nieuw in dit werk!", "Heel jong en onervaren.", "Spreekt een beetje Engels.",
                  "Geen Nederlands, alleen Engels.", "Jonge meisjes, elke week nieuw!"],
        "cta": ["Bel nu!", "Bel of app!", "Alleen bellen."],
    },
    "en": {
        "title": ["NEW in {city}!! {name} {age}", "{name} ({age}) - new in town", "Young {nat} {name} in {city}",
                  "{name} {age}yo {e} {city}", "Super sexy {name}, just arrived!", "{city}: {name}, {age} years, only this week",
                  "{e}{e} {name} {age} NEW {e}{e}", "Real new girl {name} in {city}"],
        "open": ["New in {city}!", "Just arrived in {city}!", "First week in {city}!!", "Only this week in {city}!",
                 "First time in {city}", "Fresh in town: {city}!", "NEW NEW NEW in {city}", "Visiting {city} this week."],
        "intro": ["{name} is {age} years old and comes from {country}.", "This is {name}, a {nat} girl of {age}.",
                  "Meet {name} ({age}), {nat} beauty.", "{name}, {age} years old, {nat}.",
                  "Her name is {name} and she is only {age}.", "Our new {nat} lady {name} is {age}."],
        "desc": ["She is {a1}, {a2} and {a3}.", "A {a1} and {a2} girl, very {a3}.", "{a1}, {a2} and always {a3}!",
                 "Very {a1} and {a2} girl, also {a3}.", "Very {a1}, {a2} body, {a3} character."],
        "adj": ["young", "sweet", "slim", "sexy", "seductive", "naughty", "beautiful", "tight", "petite", "cute",
                "playful", "hot", "natural", "inexperienced", "shy", "delicious", "soft", "gorgeous", "tiny", "cheerful"],
        "serv": ["She does {services}.", "Service: {services}.", "She offers {services} and more.", "Possible: {services}.",
                 "Everything possible: {services}."],
        "price": ["Prices: {price}.", "{price}", "Rate {price}.", "From {price}."],
        "hours": ["Available 24/7.", "Day and night, also weekends.", "Open {hours}.", "Every day {hours}.",
                  "Also at night, 24/7!"],
        "loc": ["Private address in {district}.", "Incall in {district}, discreet apartment.",
                "Address in {district} after phone call.", "Also outcall to hotel in {city}.", "Quiet location in {district}."],
        "contact": ["Call {phone}", "Call or WhatsApp {phone}", "Appointment: {phone}", "Info and booking via {phone}",
                    "📞 {phone}", "Tel/WA: {phone}"],
        "close": ["Come fast, she is here only for a short time!", "Not long in {city}, be quick!", "She is waiting for you!",
                  "You will not regret.", "Very young and new in this work.", "Next week gone!"],
        "extra": ["Just 18 and new in this job!", "Very young and inexperienced.", "Speaks little English.",
                  "No Dutch, only English.", "Young girls, every week new!"],
        "cta": ["Call now!", "Call or text!", "Calls only."],
    },
    "es": {
        "title": ["NUEVA en {city}!! {name} {age}", "{name} ({age}) recién llegada", "Jovencita {nat} {name} en {city}",
                  "{e} {name} {age} años {e}"],
        "open": ["¡Nueva en {city}!", "¡Recién llegada a {city}!", "Solo esta semana en {city}!", "Primera vez en {city}"],
        "intro": ["{name} tiene {age} años y es {nat}.", "Ella es {name}, una chica {nat} de {age}.",
                  "Conoce a {name} ({age}), belleza {nat}.", "{name}, {age} añitos, {nat}."],
        "desc": ["Es {a1}, {a2} y {a3}.", "Una chica {a1} y {a2}, muy {a3}.", "¡{a1}, {a2} y siempre {a3}!"],
        "adj": ["jovencita", "dulce", "delgada", "sexy", "cariñosa", "traviesa", "preciosa", "pequeña", "caliente",
                "natural", "tímida", "morena", "complaciente", "divertida", "ardiente"],
        "serv": ["Hace {services}.", "Servicios: {services}.", "Ofrece {services} y más."],
        "price": ["Precios: {price}.", "{price}", "Desde {price}."],
        "hours": ["Disponible 24/7.", "Día y noche.", "Horario {hours}."],
        "loc": ["Apartamento privado en {district}.", "Dirección en {district} por teléfono.", "Salidas a hotel en {city}."],
        "contact": ["Llama al {phone}", "Llamadas o WhatsApp {phone}", "Citas: {phone}", "📞 {phone}"],
        "close": ["¡Ven rápido, está poco tiempo!", "¡Te espera!", "No te arrepentirás."],
        "extra": ["Recién cumplidos 18!", "Muy jovencita y nueva.", "Habla poco inglés."],
        "cta": ["¡Llama ya!", "Solo llamadas."],
    },
    "pt": {
        "title": ["NOVIDADE em {city}!! {name} {age}", "{name} ({age}) acabou de chegar", "Novinha {nat} {name} em {city}",
                  "{e} {name} {age} aninhos {e}"],
        "open": ["Novidade em {city}!", "Acabou de chegar em {city}!", "Só esta semana em {city}!", "Primeira vez em {city}"],
        "intro": ["{name} tem {age} anos e é {nat}.", "Esta é {name}, uma menina {nat} de {age}.",
                  "Conheça {name} ({age}), beleza {nat}.", "{name}, {age} aninhos, {nat}."],
        "desc": ["Ela é {a1}, {a2} e {a3}.", "Uma menina {a1} e {a2}, muito {a3}.", "{a1}, {a2} e sempre {a3}!"],
        "adj": ["novinha", "doce", "magrinha", "sexy", "carinhosa", "safada", "linda", "pequena", "quente",
                "natural", "tímida", "morena", "gostosa", "divertida", "fogosa"],
        "serv": ["Faz {services}.", "Serviços: {services}.", "Oferece {services} e mais."],
        "price": ["Preços: {price}.", "{price}", "A partir de {price}."],
        "hours": ["Disponível 24/7.", "Dia e noite.", "Horário {hours}."],
        "loc": ["Apartamento privado em {district}.", "Endereço em {district} por telefone.", "Atende em hotel em {city}."],
        "contact": ["Liga {phone}", "Ligação ou WhatsApp {phone}", "Marcar: {phone}", "📞 {phone}"],
        "close": ["Vem rápido, ela fica pouco tempo!", "Ela te espera!", "Você não vai se arrepender."],
        "extra": ["Acabou de fazer 18!", "Muito novinha e nova no trabalho.", "Fala pouco inglês."],
        "cta": ["Liga já!", "Só ligações."],
    },
    "ro": {
        "title": ["NOUĂ în {city}!! {name} {age}", "{name} ({age}) abia sosită", "Tânără {nat} {name} în {city}",
                  "{e} {name} {age} ani {e}"],
        "open": ["Nouă în {city}!", "Abia sosită în {city}!", "Doar săptămâna asta în {city}!", "Prima dată în {city}"],
        "intro": ["{name} are {age} ani și este {nat}.", "Ea este {name}, o fată {nat} de {age} ani.",
                  "Cunoaște-o pe {name} ({age}).", "{name}, {age} ani, {nat}."],
        "desc": ["Este {a1}, {a2} și {a3}.", "O fată {a1} și {a2}, foarte {a3}.", "{a1}, {a2} și mereu {a3}!"],
        "adj": ["tânără", "dulce", "slabă", "sexy", "senzuală", "obraznică", "frumoasă", "mică", "fierbinte",
                "naturală", "timidă", "drăguță", "jucăușă", "pasională"],
        "serv": ["Face {services}.", "Servicii: {services}.", "Oferă {services} și altele."],
        "price": ["Prețuri: {price}.", "{price}", "De la {price}."],
        "hours": ["Disponibilă non-stop 24/7.", "Zi și noapte.", "Program {hours}."],
        "loc": ["Apartament privat în {district}.", "Adresa în {district} la telefon.", "Deplasări la hotel în {city}."],
        "contact": ["Sună la {phone}", "Apel sau WhatsApp {phone}", "Programări: {phone}", "📞 {phone}"],
        "close": ["Grăbește-te, stă puțin!", "Te așteaptă!", "Nu vei regreta."],
        "extra": ["Abia a împlinit 18 ani!", "Foarte tânără și nouă.", "Vorbește puțină engleză."],
        "cta": ["Sună acum!", "Doar apeluri."],
    },
    "bg": {
        "title": ["НОВА в {city}!! {name} {age}", "{name} ({age}) току-що пристигна", "Млада {nat} {name} в {city}",
                  "{e} {name} {age} г. {e}"],
        "open": ["Нова в {city}!", "Току-що пристигна в {city}!", "Само тази седмица в {city}!", "За първи път в {city}"],
        "intro": ["{name} е на {age} години, {nat}.", "Това е {name}, {nat} на {age}.",
                  "Запознайте се с {name} ({age}).", "{name}, {age} г., {nat}."],
        "desc": ["Тя е {a1}, {a2} и {a3}.", "{a1} и {a2} момиче, много {a3}.", "{a1}, {a2} и винаги {a3}!"],
        "adj": ["млада", "сладка", "слаба", "секси", "нежна", "палава", "красива", "малка", "гореща",
                "естествена", "срамежлива", "страстна", "весела"],
        "serv": ["Предлага {services}.", "Услуги: {services}.", "Прави {services} и още."],
        "price": ["Цени: {price}.", "{price}", "От {price}."],
        "hours": ["На разположение 24/7.", "Денонощно.", "Работно време {hours}."],
        "loc": ["Частен апартамент в {district}.", "Адрес в {district} по телефона.", "Излизане до хотел в {city}."],
        "contact": ["Обади се на {phone}", "Обаждане или WhatsApp {phone}", "Тел: {phone}", "📞 {phone}"],
        "close": ["Побързай, тук е за кратко!", "Тя те чака!", "Няма да съжаляваш."],
        "extra": ["Току-що навършила 18!", "Много млада и нова.", "Говори малко английски."],
        "cta": ["Обади се сега!", "Само обаждания."],
    },
    "pl": {
        "title": ["NOWA w {city}!! {name} {age}", "{name} ({age}) właśnie przyjechała", "Młoda {nat} {name} w {city}",
                  "{e} {name} {age} lat {e}"],
        "open": ["Nowa w {city}!", "Właśnie przyjechała do {city}!", "Tylko w tym tygodniu w {city}!", "Pierwszy raz w {city}"],
        "intro": ["{name} ma {age} lat, {nat}.", "To jest {name}, {nat}, {age} lat.",
                  "Poznaj {name} ({age}).", "{name}, {age} lat, {nat}."],
        "desc": ["Jest {a1}, {a2} i {a3}.", "{a1} i {a2} dziewczyna, bardzo {a3}.", "{a1}, {a2} i zawsze {a3}!"],
        "adj": ["młoda", "słodka", "szczupła", "seksowna", "czuła", "niegrzeczna", "piękna", "drobna", "gorąca",
                "naturalna", "nieśmiała", "namiętna", "wesoła"],
        "serv": ["Oferuje {services}.", "Usługi: {services}.", "Robi {services} i więcej."],
        "price": ["Ceny: {price}.", "{price}", "Od {price}."],
        "hours": ["Dostępna 24/7.", "Dzień i noc.", "Godziny {hours}."],
        "loc": ["Prywatne mieszkanie w {district}.", "Adres w {district} przez telefon.", "Dojazd do hotelu w {city}."],
        "contact": ["Dzwoń {phone}", "Telefon lub WhatsApp {phone}", "Umów się: {phone}", "📞 {phone}"],
        "close": ["Pospiesz się, jest tu krótko!", "Czeka na ciebie!", "Nie pożałujesz."],
        "extra": ["Dopiero skończyła 18!", "Bardzo młoda i nowa.", "Mówi trochę po angielsku."],
        "cta": ["Dzwoń teraz!", "Tylko telefony."],
    },
    "hu": {
        "title": ["ÚJ lány {city}!! {name} {age}", "{name} ({age}) most érkezett", "Fiatal {nat} {name} {city}",
                  "{e} {name} {age} éves {e}"],
        "open": ["Új a városban: {city}!", "Most érkezett: {city}!", "Csak ezen a héten {city}!", "Először {city} városban"],
        "intro": ["{name} {age} éves, {nat} lány.", "Ő {name}, egy {age} éves {nat} lány.",
                  "Ismerd meg {name} ({age}).", "{name}, {age} éves, {nat}."],
        "desc": ["{a1}, {a2} és {a3}.", "{a1} és {a2} lány, nagyon {a3}.", "{a1}, {a2} és mindig {a3}!"],
        "adj": ["fiatal", "édes", "vékony", "szexi", "kedves", "pajkos", "gyönyörű", "kicsi", "forró",
                "természetes", "félénk", "szenvedélyes", "vidám"],
        "serv": ["Szolgáltatás: {services}.", "Kínál: {services}.", "{services} és más."],
        "price": ["Árak: {price}.", "{price}", "Már {price}."],
        "hours": ["Elérhető 0-24.", "Éjjel-nappal.", "Nyitva {hours}."],
        "loc": ["Privát lakás: {district}.", "Cím {district} telefonon.", "Hotelbe is megy ({city})."],
        "contact": ["Hívj: {phone}", "Hívás vagy WhatsApp {phone}", "Időpont: {phone}", "📞 {phone}"],
        "close": ["Siess, csak rövid ideig van itt!", "Vár téged!", "Nem fogod megbánni."],
        "extra": ["Most lett 18!", "Nagyon fiatal és új.", "Kicsit beszél angolul."],
        "cta": ["Hívj most!", "Csak hívás."],
    },
}
SERVICES = {
    "nl": ["zoenen", "knuffelen", "massage", "GFE", "69", "striptease", "rollenspel", "samen douchen", "beffen", "pijpen"],
    "en": ["kissing", "GFE", "massage", "69", "striptease", "role play", "shower together", "cuddling", "oral", "BJ"],
    "es": ["besos", "masaje", "GFE", "69", "striptease", "ducha juntos", "francés natural"],
    "pt": ["beijos", "massagem", "GFE", "69", "striptease", "banho juntos", "oral natural"],
    "ro": ["săruturi", "masaj", "GFE", "69", "striptease", "duș împreună", "oral"],
    "bg": ["целувки", "масаж", "GFE", "69", "стриптийз", "душ заедно", "орален"],
    "pl": ["pocałunki", "masaż", "GFE", "69", "striptiz", "wspólny prysznic", "oral"],
    "hu": ["csók", "masszázs", "GFE", "69", "sztriptíz", "közös zuhany", "orál"],
}
PRICE_FMT = {
    "nl": ["30 min €{a} / 1 uur €{b}", "half uur {a} euro, uur {b} euro", "€{a} (30 min) - €{b} (60 min)", "1u = {b}€"],
    "en": ["30 min €{a} / 1 hour €{b}", "half hour {a} eur, hour {b} eur", "€{a} (30 min) - €{b} (60 min)", "1h = {b}€"],
    "es": ["30 min {a}€ / 1 hora {b}€", "media hora {a} euros"],
    "pt": ["30 min {a}€ / 1 hora {b}€", "meia hora {a} euros"],
    "ro": ["30 min {a}€ / 1 oră {b}€", "jumătate de oră {a} euro"],
    "bg": ["30 мин {a}€ / 1 час {b}€", "половин час {a} евро"],
    "pl": ["30 min {a}€ / 1 godz. {b}€", "pół godziny {a} euro"],
    "hu": ["30 perc {a}€ / 1 óra {b}€", "fél óra {a} euró"],
}
HOURS_FMT = ["{h1}-{h2}h", "{h1}:00 - {h2}:00", "van {h1} tot {h2} uur", "{h1}.00-{h2}.00", "{h1}u-{h2}u"]

# --------------------------------------------------------------------------------------
# Text: independent workers (first person, many building blocks)
# --------------------------------------------------------------------------------------

OWN = {
    "nl": {
        "title": ["{name}, {age} - {city}", "Spontane {name} in {city}", "{name} ontvangt in {district}", "Ervaren dame {name}",
                  "{name} ({age}) {e}", "Sensuele massage door {name}", "Gezellige {name} uit {city}", "Nieuwe foto's! {name}",
                  "Rijpe {name} voor de echte genieter", "{name} - ook voor beginners"],
        "greet": ["Hoi!", "Hallo heren,", "Hey daar,", "Welkom op mijn pagina.", "Goedendag,", "Hoi lieverd,", "Hallo allemaal!", ""],
        "intro": ["Ik ben {name}, {age} jaar.", "Mijn naam is {name} en ik ben {age}.", "Ik heet {name} ({age}).",
                  "{name} hier, {age} jaar jong.", "Ik ben {name}, een vrouw van {age}.", "Mijn naam is {name}."],
        "about": ["Ik ben een {a1} en {a2} vrouw met {hair} haar.", "Ik ben {a1}, {a2} en hou van {like}.",
                  "Vrienden noemen me {a1} en {a2}.", "Een {a1} dame met {hair} haar en een {a2} glimlach.",
                  "Ik ben van nature {a1} en best {a2}."],
        "adj": ["spontaan", "gezellig", "ondeugend", "rustig", "vrolijk", "sportief", "sensueel", "warm", "eerlijk",
                "nieuwsgierig", "open", "lief", "hartelijk", "romantisch", "ervaren", "zorgzaam", "avontuurlijk", "charmant",
                "volslank", "rondborstig"],
        "hair": ["blond", "donker", "rood", "lang bruin", "kort blond", "zwart krullend", "kastanjebruin", "grijs"],
        "like": ["lekker eten", "lange wandelingen", "goede wijn", "dansen", "reizen", "de zon", "muziek", "een goed gesprek",
                 "mooie lingerie", "sauna"],
        "looks": ["Ik ben {height} en heb cup {cup}.", "Lengte {height}, {kg} kg.", "{height} lang, maat {size}.",
                  "Cup {cup}, {height}."],
        "hobby": ["In mijn vrije tijd {hobby}.", "Naast dit werk {hobby}.", "Ik {hobby} graag."],
        "hobbies": ["sport ik veel", "lees ik veel", "kook ik graag", "ga ik naar de sportschool", "wandel ik met mijn hond",
                    "studeer ik", "schilder ik", "fiets ik", "zwem ik", "kijk ik series"],
        "offer": ["Ik hou van {s1} en {s2}.", "Bij mij kun je terecht voor {s1}, {s2} en meer.", "Mijn specialiteit: {s1}.",
                  "Ik bied {s1} en {s2}, alles met respect.", "Geniet van {s1} of gewoon {s2}."],
        "place": ["Ik ontvang in mijn eigen appartement in {district}.", "Ik ontvang thuis in {district}, gratis parkeren.",
                  "Ik kom ook bij je thuis of in je hotel in {city}.", "Privé locatie in {district}, parkeren voor de deur.",
                  "Mijn adres: {street} {house}, {postcode} {city}.", "Ontvangst in {city}, bus en tram om de hoek.",
                  "Je vindt me aan de {street} in {city}."],
        "hours": ["Bereikbaar {hours}.", "Ik werk {days} {hours}.", "Afspraak maken kan {hours}.", "Zondag vrij."],
        "days": ["ma t/m vr", "doordeweeks", "di, do en za", "alle dagen", "ma-za"],
        "price": ["Half uur €{a}, uur €{b}.", "Prijs: {price}.", "Tarieven: {price}, escort op aanvraag.", "Uur €{b}, geen onderhandeling."],
        "contact": ["Bel of app me: {phone}", "Bel mij op {phone}", "Mijn nummer: {phone}", "Je kunt me bereiken op {phone}",
                    "Voor een afspraak: {phone}", "Sms of bel {phone}", "App me gerust: {phone}"],
        "close": ["Tot snel! xx", "Kusjes, {name}", "Ik zie je graag!", "Liefs {name}", "Tot ziens!", "Groetjes x", ""],
        "cta": ["Bel of app me!", "Contact via de knop hieronder.", "Bel me gerust."],
        "boiler": ["Discretie verzekerd.", "Bel of WhatsApp.", "100% echte foto's.", "Geen anonieme nummers.",
                   "Geen SMS, alleen bellen.", "Hygiëne vind ik belangrijk.", "Alleen serieuze reacties."],
    },
    "en": {
        "title": ["{name}, {age} - {city}", "Spontaneous {name} in {city}", "{name} incall {district}", "Experienced lady {name}",
                  "{name} ({age}) {e}", "Sensual massage by {name}", "Friendly {name} from {city}", "New photos! {name}",
                  "Mature {name} for the real gentleman", "{name} - beginners welcome"],
        "greet": ["Hi!", "Hello gentlemen,", "Hey there,", "Welcome to my page.", "Good day,", "Hi darling,", "Hello everyone!", ""],
        "intro": ["I am {name}, {age} years old.", "My name is {name} and I am {age}.", "I'm {name} ({age}).",
                  "{name} here, {age} years young.", "I am {name}, a woman of {age}.", "My name is {name}."],
        "about": ["I am a {a1} and {a2} woman with {hair} hair.", "I am {a1}, {a2} and I love {like}.",
                  "Friends call me {a1} and {a2}.", "A {a1} lady with {hair} hair and a {a2} smile.",
                  "I am naturally {a1} and quite {a2}."],
        "adj": ["spontaneous", "friendly", "naughty", "calm", "cheerful", "sporty", "sensual", "warm", "honest",
                "curious", "open-minded", "sweet", "caring", "romantic", "experienced", "gentle", "adventurous", "charming",
                "curvy", "busty"],
        "hair": ["blonde", "dark", "red", "long brown", "short blonde", "black curly", "chestnut", "silver"],
        "like": ["good food", "long walks", "fine wine", "dancing", "travelling", "the sun", "music", "a good conversation",
                 "pretty lingerie", "the sauna"],
        "looks": ["I am {height} tall with cup {cup}.", "Height {height}, {kg} kg.", "{height}, size {size}.", "Cup {cup}, {height}."],
        "hobby": ["In my free time {hobby}.", "Besides this work {hobby}.", "When I'm not working {hobby}."],
        "hobbies": ["I do a lot of sports", "I read a lot", "I love to cook", "I go to the gym", "I walk my dog",
                    "I study", "I paint", "I cycle", "I swim", "I watch series"],
        "offer": ["I love {s1} and {s2}.", "With me you can enjoy {s1}, {s2} and more.", "My speciality: {s1}.",
                  "I offer {s1} and {s2}, all with respect.", "Enjoy {s1} or just {s2}."],
        "place": ["I receive in my own apartment in {district}.", "Incall at my home in {district}, free parking.",
                  "Outcall to your home or hotel in {city}.", "Private location in {district}, parking in front.",
                  "My address: {street} {house}, {postcode} {city}.", "Incall in {city}, close to the station.",
                  "You find me at {street}, {city}."],
        "hours": ["Available {hours}.", "I work {days} {hours}.", "Bookings {hours}.", "Sunday off."],
        "days": ["Mon-Fri", "weekdays", "Tue, Thu and Sat", "every day", "Mon-Sat"],
        "price": ["Half hour €{a}, hour €{b}.", "Price: {price}.", "Rates: {price}, outcall on request.", "Hour €{b}, no bargaining."],
        "contact": ["Call or text me: {phone}", "Call me at {phone}", "My number: {phone}", "You can reach me at {phone}",
                    "For an appointment: {phone}", "SMS or call {phone}", "WhatsApp me: {phone}"],
        "close": ["See you soon! xx", "Kisses, {name}", "Hope to meet you!", "Love {name}", "Bye!", "xoxo", ""],
        "cta": ["Call or WhatsApp me!", "Contact via the button below.", "Feel free to call."],
        "boiler": ["Discretion guaranteed.", "Call or WhatsApp.", "100% real photos.", "No anonymous numbers.",
                   "No SMS, calls only.", "Hygiene is a must.", "Serious replies only."],
    },
}
# Smaller first-person banks for the other languages (same keys).
for _lang, _b in {
    "es": dict(title=["{name}, {age} - {city}", "Cariñosa {name} en {city}", "{name} {e}"],
               greet=["¡Hola!", "Hola caballeros,", "Hola cariño,", ""],
               intro=["Soy {name}, tengo {age} años.", "Me llamo {name} y tengo {age}.", "{name} aquí, {age} años."],
               about=["Soy una mujer {a1} y {a2} con pelo {hair}.", "Soy {a1}, {a2} y me encanta {like}."],
               adj=["cariñosa", "divertida", "tranquila", "sensual", "alegre", "educada", "ardiente", "dulce", "elegante", "atrevida"],
               hair=["rubio", "negro", "castaño", "rizado"], like=["bailar", "viajar", "la música", "la buena comida"],
               looks=["Mido {height}, talla {size}.", "Altura {height}, {kg} kg."],
               hobby=["En mi tiempo libre {hobby}."], hobbies=["hago deporte", "leo", "cocino", "bailo salsa"],
               offer=["Me encanta {s1} y {s2}.", "Conmigo puedes disfrutar {s1}, {s2} y más."],
               place=["Recibo en mi apartamento en {district}.", "Hago salidas a hotel en {city}."],
               hours=["Disponible {hours}.", "Trabajo {days} {hours}."], days=["de lunes a viernes", "todos los días"],
               price=["Media hora {a}€, hora {b}€.", "Precio: {price}."],
               contact=["Llámame o escríbeme: {phone}", "Mi número: {phone}", "WhatsApp {phone}"],
               close=["¡Besos! {name}", "Te espero xx", ""], cta=["¡Llámame!", "Llamadas o WhatsApp."],
               boiler=["Discreción garantizada.", "Fotos 100% reales.", "No contesto números ocultos."]),
    "pt": dict(title=["{name}, {age} - {city}", "Carinhosa {name} em {city}", "{name} {e}"],
               greet=["Oi!", "Olá, meus amores,", "Oi querido,", ""],
               intro=["Sou {name}, tenho {age} anos.", "Me chamo {name} e tenho {age}.", "{name} aqui, {age} anos."],
               about=["Sou uma mulher {a1} e {a2} com cabelo {hair}.", "Sou {a1}, {a2} e adoro {like}."],
               adj=["carinhosa", "divertida", "tranquila", "sensual", "alegre", "educada", "fogosa", "meiga", "elegante", "ousada"],
               hair=["loiro", "preto", "castanho", "cacheado"], like=["dançar", "viajar", "música", "comer bem"],
               looks=["Tenho {height}, manequim {size}.", "Altura {height}, {kg} kg."],
               hobby=["No meu tempo livre {hobby}."], hobbies=["faço academia", "leio", "cozinho", "danço samba"],
               offer=["Adoro {s1} e {s2}.", "Comigo você curte {s1}, {s2} e mais."],
               place=["Atendo no meu apartamento em {district}.", "Atendo em hotel em {city}."],
               hours=["Disponível {hours}.", "Trabalho {days} {hours}."], days=["de segunda a sexta", "todos os dias"],
               price=["Meia hora {a}€, hora {b}€.", "Preço: {price}."],
               contact=["Liga ou manda mensagem: {phone}", "Meu número: {phone}", "WhatsApp {phone}"],
               close=["Beijos! {name}", "Te espero xx", ""], cta=["Me liga!", "Ligação ou WhatsApp."],
               boiler=["Discrição garantida.", "Fotos 100% reais.", "Não atendo número privado."]),
    "ro": dict(title=["{name}, {age} - {city}", "Drăguța {name} în {city}", "{name} {e}"],
               greet=["Salut!", "Bună, domnilor,", ""],
               intro=["Sunt {name}, am {age} ani.", "Mă numesc {name} și am {age} ani."],
               about=["Sunt o femeie {a1} și {a2} cu păr {hair}.", "Sunt {a1}, {a2} și îmi place {like}."],
               adj=["drăguță", "veselă", "liniștită", "senzuală", "educată", "pasională", "dulce", "elegantă"],
               hair=["blond", "negru", "șaten", "creț"], like=["dansul", "călătoriile", "muzica"],
               looks=["Am {height}, mărimea {size}.", "Înălțime {height}, {kg} kg."],
               hobby=["În timpul liber {hobby}."], hobbies=["fac sport", "citesc", "gătesc"],
               offer=["Îmi place {s1} și {s2}.", "Cu mine te bucuri de {s1}, {s2} și altele."],
               place=["Primesc în apartamentul meu din {district}.", "Deplasări la hotel în {city}."],
               hours=["Disponibilă {hours}.", "Lucrez {days} {hours}."], days=["luni-vineri", "în fiecare zi"],
               price=["Jumătate de oră {a}€, o oră {b}€.", "Preț: {price}."],
               contact=["Sună-mă sau scrie-mi: {phone}", "Numărul meu: {phone}"],
               close=["Pupici! {name}", "Te aștept xx", ""], cta=["Sună-mă!"],
               boiler=["Discreție garantată.", "Poze 100% reale.", "Nu răspund la numere ascunse."]),
    "pl": dict(title=["{name}, {age} - {city}", "Miła {name} w {city}", "{name} {e}"],
               greet=["Cześć!", "Witam panów,", ""],
               intro=["Jestem {name}, mam {age} lat.", "Mam na imię {name}, {age} lat."],
               about=["Jestem {a1} i {a2} kobietą o włosach {hair}.", "Jestem {a1}, {a2} i lubię {like}."],
               adj=["miłą", "wesołą", "spokojną", "zmysłową", "kulturalną", "namiętną", "słodką", "elegancką"],
               hair=["blond", "ciemnych", "rudych", "kręconych"], like=["taniec", "podróże", "muzykę"],
               looks=["Mam {height}, rozmiar {size}.", "Wzrost {height}, {kg} kg."],
               hobby=["W wolnym czasie {hobby}."], hobbies=["uprawiam sport", "czytam", "gotuję"],
               offer=["Lubię {s1} i {s2}.", "U mnie {s1}, {s2} i więcej."],
               place=["Przyjmuję w swoim mieszkaniu w {district}.", "Dojeżdżam do hotelu w {city}."],
               hours=["Dostępna {hours}.", "Pracuję {days} {hours}."], days=["pon-pt", "codziennie"],
               price=["Pół godziny {a}€, godzina {b}€.", "Cena: {price}."],
               contact=["Zadzwoń lub napisz: {phone}", "Mój numer: {phone}"],
               close=["Buziaki! {name}", "Czekam xx", ""], cta=["Zadzwoń!"],
               boiler=["Dyskrecja gwarantowana.", "Zdjęcia 100% prawdziwe.", "Nie odbieram zastrzeżonych numerów."]),
    "hu": dict(title=["{name}, {age} - {city}", "Kedves {name} {city}", "{name} {e}"],
               greet=["Szia!", "Üdv uraim,", ""],
               intro=["{name} vagyok, {age} éves.", "A nevem {name}, {age} éves vagyok."],
               about=["{a1} és {a2} nő vagyok, {hair} hajjal.", "{a1}, {a2} vagyok és szeretem a {like}."],
               adj=["kedves", "vidám", "nyugodt", "érzéki", "kulturált", "szenvedélyes", "édes", "elegáns"],
               hair=["szőke", "barna", "vörös", "göndör"], like=["táncot", "utazást", "zenét"],
               looks=["{height} magas vagyok, méret {size}.", "Magasság {height}, {kg} kg."],
               hobby=["Szabadidőmben {hobby}."], hobbies=["sportolok", "olvasok", "főzök"],
               offer=["Szeretem: {s1} és {s2}.", "Nálam {s1}, {s2} és más."],
               place=["Saját lakásomban fogadlak: {district}.", "Hotelbe is megyek ({city})."],
               hours=["Elérhető {hours}.", "Dolgozom {days} {hours}."], days=["hétfőtől péntekig", "minden nap"],
               price=["Fél óra {a}€, óra {b}€.", "Ár: {price}."],
               contact=["Hívj vagy írj: {phone}", "A számom: {phone}"],
               close=["Puszi! {name}", "Várlak xx", ""], cta=["Hívj!"],
               boiler=["Diszkréció garantált.", "100% valódi képek.", "Rejtett számot nem veszek fel."]),
    "bg": dict(title=["{name}, {age} - {city}", "Мила {name} в {city}", "{name} {e}"],
               greet=["Здравей!", "Здравейте, господа,", ""],
               intro=["Аз съм {name}, на {age} години.", "Казвам се {name}, на {age} г."],
               about=["Аз съм {a1} и {a2} жена с {hair} коса.", "Аз съм {a1}, {a2} и обичам {like}."],
               adj=["мила", "весела", "спокойна", "чувствена", "възпитана", "страстна", "сладка", "елегантна"],
               hair=["руса", "тъмна", "червена", "къдрава"], like=["танци", "пътувания", "музика"],
               looks=["Висока съм {height}, размер {size}.", "Ръст {height}, {kg} кг."],
               hobby=["В свободното си време {hobby}."], hobbies=["спортувам", "чета", "готвя"],
               offer=["Обичам {s1} и {s2}.", "При мен {s1}, {s2} и още."],
               place=["Приемам в моя апартамент в {district}.", "Идвам в хотел в {city}."],
               hours=["На разположение {hours}.", "Работя {days} {hours}."], days=["пон-пет", "всеки ден"],
               price=["Половин час {a}€, час {b}€.", "Цена: {price}."],
               contact=["Обади се или пиши: {phone}", "Моят номер: {phone}"],
               close=["Целувки! {name}", "Чакам те xx", ""], cta=["Обади се!"],
               boiler=["Дискретност гарантирана.", "100% истински снимки.", "Не отговарям на скрити номера."]),
}.items():
    OWN[_lang] = _b

SITE_SPECS = [
    # name, id style, url pattern, has contact fields, age field format, posted format, location style, disclaimer
    dict(site="roodlicht-advertenties.example", ids="num7", url="https://roodlicht-advertenties.example/advertentie/{id}",
         contact=True, age="{age} jaar", posted="datetime", loc="city_area",
         disclaimer="Alle adverteerders verklaren 18 jaar of ouder te zijn. Roodlicht-advertenties is niet verantwoordelijk voor de inhoud van advertenties.",
         weight=5),
    dict(site="privehuizen-gids.example", ids="ph", url="https://privehuizen-gids.example/p/{id}.html",
         contact=True, age="{age}", posted="date", loc="city", disclaimer="", weight=3),
    dict(site="escortdates.example", ids="hex", url="https://escortdates.example/en/escort/{id}",
         contact=True, age="{age} years", posted="datetime", loc="city_country",
         disclaimer="All models are 18+. escortdates.example is an advertising platform only.", weight=4),
    dict(site="kinky-nl.example", ids="num6", url="https://kinky-nl.example/ads/view/{id}",
         contact=False, age=None, posted="date", loc="lower", disclaimer="", weight=3),
    dict(site="sexdates-nederland.example", ids="sd", url="https://sexdates-nederland.example/dating/{id}",
         contact=False, age="{age} jr", posted=None, loc="area",
         disclaimer="Let op: betaal nooit vooraf. Meld misbruik via het meldformulier.", weight=2),
    dict(site="anuntul-olanda.example", ids="num8", url="https://anuntul-olanda.example/anunt/{id}",
         contact=True, age="{age} ani", posted="datetime", loc="country_city",
         disclaimer="Anunțurile sunt publicate de utilizatori. Site-ul nu verifică conținutul.", weight=1),
    dict(site="locanto-nl.example", ids="num10", url="https://locanto-nl.example/ID_{id}/advertentie.html",
         contact=True, age=None, posted="datetime", loc="city_area", disclaimer="", weight=2),
]

# Shares used by generate() and stated in the docs/tests.
NET_LANGS = {  # origin -> language choices for network templates
    "RO": ["ro", "en", "nl", "ro+en"], "BG": ["bg", "en", "bg+en"], "HU": ["hu", "en", "hu+en"],
    "PL": ["pl", "en", "nl", "pl+en"], "BR": ["pt", "en", "nl", "pt+en"], "CO": ["es", "en", "es+en"],
    "VE": ["es", "en", "es+nl"], "DO": ["es", "en", "nl"], "NG": ["en", "nl", "en+nl"], "TH": ["en", "nl", "nl+en"],
    "UA": ["en", "nl", "nl+en"], "ES": ["es", "en"], "NL": ["nl", "en", "nl+en"],
}
NET_ORIGINS = (["RO"] * 6 + ["BG"] * 3 + ["HU"] * 3 + ["PL"] * 2 + ["BR"] * 3 + ["CO"] * 3 + ["VE"] * 2
               + ["DO"] * 1 + ["NG"] * 2 + ["TH"] * 2 + ["UA"] * 2 + ["ES"] * 1 + ["NL"] * 2)
OWN_LANGS = (["nl"] * 45 + ["en"] * 30 + ["nl+en"] * 7 + ["es"] * 5 + ["pt"] * 5 + ["ro"] * 3
             + ["pl"] * 2 + ["hu"] * 1 + ["bg"] * 1 + ["en+es"] * 1)
OWN_ORIGIN_BY_LANG = {"nl": ["NL"] * 6 + ["RO", "PL", "HU", "BR", "TH", "UA"], "en": ["NL"] * 3 + ["RO", "BG", "HU", "PL", "UA", "TH", "NG", "BR", "CO"],
                      "es": ["CO", "VE", "DO", "ES"], "pt": ["BR"], "ro": ["RO"], "pl": ["PL"], "hu": ["HU"], "bg": ["BG"]}

PHONE_KINDS = [  # (kind, weight)
    ("national", 22), ("compact", 10), ("spaces", 12), ("dots", 6), ("dashes", 8), ("slash", 3), ("brackets", 4),
    ("intl_plus", 9), ("intl_compact", 5), ("intl_00", 5), ("intl_trunk", 3), ("spaced_digits", 3),
    ("words", 3), ("mixed_words", 2), ("keycap", 2), ("fullwidth", 2), ("letters", 3),
]
_PK = [k for k, _ in PHONE_KINDS]
_PW = [w for _, w in PHONE_KINDS]


@lru_cache(maxsize=1)
def _data() -> dict:
    places = json.loads((DATA / "places.json").read_text(encoding="utf-8"))
    lex = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    cities = []
    for c in places["cities"]:
        streets = list(c.get("streets") or []) + places["common_streets"]
        cities.append({
            "name": c["name"], "muni": MUNICIPALITY.get(c["name"], c["name"]), "weight": c["weight"],
            "areas": c.get("areas") or [], "pc4": c["pc4"], "streets": streets,
            "variants": list(dict.fromkeys((c.get("spellings") or []) + CITY_VARIANTS.get(c["name"], []))),
        })
    names = {k: list(v) for k, v in NAMES.items()}
    for cc in ("BG", "UA"):
        names[cc] = [f[0] for f in lex["curated_names"][cc]["female"]]
    cum, s = [], 0.0
    for c in cities:
        s += c["weight"]
        cum.append(s)
    return {
        "cities": cities, "city_cum": cum, "names": names, "aliases": lex["victim_aliases"],
        "adj": lex["adjective"], "country": lex["country_name"], "email_domains": lex["email_domains"],
        "site_cum": _cum([s["weight"] for s in SITE_SPECS]),
    }


def _cum(ws):
    out, s = [], 0.0
    for w in ws:
        s += w
        out.append(s)
    return out


# --------------------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------------------


class Phone:
    __slots__ = ("e164", "cc", "nsn", "country", "national", "intl", "ndigits", "trunk")

    def __init__(self, rng: random.Random, country: str):
        cc, prefixes, length = MOBILE[country]
        while True:
            p = rng.choice(prefixes)
            nsn = p + "".join(str(rng.randrange(10)) for _ in range(length - len(p)))
            if country == "DO" and nsn[3] in "01":
                continue
            num = phonenumbers.PhoneNumber(country_code=cc, national_number=int(nsn))
            if phonenumbers.is_valid_number(num) and phonenumbers.region_code_for_number(num) == country:
                break
        self.cc, self.nsn, self.country = str(cc), nsn, country
        self.e164 = f"+{cc}{nsn}"
        self.national = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
        self.intl = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        self.ndigits = re.sub(r"\D", "", self.national)
        self.trunk = self.ndigits[: len(self.ndigits) - len(nsn)]  # '0', '06' (HU) or ''


def _group(digits: str, rng: random.Random, sep: str) -> str:
    n = len(digits)
    style = rng.randrange(4)
    if style == 0:
        sizes = [2] * (n // 2) + ([1] if n % 2 else [])
    elif style == 1:
        sizes = [3] * (n // 3) + ([n % 3] if n % 3 else [])
    elif style == 2:
        head = 2 if digits.startswith("0") else 3
        sizes = [head, n - head]
    else:
        sizes, left = [], n
        while left > 0:
            k = min(left, rng.choice((2, 3, 4)))
            sizes.append(k)
            left -= k
    out, i = [], 0
    for k in sizes:
        out.append(digits[i: i + k])
        i += k
    return sep.join(out)


def render_phone(p: Phone, kind: str, rng: random.Random, lang: str) -> str:
    d = p.ndigits
    if kind == "national":
        return p.national
    if kind == "compact":
        return d
    if kind == "spaces":
        return _group(d, rng, " ")
    if kind == "dots":
        return _group(d, rng, ".")
    if kind == "dashes":
        return _group(d, rng, "-")
    if kind == "slash":
        k = len(p.trunk) + (1 if p.country == "NL" else AREA.get(p.country, 2))
        return d[:k] + "/" + d[k:]
    if kind == "brackets":
        k = len(p.trunk) + (1 if p.country == "NL" else AREA.get(p.country, 2))
        return f"({d[:k]}) " + _group(d[k:], rng, rng.choice((" ", "", "-")))
    if kind == "intl_plus":
        return p.intl if rng.random() < 0.6 else f"+{p.cc} " + _group(p.nsn, rng, rng.choice((" ", "-", ".")))
    if kind == "intl_compact":
        return p.e164
    if kind == "intl_00":
        return f"00{p.cc}{p.nsn}" if rng.random() < 0.5 else f"00 {p.cc} " + _group(p.nsn, rng, " ")
    if kind == "intl_trunk":
        if p.trunk == "0":
            return f"+{p.cc} ({p.trunk}){p.nsn[0]} " + _group(p.nsn[1:], rng, rng.choice((" ", "", "-")))
        return f"(+{p.cc}) " + _group(p.nsn, rng, " ")
    if kind == "spaced_digits":
        return " ".join(d)
    if kind in ("words", "mixed_words"):
        wl = lang if lang in DIGIT_WORDS else "en"
        words = DIGIT_WORDS[wl]
        if kind == "words":
            return rng.choice((" ", " ", "-", ", ")).join(words[int(c)] for c in d)
        k = rng.randint(2, 4)
        return " ".join(words[int(c)] for c in d[:k]) + " " + _group(d[k:], rng, " ")
    if kind == "keycap":
        s = _group(d, rng, " ") if rng.random() < 0.5 else d
        return "".join(KEYCAP[int(c)] if c.isdigit() else c for c in s)
    if kind == "fullwidth":
        return _group(d, rng, rng.choice((" ", "-", ""))).translate(FULLWIDTH)
    if kind == "letters":
        s = _group(d, rng, rng.choice((" ", "-", ""))) if rng.random() < 0.7 else d
        out, done = [], False
        for c in s:
            if c == "0" and (rng.random() < 0.8 or not done):
                out.append(rng.choice("OoO")); done = True  # noqa: E702
            elif c == "1" and rng.random() < 0.7:
                out.append(rng.choice("lI")); done = True  # noqa: E702
            else:
                out.append(c)
        if not done:  # no 0/1 in the number: spell the last digit as a letter-like word is not possible
            return "".join(out).replace("5", "S", 1) if "5" in s else "".join(out)
        return "".join(out)
    raise ValueError(kind)


# --------------------------------------------------------------------------------------
# Helpers for texts
# --------------------------------------------------------------------------------------


def _typo(s: str, rng: random.Random) -> str:
    idx = [i for i in range(1, len(s) - 1) if s[i].isalpha() and s[i + 1].isalpha()]
    if not idx:
        return s
    i = rng.choice(idx)
    op = rng.randrange(3)
    if op == 0:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op == 1:
        return s[:i] + s[i + 1:]
    return s[:i] + s[i] + s[i:]


def _drop_word(s: str, rng: random.Random) -> str:
    w = s.split(" ")
    if len(w) < 5:
        return s
    del w[rng.randrange(1, len(w) - 1)]
    return " ".join(w)


def _swap_emoji(s: str, rng: random.Random) -> str:
    for e in EMOJI:
        if e in s:
            return s.replace(e, rng.choice(EMOJI), 1)
    return s + " " + rng.choice(EMOJI)


def edit(sents: list, rng: random.Random, strength: float) -> list:
    """Small random edits on a list of [text, flag]; flag 0 free, 1 keep (no typos), 2 protected.

    Returns a new list; the [text, flag] items are never changed in place (they are shared)."""
    s = list(sents)
    rnd = rng.random
    if rnd() < strength and len(s) > 4:
        free = [i for i, x in enumerate(s) if x[1] == 0]
        if free:
            del s[rng.choice(free)]
    if rnd() < strength and len(s) > 2:
        i = rng.randrange(len(s) - 1)
        s[i], s[i + 1] = s[i + 1], s[i]
    for op, p in ((_typo, strength), (_drop_word, strength * 0.7)):
        if rnd() < p:
            free = [i for i, x in enumerate(s) if x[1] == 0 and x[0]]
            if free:
                i = rng.choice(free)
                s[i] = [op(s[i][0], rng), 0]
    if rnd() < strength * 0.8:
        i = rng.randrange(len(s))
        if s[i][1] != 2:
            s[i] = [_swap_emoji(s[i][0], rng), s[i][1]]
    return s


def _pick_lang(lang: str, rng: random.Random) -> str:
    if "+" in lang:
        a, b = lang.split("+")
        return a if rng.random() < 0.6 else b
    return lang


_DAYS: dict = {}


def _iso(ts: float, start: datetime) -> str:
    day, rem = divmod(int(ts), 86400)
    key = (start, day)
    ds = _DAYS.get(key)
    if ds is None:
        if len(_DAYS) > 10000:
            _DAYS.clear()
        ds = _DAYS[key] = (start + timedelta(days=day)).strftime("%Y-%m-%d")
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    return f"{ds}T{h:02d}:{m:02d}:{sec:02d}Z"


class _Rng(random.Random):
    """random.Random with cheaper choice/randint/randrange (still deterministic for a seed)."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))

    def randrange(self, a, b=None):
        if b is None:
            return int(self.random() * a)
        return a + int(self.random() * (b - a))


class _Fmt(dict):
    def __missing__(self, key):
        return "{" + key + "}"


# --------------------------------------------------------------------------------------
# Actors
# --------------------------------------------------------------------------------------


class Person:
    __slots__ = ("pid", "name", "origin", "age", "phone", "photos", "email", "handle")


class Network:
    __slots__ = ("nid", "origin", "controllers", "templates", "circuit", "sites", "poster", "stock",
                 "email", "handle", "end", "women_left", "phone_style", "uses_own_phone")


class Template:
    __slots__ = ("tid", "lang", "title", "sents", "sep", "emoji", "price_fmt", "phone_kind")


class Woman:
    """A person advertised by a network (actor)."""
    __slots__ = ("person", "net", "city", "district", "ads", "circuit_pos")


class Independent:
    __slots__ = ("person", "iid", "lang", "city", "district", "sites", "title", "sents", "sep", "phone_kind",
                 "place", "contact_style", "end", "poster", "ads", "tid", "text_city", "text_district", "cands")


class AdState:
    __slots__ = ("site", "spec", "id", "url", "posted", "title", "sents", "sep", "location", "contact", "poster",
                 "age", "images", "extra", "truth", "version", "left", "change", "city_txt", "district_txt",
                 "distractors", "first_t", "cache", "posted_s")


# --------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------


class World:
    """Event-driven market simulation. Iterate it to get (ad, truth) pairs in collected_at order."""

    TARGET_DAYS = 56  # span aimed for when the population is not capped
    MAX_ACTORS = 12000

    def __init__(self, n: int, seed: int = 0, start: date | str = "2026-01-01", actors: int | None = None,
                 network_share: float = 0.3):
        self.n = n
        self.rng = _Rng(seed)
        if isinstance(start, str):
            start = date.fromisoformat(start)
        self.start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        self.d = _data()
        self._accounts: set[str] = set()  # e-mail addresses and handles are accounts: one owner each
        # ~0.2 captures per actor per day; scale population to reach TARGET_DAYS, capped (constant memory).
        self.actors = actors or max(20, min(self.MAX_ACTORS, int(n / (0.21 * self.TARGET_DAYS))))
        self.network_share = network_share
        self.heap: list = []
        self.seq = 0
        self.counters = Counter()
        self.site_ids = [self.rng.randrange(10**5, 10**6) for _ in SITE_SPECS]

    # ---- ids -------------------------------------------------------------------------
    def _next(self, key: str) -> int:
        self.counters[key] += 1
        return self.counters[key]

    def _push(self, t: float, fn, obj) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, fn, obj))

    # ---- random world pieces ------------------------------------------------------------
    def _city(self):
        return self.rng.choices(self.d["cities"], cum_weights=self.d["city_cum"])[0]

    def _site(self):
        return self.rng.choices(range(len(SITE_SPECS)), cum_weights=self.d["site_cum"])[0]

    def _person(self, origin: str, young: bool) -> Person:
        r = self.rng
        p = Person()
        p.pid = f"p-{self._next('person'):06d}"
        p.origin = origin
        if young or r.random() < 0.35:
            pool = self.d["aliases"] if r.random() < 0.5 else self.d["names"].get(origin, self.d["aliases"])
        else:
            pool = self.d["names"].get(origin, self.d["names"]["NL"])
        p.name = r.choice(pool)
        p.age = r.randint(18, 23) if young else r.randint(21, 48)
        p.phone = None
        p.photos = [r.getrandbits(64) for _ in range(r.randint(2, 6))]
        p.email = None
        p.handle = None
        return p

    def _email(self, name: str, origin: str) -> str:
        r = self.rng
        doms = self.d["email_domains"].get(origin, self.d["email_domains"]["default"])
        local = re.sub(r"[^a-z]", "", name.lower().encode("ascii", "ignore").decode()) or "lady"
        local = r.choice((f"{local}{r.randint(1, 99)}", f"{local}.{r.choice(('nl', 'xx', 'love', 'vip'))}",
                          f"sweet{local}{r.randint(80, 2005)}", f"{local}_{r.randint(10, 999)}"))
        return self._unique(f"{local}@{r.choice(doms)}", "@")

    def _unique(self, account: str, at: str) -> str:
        """An account name nobody else in the world has (two networks never share one mailbox or handle)."""
        head, sep, tail = account.partition(at)
        n = 2
        while account in self._accounts:
            account = f"{head}{n}{sep}{tail}"
            n += 1
        self._accounts.add(account)
        return account

    def _handle(self, name: str) -> str:
        r = self.rng
        plat = r.choice(("snapchat", "telegram", "instagram"))
        base = re.sub(r"[^a-z]", "", name.lower().encode("ascii", "ignore").decode()) or "girl"
        h = r.choice((f"{base}{r.randint(1, 999)}", f"{base}_{r.choice(('nl', 'xx', 'vip', 'real'))}",
                      f"sexy{base}{r.randint(1, 99)}", f"{base}.{r.randint(10, 99)}"))
        return self._unique(f"{plat}:{h}", "\0")

    # ---- population -----------------------------------------------------------------------
    def _spawn_network(self, t0: float) -> None:
        r = self.rng
        net = Network()
        net.nid = f"net-{self._next('net'):05d}"
        net.origin = r.choice(NET_ORIGINS)
        ncon = 1 if r.random() < 0.65 else 2
        net.controllers = [Phone(r, "NL" if r.random() < 0.6 else net.origin) for _ in range(ncon)]
        net.phone_style = r.choices(_PK, weights=_PW)[0]
        ntpl = r.choice((1, 1, 2, 2, 3, 4))
        net.templates = [self._make_template(net, k) for k in range(ntpl)]
        net.circuit = [self._city() for _ in range(r.randint(4, 12))]
        net.sites = r.sample(range(len(SITE_SPECS)), r.randint(1, 3))
        if net.origin == "RO" and 5 not in net.sites and r.random() < 0.6:
            net.sites.append(5)
        net.poster = r.choice(("vip_girls", "new_girls", "top_escort", "models", "ladies", "hot_angels")) + \
            r.choice(("_nl", "24", "_holland", "", "_vip")) + str(r.randint(1, 99)) if r.random() < 0.55 else None
        net.stock = [r.getrandbits(64) for _ in range(r.randint(3, 15))]
        net.email = self._email(r.choice(self.d["aliases"]), net.origin) if r.random() < 0.15 else None
        net.handle = self._unique("telegram:" + self._handle("boss").split(":")[1], "\0") if r.random() < 0.3 \
            else None
        net.uses_own_phone = r.random() < 0.2
        net.end = t0 + r.uniform(4, 16) * 7 * DAY
        u = r.random()
        size = r.randint(2, 4) if u < 0.45 else r.randint(5, 10) if u < 0.8 else r.randint(11, 20) if u < 0.95 else r.randint(21, 40)
        net.women_left = size
        for _ in range(size):
            w = Woman()
            origin = net.origin if r.random() < 0.8 else r.choice(NET_ORIGINS)
            w.person = self._person(origin, young=True)
            if net.uses_own_phone and r.random() < 0.5:
                w.person.phone = Phone(r, "NL")
            w.net = net
            w.circuit_pos = r.randrange(len(net.circuit))
            w.city = None
            w.district = None
            w.ads = []
            self._push(t0 + r.uniform(0, 10) * DAY, self._woman_move, w)

    def _spawn_independent(self, t0: float, initial: bool = False) -> None:
        r = self.rng
        ind = Independent()
        lang = r.choice(OWN_LANGS)
        ind.lang = lang
        origin = r.choice(OWN_ORIGIN_BY_LANG[lang.split("+")[0]])
        p = self._person(origin, young=False)
        p.phone = Phone(r, "NL" if origin == "NL" or r.random() < 0.7 else (origin if origin in MOBILE else "NL"))
        ind.person = p
        ind.iid = p.pid
        ind.tid = f"own-{p.pid[2:]}"
        if r.random() < 0.25:
            p.email = self._email(p.name, origin)
        if r.random() < 0.2:
            p.handle = self._handle(p.name)
        ind.city = self._city()
        ind.district = r.choice(ind.city["areas"]) if ind.city["areas"] and r.random() < 0.6 else None
        ind.sites = r.sample(range(len(SITE_SPECS)), 1 if r.random() < 0.7 else 2)
        ind.poster = r.choice((p.name, f"{p.name}{r.randint(1, 99)}", f"{p.name.lower()}_{ind.city['name'][:3].lower()}", None))
        ind.phone_kind = r.choices(_PK, weights=_PW)[0]
        ind.ads = []
        self._make_own_text(ind)
        ind.end = t0 + r.uniform(3, 20) * 7 * DAY
        first = t0 + (r.uniform(0, 10) * DAY if initial else r.uniform(0, 2) * DAY)
        self._push(first, self._ind_post, ind)

    # ---- text construction ------------------------------------------------------------------
    def _make_template(self, net: Network, k: int) -> Template:
        r = self.rng
        tp = Template()
        tp.tid = f"tpl-{net.nid[4:]}-{k + 1}"
        tp.lang = r.choice(NET_LANGS[net.origin])
        L = lambda: NET[_pick_lang(tp.lang, r)]  # noqa: E731
        tp.emoji = r.sample(EMOJI, 3)
        e = tp.emoji
        tp.title = r.choice(L()["title"]).replace("{e}", e[0])
        sents = []
        b = L()
        sents.append([r.choice(b["open"]) + (" " + e[0] if r.random() < 0.6 else ""), 1])
        b = L()
        sents.append([r.choice(b["intro"]), 1])
        b = L()
        a = r.sample(b["adj"], 3)
        sents.append([r.choice(b["desc"]).replace("{a1}", a[0]).replace("{a2}", a[1]).replace("{a3}", a[2])
                      + (" " + e[1] if r.random() < 0.5 else ""), 0])
        if r.random() < 0.8:
            sents.append([r.choice(L()["serv"]), 1])
        if r.random() < 0.7:
            sents.append([r.choice(L()["price"]), 1])
        if r.random() < 0.8:
            sents.append([r.choice(L()["hours"]), 1])
        if r.random() < 0.75:
            sents.append([r.choice(L()["loc"]), 1])
        if r.random() < 0.6:
            sents.append([r.choice(L()["extra"]), 0])
        if r.random() < 0.5:
            sents.append([r.choice(OWN["nl" if "nl" in tp.lang else "en"]["boiler"]), 0])
        sents.append([r.choice(L()["contact"]), 2])
        if r.random() < 0.7:
            sents.append([r.choice(L()["close"]) + (" " + e[2] if r.random() < 0.5 else ""), 0])
        # make the template its own: a signature sentence built from free combinations
        sig = r.choice(("{e}{e}{e}", "*** {x} ***", "~ {x} ~", "{x}!!!", "{e} {x} {e}"))
        x = r.choice(L()["adj"]).upper() + " " + r.choice(L()["adj"]).upper()
        sents.insert(r.randint(1, len(sents) - 1), [sig.replace("{x}", x).replace("{e}", r.choice(EMOJI)), 0])
        # the order of the middle part is part of the template too
        mid = sents[1:-2]
        r.shuffle(mid)
        tp.sents = [sents[0]] + mid + sents[-2:]
        tp.sep = r.choice((" ", "\n", "\n\n", " | ", " ✨ ", " - "))
        tp.price_fmt = r.randrange(4)
        tp.phone_kind = net.phone_style if r.random() < 0.6 else r.choices(_PK, weights=_PW)[0]
        return tp

    def _make_own_text(self, ind: Independent) -> None:
        """Her own ad: sentences filled with her details (phone left as a slot)."""
        r = self.rng
        p = ind.person
        city = ind.city
        langs = ind.lang

        def B():
            return OWN[_pick_lang(langs, r)]

        d = self._distractor_values(langs.split("+")[0], city)
        ctxt = self._city_text(city, langs.split("+")[0])
        dist = ind.district or ctxt
        ind.text_city, ind.text_district = ctxt, dist
        e = r.choice(EMOJI)
        b = B()
        a = r.sample(b["adj"], 2)
        s1, s2 = r.sample(SERVICES[_pick_lang(langs, r)], 2)
        fill = _Fmt(name=p.name, age=p.age, city=ctxt, district=dist, e=e, a1=a[0], a2=a[1],
                    hair=r.choice(b["hair"]), like=r.choice(b["like"]), s1=s1, s2=s2,
                    **d)
        title = r.choice(B()["title"]).format_map(fill)
        sents = []
        for key, prob, flag in (("greet", 0.7, 0), ("intro", 0.9, 1), ("about", 0.9, 0), ("looks", 0.5, 0),
                                ("hobby", 0.35, 0), ("offer", 0.8, 0), ("place", 0.8, 1), ("hours", 0.6, 0),
                                ("price", 0.55, 0), ("boiler", 0.5, 0), ("contact", 1.0, 2), ("boiler", 0.3, 0),
                                ("close", 0.8, 0)):
            if r.random() >= prob:
                continue
            b = B()
            pat = r.choice(b[key])
            if key == "hobby":
                pat = pat.replace("{hobby}", r.choice(b["hobbies"]))
            if key == "hours":
                pat = pat.replace("{days}", r.choice(b["days"]))
            if not pat:
                continue
            txt = pat.format_map(fill)
            if r.random() < 0.15 and key not in ("contact",):
                txt += " " + r.choice(EMOJI)
            sents.append([txt, flag])
        # a personal touch that nobody else writes
        if r.random() < 0.5 and sents:
            quirk = r.choice(("P.S. {x}", "{x} :)", "({x})", "{x}!"))
            word = r.choice(OWN[langs.split("+")[0]]["like"]) + " & " + r.choice(OWN[langs.split("+")[0]]["hobbies"])
            sents.insert(r.randrange(len(sents)), [quirk.replace("{x}", word), 0])
        if r.random() < 0.25:
            mid = sents[1:-2]
            r.shuffle(mid)
            sents = sents[:1] + mid + sents[-2:]
        ind.title = title
        ind.sents = sents
        ind.cands = _cands(d, p.age, langs.split('+')[0])
        ind.sep = r.choice((" ", "\n", "\n", "\n\n", " ", ". "))
        if ind.sep == ". ":
            ind.sep = " "

    def _city_text(self, city: dict, lang: str) -> str:
        r = self.rng
        f = FOREIGN_CITY.get(lang, {}).get(city["name"])
        if f and r.random() < 0.6:
            return f
        if city["variants"] and r.random() < 0.3:
            v = r.choice(city["variants"])
            if v != "The Hague" or lang == "en":
                return v
        if lang == "en" and city["name"] == "Den Haag" and r.random() < 0.5:
            return "The Hague"
        return city["name"]

    def _distractor_values(self, lang: str, city: dict) -> dict:
        r = self.rng
        a = r.choice((50, 60, 70, 75, 80, 100))
        b = r.choice((100, 120, 150, 160, 180, 200, 250))
        h1, h2 = r.choice((9, 10, 11, 12, 14, 18)), r.choice((20, 21, 22, 23, 0, 2, 4))
        hours = r.choice(HOURS_FMT).format(h1=f"{h1:02d}" if r.random() < 0.3 else h1, h2=f"{h2:02d}")
        pf = PRICE_FMT.get(lang, PRICE_FMT["en"])
        lo, hi = city["pc4"][0]
        return dict(a=a, b=b, price=r.choice(pf).format(a=a, b=b), hours=hours,
                    height=r.choice((f"1.{r.randint(52, 82)} m", f"1,{r.randint(52, 82)}m", f"{r.randint(152, 182)} cm")),
                    cup=r.choice("ABCDEF") if r.random() < 0.5 else f"{r.choice((70, 75, 80, 85, 90))}{r.choice('ABCDE')}",
                    kg=r.randint(48, 85), size=r.choice((34, 36, 38, 40, 42, 44)),
                    street=r.choice(city["streets"]), house=r.randint(1, 240),
                    postcode=f"{r.randint(lo, hi)} {r.choice('ABCDEGHJKLMNPRSTVWXZ')}{r.choice('ABCDEGHJKLMNPRSTVWXZ')}")

    # ---- ad assembly --------------------------------------------------------------------------
    def _phone_block(self, phones: list, kind0: str, spec: dict, lang: str):
        """Decide where/how phones appear. Returns (body_text_or_None, contact dict, kinds list)."""
        r = self.rng
        contact = {"phone": None, "whatsapp": None, "email": None, "handle": None} if spec["contact"] else None
        kinds, body_parts = [], []
        wl = _pick_lang(lang, r)
        for i, ph in enumerate(phones):
            kind = kind0 if (i == 0 and r.random() < 0.8) else r.choices(_PK, weights=_PW)[0]
            u = r.random() if contact is not None else 0.0
            if u < 0.5:  # body only
                body_parts.append(self._cued(render_phone(ph, kind, r, wl), ph, kind, wl, contact, kinds))
                kinds.append(kind)
            elif u < 0.75:  # body and a contact field
                ck = r.choice(("national", "compact", "intl_plus", "intl_compact"))
                if ck in INTL_KINDS:  # the contact field itself gives the country code
                    body_parts.append(render_phone(ph, kind, r, wl))
                    if ph.country != "NL" and kind not in INTL_KINDS:
                        kinds.append("cue_intl")
                else:
                    body_parts.append(self._cued(render_phone(ph, kind, r, wl), ph, kind, wl, contact, kinds))
                self._contact_put(contact, ph, ck, i, kinds)
                kinds += [kind, "contact_field"]
            elif u < 0.93:  # contact fields only
                ck = r.choice(("national", "compact", "intl_plus", "intl_compact", "spaces"))
                self._contact_put(contact, ph, ck, i, kinds)
                kinds.append("contact_only")
            else:  # split across body and contact field
                d = ph.ndigits
                k = len(d) - r.choice((3, 4))
                body_parts.append(self._cued(_group(d[:k], r, " ") + " …", ph, "split", wl, None, kinds))
                if contact["phone"] is None:
                    contact["phone"] = "… " + d[k:]
                elif contact["whatsapp"] is None:
                    contact["whatsapp"] = "… " + d[k:]
                else:  # never overwrite a number already given
                    contact["phone"] = contact["phone"] + " / … " + d[k:]
                kinds.append("split")
        return (" / ".join(body_parts) if body_parts else None), contact, kinds

    def _cued(self, s: str, ph: Phone, kind: str, lang: str, contact: dict | None, kinds: list) -> str:
        """A foreign number in national format gets a cue a reader would use: the number with its
        country code in a free contact field ('cue_intl'), a flag ('cue_flag') or a country tag
        ('cue_tag': 'RO: 0774…', '0774… (Roemeens nummer)'). Dutch and +cc numbers are unchanged."""
        if ph.country == "NL" or kind in INTL_KINDS:
            return s
        r = self.rng
        u = r.random()
        if contact is not None and u < 0.35:
            slot = "whatsapp" if contact["whatsapp"] is None else "phone" if contact["phone"] is None else None
            if slot is not None and kind != "split":
                contact[slot] = ph.intl if r.random() < 0.6 else ph.e164
                kinds.append("cue_intl")
                return s
        if u < 0.65:
            kinds.append("cue_flag")
            return f"{FLAG[ph.country]} {s}"
        kinds.append("cue_tag")
        if lang in NUMBER_TAG and r.random() < 0.6:
            fmt, adj = NUMBER_TAG[lang]
            return f"{s} {fmt.format(adj[ph.country])}" if kind != "split" else f"{fmt.format(adj[ph.country])} {s}"
        return f"{ph.country}: {s}"

    def _contact_put(self, contact: dict, ph: Phone, kind: str, i: int, kinds: list) -> None:
        r = self.rng
        s = self._cued(render_phone(ph, kind, r, "en"), ph, kind, "en", None, kinds)
        if contact["phone"] is None and (i == 0 or r.random() < 0.5):
            contact["phone"] = s
            if r.random() < 0.3 and contact["whatsapp"] is None:
                contact["whatsapp"] = r.choice((ph.e164, f"wa.me/{ph.e164[1:]}", s))
        elif contact["whatsapp"] is None:
            contact["whatsapp"] = r.choice((s, f"wa.me/{ph.e164[1:]}"))
        elif contact["phone"] is None:
            contact["phone"] = s
        else:
            contact["phone"] = contact["phone"] + " / " + s

    def _email_text(self, email: str, lang: str) -> str:
        r = self.rng
        local, dom = email.split("@")
        k = r.randrange(6)
        if k == 0:
            return email
        if k == 1:
            return f"{local}(at){dom}"
        if k == 2:
            host, _, tld = dom.rpartition(".")
            return f"{local} [at] {host} [dot] {tld}"
        if k == 3:
            host, _, tld = dom.rpartition(".")
            return f"{local} at {host} dot {tld}"
        if k == 4:
            return f"{local} @ {dom}"
        return email.upper() if r.random() < 0.3 else email

    def _handle_text(self, h: str) -> str:
        r = self.rng
        plat, name = h.split(":", 1)
        pat = {"snapchat": ("Snap: {h}", "SC {h}", "👻 {h}", "snapchat: {h}"),
               "telegram": ("Telegram: @{h}", "TG @{h}", "t.me/{h}"),
               "instagram": ("Insta: @{h}", "IG: {h}", "instagram.com/{h}")}[plat]
        return r.choice(pat).replace("{h}", name)

    def _location(self, spec: dict, city: dict, district: str | None, ctxt: str) -> str | None:
        r = self.rng
        style = spec["loc"]
        if r.random() < 0.07:
            return None
        if style == "city_area":
            return f"{ctxt} - {district}" if district and district != ctxt and r.random() < 0.6 else ctxt
        if style == "city":
            return ctxt
        if style == "city_country":
            return f"{ctxt}, Netherlands"
        if style == "lower":
            return ctxt.lower()
        if style == "area":
            return district or ctxt
        if style == "country_city":
            return f"Olanda, {ctxt}"
        return ctxt

    def _new_id(self, si: int) -> str:
        r = self.rng
        self.site_ids[si] += r.randint(1, 40)
        n = self.site_ids[si]
        style = SITE_SPECS[si]["ids"]
        if style == "num7":
            return str(3_000_000 + n)
        if style == "num6":
            return str(n)
        if style == "num8":
            return str(41_000_000 + n * 3)
        if style == "num10":
            return str(4_800_000_000 + n * 7)
        if style == "ph":
            return f"ph-{n * 7919 % 36**6:06x}-{n}"
        if style == "sd":
            return f"SD{n:07d}"
        return f"{(n * 2654435761) % 16**10:010x}"

    def _images(self, photos: list, stock: list | None, flip: float) -> list:
        r = self.rng
        k = r.randint(1, min(4, len(photos)))
        i = r.randrange(len(photos))
        pick = (photos + photos)[i: i + k]
        if stock and r.random() < 0.4:
            pick.append(r.choice(stock))
        out = []
        for h in pick:
            if r.random() < flip:
                for _ in range(r.randint(1, 4)):
                    h ^= 1 << r.randrange(64)
                sha = f"{r.getrandbits(256):064x}"
            else:
                sha = hashlib.sha256(h.to_bytes(8, "big")).hexdigest()  # same photo -> same file hash
            out.append({"sha256": sha, "phash": f"{h:016x}"})
        return out

    def _new_ad(self, t: float, si: int, *, title: str, sents: list, sep: str, city: dict, district: str | None,
                ctxt: str, phones: list, phone_kind: str, lang: str, person: Person, images: list,
                truth: dict, email: str | None, handle: str | None, poster: str | None, contact_sentence: str,
                cta: str, distractors: list) -> AdState:
        r = self.rng
        spec = SITE_SPECS[si]
        st = AdState()
        st.site, st.spec = spec["site"], spec
        st.id = self._new_id(si)
        st.url = spec["url"].format(id=st.id)
        st.first_t = t
        phone_txt, contact, kinds = self._phone_block(phones, phone_kind, spec, lang)
        out = []
        for txt, flag in sents:
            if "{phone}" in txt:
                if phone_txt is None:
                    out.append([cta, 2])
                else:
                    out.append([txt.replace("{phone}", phone_txt), 2])
            else:
                out.append([txt, flag])
        emails, handles = [], []
        if email:
            emails.append(email.lower())
            if contact is not None and r.random() < 0.5:
                contact["email"] = self._email_text(email, lang) if r.random() < 0.3 else email
            else:
                out.append([("E-mail: " if r.random() < 0.5 else "✉ ") + self._email_text(email, lang), 2])
        if handle:
            handles.append(handle.lower())
            if contact is not None and r.random() < 0.4:
                contact["handle"] = self._handle_text(handle)
            else:
                out.append([self._handle_text(handle), 2])
        # distractor-only numbers the template may not have: postcodes, ad refs
        if r.random() < 0.12:
            ref = f"Ref. {r.randint(100000, 9999999)}"
            out.append([ref, 0])
            distractors = distractors + [ref]
        st.title = title
        st.sents = out
        st.cache = None
        st.posted_s = None
        st.sep = sep
        st.location = self._location(spec, city, district, ctxt)
        st.contact = contact
        st.poster = poster
        st.age = spec["age"].format(age=person.age) if spec["age"] and r.random() < 0.9 else None
        st.images = images
        st.extra = {}
        if r.random() < 0.3:
            st.extra["views"] = r.randint(10, 5000)
        if r.random() < 0.2:
            st.extra["rating"] = round(r.uniform(3, 5), 1)
        st.city_txt, st.district_txt = ctxt, district
        st.posted = t - r.uniform(0.05, 2) * DAY
        st.distractors = distractors
        truth.update(site=st.site, id=st.id, version=0, phones=[p.e164 for p in phones], emails=emails,
                     handles=handles, city=city["muni"], place=city["name"], lang=lang, obfuscations=kinds)
        st.truth = truth
        st.version = 0
        u = r.random()
        st.left = 0 if u < 0.45 else 1 if u < 0.7 else 2 if u < 0.85 else r.randint(3, 5)
        st.change = "new"
        self._push(t + r.uniform(0.02, 0.5) * DAY, self._capture, st)
        return st

    # ---- events ----------------------------------------------------------------------------------
    def _woman_move(self, t: float, w: Woman):
        r = self.rng
        net = w.net
        if t > net.end:
            net.women_left -= 1
            if net.women_left == 0:
                self._spawn_network(t)
            return
        w.circuit_pos = (w.circuit_pos + 1) % len(net.circuit)
        new_city = net.circuit[w.circuit_pos]
        if w.city is not None and new_city is w.city:
            new_city = self._city()
        w.city = new_city
        w.district = r.choice(new_city["areas"]) if new_city["areas"] and r.random() < 0.6 else None
        moved_existing = False
        for st in w.ads:
            if r.random() < 0.3:  # the existing ad is edited to the new city: a new version of the same ad
                self._move_ad(t, st, new_city, w.district)
                moved_existing = True
        if not moved_existing or r.random() < 0.5:
            k = r.choice((1, 1, 1, 2, 2, 3))
            sites = r.sample(net.sites, min(k, len(net.sites)))
            w.ads = [self._network_ad(t + r.uniform(0, 0.3) * DAY, w, si) for si in sites]
        if r.random() < 0.3:  # a bump repost halfway the stay
            self._push(t + r.uniform(2, 5) * DAY, self._woman_repost, w)
        self._push(t + r.uniform(7, 14) * DAY, self._woman_move, w)

    def _woman_repost(self, t: float, w: Woman):
        if t > w.net.end or w.city is None:
            return
        si = self.rng.choice(w.net.sites)
        st = self._network_ad(t, w, si)
        st.truth["change"] = "repost"
        st.change = "repost"
        w.ads.append(st)
        del w.ads[:-3]

    def _network_ad(self, t: float, w: Woman, si: int) -> AdState:
        r = self.rng
        net = w.net
        tp = r.choice(net.templates)
        lang0 = _pick_lang(tp.lang, r)
        p = w.person
        persons = [p]
        if r.random() < 0.04:  # duo ad with a second woman of the same network
            persons.append(self._person(net.origin, young=True))
        ctxt = self._city_text(w.city, lang0)
        dist = w.district or ctxt
        d = self._distractor_values(lang0, w.city)
        nl_en = lang0 if lang0 in ("nl", "en") else None
        nat_map = NAT.get(lang0) or {**self.d["adj"][lang0], **EXTRA_NAT[lang0]}
        country = ({**self.d["country"][nl_en], **EXTRA_COUNTRY[nl_en]}.get(p.origin, "") if nl_en else "")
        services = ", ".join(r.sample(SERVICES[lang0], r.randint(2, 4)))
        name = p.name if len(persons) == 1 else f"{p.name} & {persons[1].name}"
        fill = _Fmt(name=name, age=p.age, nat=nat_map.get(p.origin, ""), country=country, city=ctxt,
                    district=dist, price=PRICE_FMT[lang0][tp.price_fmt % len(PRICE_FMT[lang0])].format(a=d["a"], b=d["b"]),
                    services=services, hours=d["hours"])
        sents = [[s.format_map(fill), f] for s, f in tp.sents]
        sents = edit(sents, r, 0.3)
        title = tp.title.format_map(fill)
        if r.random() < 0.2:
            title = _typo(title, r) if r.random() < 0.5 else title.upper()
        phones = list(net.controllers) if r.random() < 0.5 else net.controllers[:1]
        if p.phone is not None and r.random() < 0.5:
            phones.append(p.phone)
        photos = p.photos + [h for q in persons[1:] for h in q.photos]
        images = self._images(photos, net.stock, flip=0.5)
        truth = {"template": tp.tid, "network": net.nid, "controlled": True, "persons": [q.pid for q in persons],
                 "kind": "network", "change": "new"}
        poster = net.poster if net.poster and r.random() < 0.8 else p.name
        cta = r.choice(NET[lang0]["cta"])
        email = net.email if r.random() < 0.7 else None
        handle = net.handle if r.random() < 0.7 else None
        return self._new_ad(t, si, title=title, sents=sents, sep=tp.sep, city=w.city, district=w.district,
                            ctxt=ctxt, phones=phones, phone_kind=tp.phone_kind, lang=tp.lang, person=p,
                            images=images, truth=truth, email=email, handle=handle, poster=poster,
                            contact_sentence="", cta=cta, distractors=_cands(d, p.age, lang0))

    def _ind_post(self, t: float, ind: Independent):
        r = self.rng
        if t > ind.end:
            self._spawn_independent(t)
            return
        if not ind.ads:
            sites = ind.sites
            change = "new"
        else:
            sites = [r.choice(ind.sites)]
            change = "repost"
            if r.random() < 0.06:  # she moves to another city (rare)
                ind.city = self._city()
                ind.district = r.choice(ind.city["areas"]) if ind.city["areas"] and r.random() < 0.6 else None
                old_c, old_d = ind.text_city, ind.text_district
                ind.text_city = self._city_text(ind.city, ind.lang.split("+")[0])
                ind.text_district = ind.district or ind.text_city
                ind.sents = [[s.replace(old_d, ind.text_district).replace(old_c, ind.text_city), f] for s, f in ind.sents]
                ind.title = ind.title.replace(old_d, ind.text_district).replace(old_c, ind.text_city)
                change = "moved"
            elif r.random() < 0.4:
                ind.sents = edit(ind.sents, r, 0.25)
        new = []
        for si in sites:
            st = self._own_ad(t + r.uniform(0, 0.2) * DAY, ind, si)
            st.truth["change"] = change
            st.change = change
            new.append(st)
        ind.ads = (ind.ads + new)[-3:]
        self._push(t + r.uniform(5, 21) * DAY, self._ind_post, ind)

    def _own_ad(self, t: float, ind: Independent, si: int) -> AdState:
        r = self.rng
        p = ind.person
        lang0 = _pick_lang(ind.lang, r)
        kind = ind.phone_kind if r.random() < 0.8 else r.choices(_PK, weights=_PW)[0]
        images = self._images(p.photos, None, flip=0.08)
        truth = {"template": ind.tid, "network": f"ind-{p.pid[2:]}", "controlled": False, "persons": [p.pid],
                 "kind": "independent", "change": "new"}
        return self._new_ad(t, si, title=ind.title, sents=ind.sents, sep=ind.sep, city=ind.city,
                            district=ind.district, ctxt=ind.text_city, phones=[p.phone], phone_kind=kind,
                            lang=ind.lang, person=p, images=images, truth=truth, email=p.email, handle=p.handle,
                            poster=ind.poster, contact_sentence="", cta=r.choice(OWN[lang0]["cta"]),
                            distractors=ind.cands)

    def _move_ad(self, t: float, st: AdState, city: dict, district: str | None) -> None:
        r = self.rng
        lang0 = st.truth["lang"].split("+")[0]
        new_txt = self._city_text(city, lang0)
        old_c, old_d = st.city_txt, st.district_txt
        new_d = district or new_txt
        st.sents = [[s.replace(old_d, new_d).replace(old_c, new_txt) if old_d else s.replace(old_c, new_txt), f]
                    for s, f in st.sents]
        st.title = (st.title or "").replace(old_c, new_txt)
        st.cache = None
        st.location = self._location(st.spec, city, district, new_txt)
        st.city_txt, st.district_txt = new_txt, district
        st.truth["city"], st.truth["place"] = city["muni"], city["name"]
        st.change = "moved"
        self._push(t + r.uniform(0.02, 0.5) * DAY, self._capture, st)

    def _capture(self, t: float, st: AdState):
        r = self.rng
        st.version += 1
        change = st.change
        if st.version > 1 and change not in ("moved",):
            u = r.random()
            if u < 0.35:
                st.sents = edit(st.sents, r, 0.35)
                st.cache = None
                change = "edited"
            else:
                change = "same"
            if r.random() < 0.3:
                st.posted = t - r.uniform(0.01, 1) * DAY  # bumped
        st.change = "same"
        spec = st.spec
        if st.cache is None:
            body = st.sep.join([s for s, _ in st.sents if s])
            if spec["disclaimer"]:
                body += "\n\n" + spec["disclaimer"]
            txt = body + " " + (st.title or "")
            st.cache = (body, [x for x in st.distractors if x in txt])
        body, dist = st.cache
        if spec["posted"] is None:
            posted = None
        elif st.posted_s is not None and st.posted_s[0] == st.posted:
            posted = st.posted_s[1]
        else:
            posted = _iso(st.posted, self.start)
            if spec["posted"] == "date":
                posted = posted[:10]
            st.posted_s = (st.posted, posted)
        ad = {"site": st.site, "id": st.id, "url": st.url, "collected_at": _iso(t, self.start), "posted_at": posted,
              "title": st.title, "body": body, "location": st.location,
              "contact": dict(st.contact) if st.contact is not None else None, "poster": st.poster,
              "stated_age": st.age, "images": st.images, "extra": st.extra}
        tr = {"site": st.site, "id": st.id, "version": st.version}
        tr.update(st.truth)
        tr["version"] = st.version
        tr["change"] = change if st.version > 1 else st.truth.get("change", "new")
        tr["distractors"] = list(dist)
        if st.left > 0:
            st.left -= 1
            self._push(t + r.uniform(0.5, 7) * DAY, self._capture, st)
        return ad, tr

    # ---- driver -----------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[tuple[dict, dict]]:
        nnet_women = int(self.actors * self.network_share * 0.75)
        # networks are spawned until they hold about the target number of women
        women = 0
        while women < nnet_women:
            before = self.counters["person"]
            self._spawn_network(0.0)
            women += self.counters["person"] - before
        for _ in range(self.actors - nnet_women):
            self._spawn_independent(0.0, initial=True)
        emitted = 0
        heap = self.heap
        while emitted < self.n and heap:
            t, _, fn, obj = heapq.heappop(heap)
            res = fn(t, obj)
            if res is not None:
                emitted += 1
                yield res


_AGE_WORDS = {"nl": ("jaar", "jr"), "en": ("years", "yo"), "es": ("años", "añitos"), "pt": ("anos", "aninhos"),
              "ro": ("ani",), "pl": ("lat",), "hu": ("éves",), "bg": ("години", "г.")}


def _cands(d: dict, age: int, lang: str) -> list:
    """Number-bearing strings that were put into a text and are NOT phone numbers."""
    out = [d["price"], f"€{d['a']}", f"€{d['b']}", f"{d['a']}€", f"{d['b']}€", f"{d['a']} eur", f"{d['b']} eur", d["hours"], d["height"], f"{d['kg']} kg", f"{d['street']} {d['house']}",
           d["postcode"], f"({age})"]
    for w in _AGE_WORDS.get(lang, ()):
        out.append(f"{age} {w}")
    return out


def generate(n: int, seed: int = 0, start: str | date = "2026-01-01", actors: int | None = None) -> Iterator[tuple[dict, dict]]:
    """Yield ``n`` (ad, truth) pairs, deterministically for (n, seed, start, actors)."""
    return iter(World(n, seed, start, actors))


# --------------------------------------------------------------------------------------
# Statistics and CLI
# --------------------------------------------------------------------------------------


def corpus_stats(truths) -> dict:
    """Summary of a stream of truth dicts (memory grows with the number of distinct ids)."""
    n = 0
    kinds, langs, obf, changes = Counter(), Counter(), Counter(), Counter()
    tpl_net, tpl_own, nets, inds, ads = set(), set(), set(), set(), set()
    versions_gt1 = 0
    with_dist = 0
    for t in truths:
        n += 1
        kinds[t["kind"]] += 1
        langs[t["lang"]] += 1
        changes[t["change"]] += 1
        for k in set(t["obfuscations"]):
            obf[k] += 1
        ads.add((t["site"], t["id"]))
        if t["version"] > 1:
            versions_gt1 += 1
        if t["distractors"]:
            with_dist += 1
        if t["controlled"]:
            tpl_net.add(t["template"])
            nets.add(t["network"])
        else:
            tpl_own.add(t["template"])
            inds.add(t["network"])
    return {
        "ads": n, "distinct_ads": len(ads), "share_network": kinds["network"] / max(n, 1),
        "share_later_versions": versions_gt1 / max(n, 1), "changes": dict(changes.most_common()),
        "network_templates": len(tpl_net), "networks": len(nets), "independent_templates": len(tpl_own),
        "independent_workers": len(inds), "languages": {k: round(v / n, 4) for k, v in langs.most_common()},
        "obfuscations": {k: round(v / n, 4) for k, v in obf.most_common()},
        "share_with_distractors": with_dist / max(n, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m vigil.ads.synth", description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="ads JSON Lines output")
    ap.add_argument("--ads", type=int, required=True, help="number of ad lines (captures) to write")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", default="2026-01-01", help="first day of the simulated period (YYYY-MM-DD)")
    ap.add_argument("--truth", required=True, help="truth JSON Lines output (one line per ad line)")
    ap.add_argument("--actors", type=int, default=None, help="active population (default scales with --ads, capped)")
    ap.add_argument("--stats", action="store_true", help="print corpus statistics (keeps id sets in memory)")
    a = ap.parse_args(argv)
    t0, c0 = time.perf_counter(), time.process_time()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = [0]

    def lines():
        with open(a.out, "w", encoding="utf-8") as fa, open(a.truth, "w", encoding="utf-8") as ft:
            for ad, tr in generate(a.ads, a.seed, a.start, a.actors):
                fa.write(dumps(ad) + "\n")
                ft.write(dumps(tr) + "\n")
                count[0] += 1
                yield tr

    if a.stats:
        stats = corpus_stats(lines())
    else:
        for _ in lines():
            pass
    n = count[0]
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"wrote {n} ads to {a.out} and {a.truth} in {dt:.1f} s wall, {cpu:.1f} s CPU "
          f"({n / dt:,.0f} ads/s wall, {n / max(cpu, 1e-9):,.0f} ads/s CPU)", file=sys.stderr)
    if a.stats:
        print(json.dumps(stats, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
