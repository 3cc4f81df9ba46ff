"""Detection patterns: a small phrase syntax compiled once into one Aho-Corasick automaton for all languages.

Syntax of one pattern (whole words, case and accents ignored; see docs/assessment.md):

    took|takes|taken ~2 passport*     alternatives, a gap of up to 2 words, a word prefix
    {num:10-17} years|yrs|yo           a whole number in a range
    the? boss                          an optional word
    passport* & boss|employer & kept   parts near each other (within PROXIMITY words) in one sentence, any order

Text and patterns are folded the same way (lower case, accents removed, one character for one character so
offsets stay valid) and split into tokens: runs of letters, runs of digits, currency signs, brackets. The automaton
finds where each pattern's rarest word (its anchor) occurs; only there, and only when the pattern's other required
words occur somewhere in the text, is the rest of the pattern checked, so the cost per text hardly grows with the
number of patterns. Negation and hypotheticals are judged by cue words before the match, or inside it, within the
same clause.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, chain, compress
from operator import itemgetter, not_

import ahocorasick

# Numbers keep thousands separators (40.000 is 40000) and decimals (3,50 is 3); brackets are words of their own
# ("Ana (16)" is "ana ( 16 )"); a colon separates words but ends nothing ("Age: 16").
TOKEN = re.compile(r"\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)|\d+[.,]\d{1,2}(?!\d)|\d+|[^\W\d_]+|[€$£()]|[.!?;\n]+|,")
CLAUSE_END = set(".!?;\n,")
SENTENCE_END = set(".!?;\n")
_DECIMAL = re.compile(r"[.,]\d{1,2}$")
NEGATION_WINDOW, HYPOTHETICAL_WINDOW, MAX_GAP, PROXIMITY = 4, 8, 6, 8
# Where a text is cut into sentences for reading: after a sentence end followed by white space. No token spans
# such a place (numbers and words hold no white space; a run of sentence ends is no word), so every sentence is
# tokenised as in the whole text, and clause and sentence numbers, only ever compared, stay equal where they were.
# (Folding keeps white space and these marks, so the unfolded text is cut: a Greek question mark is cut only later.)
SENTENCE_CUT = re.compile(r"[.!?;\n]\s+")
SENTENCES_KEPT = 50_000  # sentences whose hits a matcher keeps (per process; about 10 MB)
NUMBER_TABLE = 1000  # number ranges up to this wide are indexed value by value
_EXTRA_FOLDS = {"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ß"}


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:
        low = ch
    if low in _EXTRA_FOLDS:
        return _EXTRA_FOLDS[low]
    base = unicodedata.normalize("NFKD", low)[0]
    return base if base.isalnum() or not low.isalnum() else low


FOLD = {cp: _fold_char(chr(cp)) for cp in range(0x0530) if _fold_char(chr(cp)) != chr(cp)}
FOLD.update({ord("’"): "'", ord("ʼ"): "'", ord("ș"): "s", ord("ț"): "t", ord("Ș"): "s", ord("Ț"): "t"})


def fold(text: str) -> str:
    """Lower case without accents, same length as the input (so spans in the folded text are spans in the text)."""
    return text.translate(FOLD)


@dataclass(frozen=True)
class Word:
    exact: frozenset
    prefixes: tuple
    optional: bool = False

    def accepts(self, token: str) -> bool:
        return token in self.exact or (bool(self.prefixes) and token.startswith(self.prefixes))


@dataclass(frozen=True)
class Gap:
    most: int


@dataclass(frozen=True)
class Number:
    low: int
    high: int
    optional: bool = False

    def accepts(self, token: str) -> bool:
        return token.isdigit() and len(token) <= 6 and self.low <= int(token) <= self.high


class PatternError(ValueError):
    pass


def _tokens(text: str) -> list[str]:
    """The words of a pattern or cue, split exactly as texts are (so "40.000" in a pattern is 40000 too)."""
    return Tokens(text).words


def parse_all(pattern: str) -> tuple[tuple, ...]:
    """A pattern's parts: one phrase, or several joined by " & " that must all occur near each other (within
    PROXIMITY words, in one sentence, in any order): "paspoort* & baas|werkgever & ingenomen|afgepakt"."""
    parts = pattern.split(" & ")
    if len(parts) > 4:
        raise PatternError("at most 4 parts joined by &")
    return tuple(parse(p) for p in parts)


def parse(pattern: str) -> tuple:
    """The pattern as a tuple of Word / Gap / Number elements; PatternError says what is wrong."""
    elements: list = []
    for raw in pattern.split():
        if m := re.fullmatch(r"~(\d)", raw):
            if not 1 <= int(m.group(1)) <= MAX_GAP:
                raise PatternError(f"gap {raw}: use ~1 to ~{MAX_GAP}")
            elements.append(Gap(int(m.group(1))))
            continue
        optional = raw.endswith("?") and len(raw) > 1
        body = raw[:-1] if optional else raw
        if m := re.fullmatch(r"\{num:(\d+)-(\d+)\}", body):
            low, high = int(m.group(1)), int(m.group(2))
            if low > high:
                raise PatternError(f"{raw}: the range is empty")
            elements.append(Number(low, high, optional))
            continue
        if body == "&":
            raise PatternError("& joins parts: write it with a space on both sides, between two phrases")
        if "{" in body or "}" in body or "~" in body:
            raise PatternError(f"{raw}: unknown syntax (use word, a|b, word*, word?, ~N, {{num:A-B}})")
        alternatives = body.split("|")
        if len(alternatives) == 1 and not body.endswith("*"):
            parts = _tokens(body)
            if not parts:
                raise PatternError(f"{raw}: no letters or digits")
            if len(parts) > 1:  # "24/7", "didn't": several tokens, matched one after the other
                if optional:
                    raise PatternError(f"{raw}: an optional word must be one token")
                elements.extend(Word(frozenset([p]), ()) for p in parts)
                continue
        exact, prefixes = set(), []
        for alt in alternatives:
            star = alt.endswith("*")
            parts = _tokens(alt[:-1] if star else alt)
            if len(parts) != 1:
                raise PatternError(f"{raw}: each alternative must be one word (got {alt!r})")
            if star and len(parts[0]) < 3:
                raise PatternError(f"{raw}: a prefix needs at least 3 letters")
            (prefixes.append(parts[0]) if star else exact.add(parts[0]))
        elements.append(Word(frozenset(exact), tuple(prefixes), optional))
    if not elements:
        raise PatternError("empty pattern")
    first = elements[0]
    if isinstance(first, Gap) or getattr(first, "optional", False):
        raise PatternError("a pattern must start with a required word or number")
    if isinstance(elements[-1], Gap):
        raise PatternError("a pattern cannot end with a gap")
    return tuple(elements)


@dataclass
class Compiled:
    indicator: str
    language: str
    text: str
    elements: tuple
    companions: tuple = ()  # further parts of an "&" pattern


@dataclass
class Cues:
    negations: list = field(default_factory=list)      # tuples of tokens
    hypotheticals: list = field(default_factory=list)
    clause_breaks: frozenset = frozenset()
    concord: frozenset = frozenset()  # n-words ("ningún", "żadnych") that a "no" before does not cancel


@dataclass
class Hit:
    indicator: str
    language: str
    pattern: str
    start: int  # character offsets in the text
    end: int
    set_aside: str = ""  # "negated" / "hypothetical" / ""


class Tokens:
    """A text split once: words (and numbers), their character spans, and the clause each belongs to."""

    __slots__ = ("words", "_matches", "clause", "sentence", "canon", "at")

    def __init__(self, text: str):
        # built with C-level iterators: this runs for every text, most of which match little
        folded = fold(text)
        matches = list(TOKEN.finditer(folded))
        tokens = list(map(re.Match.group, matches))
        firsts = list(map(itemgetter(0), tokens))
        ends_clause = list(map(CLAUSE_END.__contains__, firsts))
        keep = list(map(not_, ends_clause))
        self.words = words = list(compress(tokens, keep))
        self.clause = list(compress(accumulate(ends_clause), keep))
        self.sentence = list(compress(accumulate(map(SENTENCE_END.__contains__, firsts)), keep))
        if "," in folded or "." in folded:  # 40.000 -> 40000 and 3,50 -> 3, so {num:...} reads them
            words[:] = [_DECIMAL.sub("", w).replace(".", "").replace(",", "") if w[0].isdigit() else w
                        for w in words]
        self.canon = " " + " ".join(words) + " "
        starts = accumulate(map((1).__add__, map(len, words)), initial=1)
        self.at = dict(zip(starts, range(len(words)), strict=False))  # starts has one more: the end
        self._matches = list(compress(matches, keep))

    def span(self, i: int) -> tuple[int, int]:
        """Character offsets of word i in the text."""
        return self._matches[i].span()


def _match(elements: tuple, k: int, i: int, toks: Tokens, gaps: list) -> int:
    """End token index of elements[k:] matched from token i, or -1; gap tokens are appended to `gaps`."""
    if k == len(elements):
        return i
    e = elements[k]
    words = toks.words
    if isinstance(e, Gap):
        for skip in range(e.most + 1):
            j = i + skip
            if j > len(words) or (skip and toks.clause[j - 1] != toks.clause[i - 1]):
                break
            mark = len(gaps)
            gaps.extend(range(i, j))
            end = _match(elements, k + 1, j, toks, gaps)
            if end >= 0:
                return end
            del gaps[mark:]
        return -1
    if i < len(words) and e.accepts(words[i]) and (k == 0 or toks.clause[i] == toks.clause[i - 1]):
        end = _match(elements, k + 1, i + 1, toks, gaps)
        if end >= 0:
            return end
    if e.optional:
        return _match(elements, k + 1, i, toks, gaps)
    return -1


def _near(parts: tuple, start: int, end: int, toks: Tokens, gaps: list) -> tuple[int, int] | None:
    """Every part found in the same sentence, each with at most PROXIMITY words between it and the parts already
    found (before them, after them, or between them). Parts are tried until none is left or none can be added, so
    a part in the middle can bridge two far ones whichever part the automaton found first. The whole span, or None.
    """
    sentence = toks.sentence
    here = sentence[start]
    lo, hi = start, end
    covered = set(range(start, end)) - set(gaps)  # the words the parts themselves matched
    occupied = set(range(start, end))  # and the parts' own spans, gaps included: no part inside another
    left = list(parts)
    while left:
        for part in left:
            span = _place(part, lo, hi, here, occupied, toks)
            if span is not None:
                s, stop, found = span
                covered |= set(range(s, stop)) - set(found)
                occupied |= set(range(s, stop))
                lo, hi = min(lo, s), max(hi, stop)
                left.remove(part)
                break
        else:
            return None
    # everything between the parts counts as inside the match for negation ("niet door de baas ingenomen")
    gaps[:] = [g for g in range(lo, hi) if g not in covered]
    return lo, hi


def _place(part: tuple, lo: int, hi: int, here: int, occupied: set, toks: Tokens) -> tuple[int, int, list] | None:
    words, sentence = toks.words, toks.sentence
    for s in range(max(0, lo - PROXIMITY - _reach(part)[0]), min(len(words), hi + PROXIMITY + 1)):
        if sentence[s] != here or not part[0].accepts(words[s]):
            continue
        found: list[int] = []
        stop = _match(part, 0, s, toks, found)
        if stop >= 0 and sentence[stop - 1] == here and (
                (stop <= lo and lo - stop <= PROXIMITY) or (s >= hi and s - hi <= PROXIMITY)
                or (lo <= s and stop <= hi and occupied.isdisjoint(range(s, stop)))):
            return s, stop, found
    return None


def _cue_index(cues: list[tuple]) -> tuple[frozenset, dict]:
    """One-word cues as a set; longer cues by their first word."""
    single = frozenset(c[0] for c in cues if len(c) == 1)
    multi: dict[str, list[tuple]] = {}
    for c in cues:
        if len(c) > 1:
            multi.setdefault(c[0], []).append(c)
    return single, multi


def _has_cue(words: list[str], index: tuple[frozenset, dict]) -> bool:
    if not words:
        return False
    single, multi = index
    if not single.isdisjoint(words):
        return True
    for i, w in enumerate(words):
        for cue in multi.get(w, ()):
            if tuple(words[i:i + len(cue)]) == cue:
                return True
    return False


@dataclass
class _Anchored:
    """A pattern indexed by its most selective word: on a hit there, the pattern may start a few words earlier."""

    index: int
    elements: tuple
    first: object  # elements[0]
    before_most: int  # tokens the elements before the anchor can take at most
    before_least: int  # and at least
    next_word: object = None  # the required word right after the anchor, if any: a cheap first test
    prev_word: object = None  # and right before it
    companions: tuple = ()  # the other parts of an "&" pattern, to be found near the anchored part
    needs: tuple = ()  # (exact words, prefix keys) of every other required word: all must occur in the text


def _reach(elements: tuple) -> tuple[int, int]:
    most = sum(e.most if isinstance(e, Gap) else 1 for e in elements)
    least = sum(0 if isinstance(e, Gap) or getattr(e, "optional", False) else 1 for e in elements)
    return most, least


class TextFrequency:
    """How often words (and word prefixes) occur in a sample of real-looking text: the catalogue's own examples.
    The anchor of a pattern is its word that is rarest in text, so that the automaton's hits are few."""

    def __init__(self, texts: list[str] = ()):
        counts: dict[str, int] = {}
        for text in texts:
            for w in Tokens(text).words:
                counts[w] = counts.get(w, 0) + 1
        self.counts = counts
        self.vocabulary = sorted(counts)
        self.cumulative = list(accumulate((counts[w] for w in self.vocabulary), initial=0))

    def of(self, word: str) -> int:
        if not word.endswith("*"):
            return self.counts.get(word, 0)
        prefix = word[:-1]
        lo = bisect_left(self.vocabulary, prefix)
        hi = bisect_left(self.vocabulary, prefix + "\U0010ffff")
        return self.cumulative[hi] - self.cumulative[lo]


def _choose_anchor(elements: tuple, frequency: dict[str, int], text: TextFrequency) -> tuple[int, tuple | None]:
    """The required word rarest in text (then among patterns, then longest), so hits are few."""
    best, best_key = -1, None
    for k, e in enumerate(elements):
        if not isinstance(e, Word) or e.optional:
            continue
        alternatives = [*e.exact, *(p + "*" for p in e.prefixes)]
        shortest = min(len(w.rstrip("*")) for w in alternatives)
        common_in_text = shortest <= 2 or any(w.rstrip("*").isdigit() for w in alternatives)  # "h", "7", "de"
        key = (sum(text.of(w) for w in alternatives) + 100 * common_in_text,
               max(frequency.get(w, 0) for w in alternatives) + 3 * len(e.prefixes), -shortest)
        if best_key is None or key < best_key:
            best, best_key = k, key
    return best, best_key


class Matcher:
    """All patterns of all languages, compiled once into one automaton over their anchor words."""

    def __init__(self, compiled: list[Compiled], cues: dict[str, Cues], sample: list[str] = ()):
        self.cues = cues
        self.negations = {lang: _cue_index(c.negations) for lang, c in cues.items()}
        self.hypotheticals = {lang: _cue_index(c.hypotheticals) for lang, c in cues.items()}
        self.patterns = compiled
        self.self_negating = {
            n for n, p in enumerate(compiled) if p.language in cues and any(
                isinstance(e, Word) and not e.exact.isdisjoint(cues[p.language].concord)
                for part in (p.elements, *p.companions) for e in part)}
        frequency: dict[str, int] = {}
        for pattern in compiled:
            for part in (pattern.elements, *pattern.companions):
                for e in part:
                    if isinstance(e, Word):
                        for w in [*e.exact, *(p + "*" for p in e.prefixes)]:
                            frequency[w] = frequency.get(w, 0) + 1
        text = TextFrequency(sample)
        self.by_key: dict[str, list[_Anchored]] = {}
        self.by_number: dict[int, list[_Anchored]] = {}  # patterns of numbers only, by each value allowed
        for index, pattern in enumerate(compiled):
            parts = (pattern.elements, *pattern.companions)
            # the part with the most selective word is found first; the others are looked for around it
            choices = [(_choose_anchor(part, frequency, text), n) for n, part in enumerate(parts)]
            usable = [(key, k, n) for (k, key), n in choices if k >= 0]
            if not usable:  # numbers only
                elements = parts[0]
                first = elements[0]
                entry = _Anchored(index, elements, first, 0, 0, companions=parts[1:])
                for value in range(first.low, min(first.high, first.low + NUMBER_TABLE) + 1):
                    self.by_number.setdefault(value, []).append(entry)
                continue
            _, k, n = min(usable)
            elements = parts[n]
            most, least = _reach(elements[:k])
            after = elements[k + 1] if k + 1 < len(elements) else None
            before = elements[k - 1] if k else None
            needs = tuple(
                (e.exact, tuple(f" {p}" for p in e.prefixes)) for part in parts for e in part
                if isinstance(e, Word) and not e.optional and e is not elements[k])
            entry = _Anchored(index, elements, elements[0], most, least,
                              after if isinstance(after, Word) and not after.optional else None,
                              before if isinstance(before, Word) and not before.optional else None,
                              parts[:n] + parts[n + 1:], needs)
            anchor = elements[k]
            for key in [f" {w} " for w in anchor.exact] + [f" {p}" for p in anchor.prefixes]:
                self.by_key.setdefault(key, []).append(entry)
        self._sentences: dict[tuple[str, str], tuple[Hit, ...]] = {}  # (sentence, language) -> its hits
        automaton = ahocorasick.Automaton()
        for key in self.by_key:
            automaton.add_word(key, key)
        if self.by_key:
            automaton.make_automaton()
        self.automaton = automaton if self.by_key else None

    def find(self, text: str, language: str = "") -> list[Hit]:
        """Every pattern's hits in ``text``. A match never leaves its sentence, so the text is read sentence by
        sentence and each sentence's hits are kept: ads written from templates, and texts captured again, repeat
        most of their sentences word for word (on the synthetic ads three in four sentences of distinct texts had
        been read before)."""
        hits: list[Hit] = []
        known = self._sentences
        start = 0
        for cut in chain(SENTENCE_CUT.finditer(text), (None,)):
            end, after = (cut.start() + 1, cut.end()) if cut is not None else (len(text), len(text))
            sentence = text[start:end]
            found = known.get((sentence, language))
            if found is None:
                found = self._find_in_sentence(sentence, language)
                if len(known) >= SENTENCES_KEPT:
                    del known[next(iter(known))]  # the oldest first
                known[(sentence, language)] = found
            hits.extend(Hit(h.indicator, h.language, h.pattern, h.start + start, h.end + start, h.set_aside)
                        for h in found)
            start = after
        return hits

    def forget(self) -> None:
        """Drop the sentences kept (a benchmark of reading unseen text)."""
        self._sentences.clear()

    def _find_in_sentence(self, text: str, language: str) -> tuple[Hit, ...]:
        toks = Tokens(text)
        words = toks.words
        if not words:
            return ()
        hits = []
        seen: set[tuple[int, int]] = set()

        present = set(words)
        canon = toks.canon

        def has_all(needs: tuple) -> bool:
            """A cheap test before matching: every required word occurs somewhere in the text."""
            for exact, prefixes in needs:
                if exact.isdisjoint(present) and not any(p in canon for p in prefixes):
                    return False
            return True

        def attempt(i: int, entries: list[_Anchored]) -> None:
            for entry in entries:
                if entry.next_word is not None and (i + 1 >= len(words) or not entry.next_word.accepts(words[i + 1])):
                    continue
                if entry.prev_word is not None and (i == 0 or not entry.prev_word.accepts(words[i - 1])):
                    continue
                if entry.needs and not has_all(entry.needs):
                    continue
                # nearest possible start first: the shortest match around the anchor
                for j in range(i - entry.before_least, max(-1, i - entry.before_most - 1), -1):
                    if j < 0 or not entry.first.accepts(words[j]):
                        continue
                    gaps: list[int] = []
                    end = _match(entry.elements, 0, j, toks, gaps)
                    if end <= i:
                        continue
                    start = j
                    if entry.companions:
                        span = _near(entry.companions, j, end, toks, gaps)
                        if span is None:
                            break
                        start, end = min(start, span[0]), max(end, span[1])
                    if (entry.index, start) not in seen:
                        seen.add((entry.index, start))
                        pattern = self.patterns[entry.index]
                        hits.append(Hit(pattern.indicator, pattern.language, pattern.text, toks.span(start)[0],
                                        toks.span(end - 1)[1],
                                        self._set_aside(toks, start, gaps, entry.index, language)))
                    break

        if self.automaton is not None:
            for end, key in self.automaton.iter(toks.canon):
                i = toks.at.get(end - len(key) + 2)
                if i is not None:
                    attempt(i, self.by_key[key])
        if self.by_number:
            for i, w in enumerate(words):
                if w.isdigit() and len(w) <= 6 and int(w) in self.by_number:
                    attempt(i, self.by_number[int(w)])
        return tuple(hits)

    def _set_aside(self, toks: Tokens, i: int, gaps: list[int], index: int, declared: str) -> str:
        """"negated", "hypothetical" or "". The cues are those of the text's language when it is known (a Spanish
        "no" before a match of a Bulgarian pattern), else of the pattern's language. A pattern with an n-word of
        its language's `concord` list is not negated by a "no" before it ("no tiene ningún día libre")."""
        language = declared if declared in self.negations else self.patterns[index].language
        breaks = self.cues[language].clause_breaks if language in self.cues else frozenset()
        clause = toks.clause[i]
        before = []
        j = i - 1
        while j >= 0 and i - j <= HYPOTHETICAL_WINDOW and toks.clause[j] == clause and toks.words[j] not in breaks:
            before.append(toks.words[j])
            j -= 1
        before.reverse()
        if language in self.negations and index not in self.self_negating:
            if _has_cue(before[-NEGATION_WINDOW:], self.negations[language]) or _has_cue(
                    [toks.words[g] for g in gaps], self.negations[language]):
                return "negated"
        if language in self.hypotheticals and _has_cue(before, self.hypotheticals[language]):
            return "hypothetical"
        return ""


@cache
def cue_tuple(phrase: str) -> tuple:
    return tuple(_tokens(phrase))
