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
    return longest(found)


def longest(found: list[tuple]) -> list[tuple]:
    """Of overlapping spans (start, end, ...), the longest; in text order."""
    found = sorted(found, key=lambda s: (s[0], -(s[1] - s[0])))
    out, end = [], -1
    for span in found:
        if span[0] >= end:
            out.append(span)
            end = span[1]
    return out


def highlight(text: str, known: list[tuple[str, str, str]],
              signs: list[tuple[int, int, str, str]] = ()) -> SafeString:
    """The text as HTML with identifiers and names marked, and `signs` (start, end, indicator id, tooltip) too:
    signs of trafficking are underlined around whatever identifiers they contain."""
    return render(text, spans(text, known), signs)


def render(text: str, idents: list[tuple[int, int, str, str]], signs: list[tuple[int, int, str, str]] = (),
           labels: dict[str, str] | None = None) -> SafeString:
    """`idents` (start, end, kind, value; not overlapping) in <mark>, `signs` underlined around them. An
    identifier cut by a sign's edge is left unmarked inside the sign rather than breaking the HTML."""
    labels = labels or {}
    parts, pos = [], 0

    def marks(lo: int, hi: int) -> None:
        nonlocal pos
        pos = lo
        for start, end, kind, value in idents:
            if start >= lo and end <= hi:
                parts.append(escape(text[pos:start]))
                parts.append(f'<mark class="ident ident-{escape(kind)}" data-kind="{escape(kind)}" '
                             f'title="{escape(labels.get(kind, kind))}: {escape(value)}">'
                             f"{escape(text[start:end])}</mark>")
                pos = end
        parts.append(escape(text[pos:hi]))
        pos = hi

    cursor = 0
    for start, stop, ident, tip in longest([s for s in signs if 0 <= s[0] < s[1] <= len(text)]):
        marks(cursor, start)
        parts.append(f'<span class="sign" data-indicator="{escape(ident)}" title="{escape(tip)}" tabindex="0">')
        marks(start, stop)
        parts.append("</span>")
        cursor = stop
    marks(cursor, len(text))
    return mark_safe("".join(parts))
