"""Mark identifiers and names inside a narrative, so the analyst sees at once what was extracted."""

from __future__ import annotations

import re

import phonenumbers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vigil import normalise


def spans(text: str, known: list[tuple[str, str, str]]) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, normalised) for every known value found in the text and every phone number in it."""
    found = []
    lowered = text.casefold()
    for given, kind, value in known:
        if len(given) < 3:
            continue
        for m in re.finditer(re.escape(given.casefold()), lowered):
            found.append((m.start(), m.end(), kind, value))
    for match in phonenumbers.PhoneNumberMatcher(text, "NL", leniency=phonenumbers.Leniency.VALID):
        found.append((match.start, match.end, "phone", normalise.phone(match.raw_string).value))
    # keep the longest of overlapping spans
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out, end = [], -1
    for span in found:
        if span[0] >= end:
            out.append(span)
            end = span[1]
    return out


def highlight(text: str, known: list[tuple[str, str, str]]) -> SafeString:
    parts, pos = [], 0
    for start, end, kind, value in spans(text, known):
        parts.append(escape(text[pos:start]))
        parts.append(f'<mark class="ident ident-{escape(kind)}" title="{escape(kind)}: {escape(value)}">'
                     f"{escape(text[start:end])}</mark>")
        pos = end
    parts.append(escape(text[pos:]))
    return mark_safe("".join(parts))
