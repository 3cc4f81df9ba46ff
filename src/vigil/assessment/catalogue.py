"""The indicator catalogue: versioned data files (catalogue/indicators.yaml, catalogue/patterns/<language>.yaml).

`load()` reads and checks every file and compiles the patterns; any mistake is a CatalogueError naming the file,
line and field. `current()` is the catalogue in use: `reload()` replaces it only when the new files are valid, so
a broken edit never takes the engine down.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from vigil.assessment import patterns as P
from vigil.assessment import reader as R
from vigil.assessment.structured import CHECKS

DEFAULT_DIR = Path(__file__).parent / "catalogue"
ELEMENTS = ("act", "means", "purpose", "vulnerability", "minor", "none")
FORMS = ("sexual", "labour", "criminal", "organ_removal")
LANGUAGES = ("nl", "en", "ro", "bg", "pl", "es", "pt", "hu")  # every indicator with text patterns claims these
log = logging.getLogger(__name__)


class CatalogueError(ValueError):
    pass


class _Str(str):
    line = 0


class _Dict(dict):
    line = 0


class _Loader(yaml.SafeLoader):
    """YAML that remembers the line of every string and mapping, for error messages, and reads only true/false as
    booleans: "no", "on", "nie" are cue words here (YAML 1.1 would make the first two booleans)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _str(loader, node):
    value = _Str(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


def _map(loader, node):
    value = _Dict(loader.construct_mapping(node, deep=True))
    value.line = node.start_mark.line + 1
    value.key_lines = {getattr(k, "value", None): v.start_mark.line + 1 for k, v in node.value}
    return value


_Loader.add_constructor("tag:yaml.org,2002:str", _str)
_Loader.add_constructor("tag:yaml.org,2002:map", _map)


@dataclass
class Indicator:
    id: str
    label: dict
    description: dict
    forms: tuple
    element: str
    weight: int
    source: dict  # document, section, url
    urgent: bool = False
    smuggling: bool = False
    structured: dict | None = None
    text: bool = True  # read from text (needs patterns in every language); False: structured fields only
    languages: tuple = ()  # languages with text patterns

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    def label_in(self, language: str) -> str:
        return self.label.get(language) or self.label["en"]

    def description_in(self, language: str) -> str:
        return self.description.get(language) or self.description["en"]


@dataclass
class Example:
    indicator: str
    language: str
    text: str
    should_match: bool
    line: int


@dataclass
class Catalogue:
    version: str
    indicators: dict[str, Indicator]
    matcher: P.Matcher
    examples: list[Example] = field(default_factory=list)
    files: tuple = ()
    structured: list = field(default_factory=list)  # (indicator, check, parameters) of the structured signs
    reader: R.Reader | None = None  # the learned reader (reader.npz), None when absent or switched off


def _where(path: Path, node, key: str = "") -> str:
    line = getattr(node, "key_lines", {}).get(key) if key else None
    return f"{path}: line {line or getattr(node, 'line', 0) or '?'}"


def _read(path: Path):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        raise CatalogueError(f"{path}: line {line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read: {exc}") from None


def _require(path, node, key, kind, what=""):
    if not isinstance(node, dict) or key not in node:
        raise CatalogueError(f"{_where(path, node)}: {what}{key}: missing")
    value = node[key]
    if not isinstance(value, kind):
        raise CatalogueError(f"{_where(path, node, key)}: {what}{key}: "
                             f"must be {getattr(kind, '__name__', kind)}")
    return value


def _indicators(path: Path) -> tuple[str, dict[str, Indicator]]:
    data = _read(path)
    version = _require(path, data, "version", str)
    sources = _require(path, data, "sources", dict)
    out: dict[str, Indicator] = {}
    for item in _require(path, data, "indicators", list):
        ident = _require(path, item, "id", str)
        what = f"indicator {ident}: "
        if not re.fullmatch(r"[a-z]+\.[a-z0-9_]+", ident):
            raise CatalogueError(f"{_where(path, ident)}: {what}id: use family.name in lower case")
        if ident in out:
            raise CatalogueError(f"{_where(path, ident)}: {what}id: defined twice")
        texts = {}
        for key in ("label", "description"):
            value = _require(path, item, key, dict, what)
            for lang in ("nl", "en"):
                if not isinstance(value.get(lang), str) or not value[lang].strip():
                    raise CatalogueError(f"{_where(path, value)}: {what}{key}.{lang}: missing")
            texts[key] = dict(value)
        forms = _require(path, item, "forms", list, what)
        for form in forms:
            if form not in FORMS:
                raise CatalogueError(f"{_where(path, form)}: {what}forms: {form!r} is not one of {', '.join(FORMS)}")
        element = _require(path, item, "element", str, what)
        if element not in ELEMENTS:
            raise CatalogueError(f"{_where(path, element)}: {what}element: {element!r} is not one of "
                                 f"{', '.join(ELEMENTS)}")
        weight = _require(path, item, "weight", int, what)
        if not 1 <= weight <= 5:
            raise CatalogueError(f"{_where(path, item, 'weight')}: {what}weight: must be 1 to 5")
        source = _require(path, item, "source", dict, what)
        ref = _require(path, source, "ref", str, what + "source.")
        if ref not in sources:
            raise CatalogueError(f"{_where(path, ref)}: {what}source.ref: {ref!r} is not in sources")
        structured = item.get("structured")
        if structured is not None:
            check = _require(path, structured, "check", str, what + "structured.")
            if check not in CHECKS:
                raise CatalogueError(f"{_where(path, check)}: {what}structured.check: unknown check {check!r} "
                                     f"(known: {', '.join(sorted(CHECKS))})")
            structured = dict(structured)
        out[ident] = Indicator(
            id=ident, label=texts["label"], description=texts["description"], forms=tuple(forms), element=element,
            weight=weight, source={"document": sources[ref]["document"], "url": sources[ref].get("url", ""),
                                   "section": str(source.get("section", ""))},
            urgent=bool(item.get("urgent", False)), smuggling=bool(item.get("smuggling", False)),
            structured=structured, text=bool(item.get("text", True)))
        if not out[ident].text and structured is None:
            raise CatalogueError(f"{_where(path, item)}: {what}text: false needs a structured check")
    return str(version), out


def _cue_list(path, data, key) -> list[tuple]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{_where(path, data)}: {key}: must be a list of words or phrases")
    return [cue for cue in map(P.cue_tuple, value) if cue]


def _patterns(path: Path, indicators: dict[str, Indicator], compiled: list, examples: list) -> tuple[str, P.Cues]:
    data = _read(path)
    language = _require(path, data, "language", str)
    if language != path.stem:
        raise CatalogueError(f"{_where(path, language)}: language: {language!r} does not match the file name")
    breaks = _cue_list(path, data, "clause_breaks")
    if any(len(cue) != 1 for cue in breaks):
        raise CatalogueError(f"{_where(path, data, 'clause_breaks')}: clause_breaks: one word each "
                             f"(not {' '.join(next(c for c in breaks if len(c) != 1))!r})")
    cues = P.Cues(negations=_cue_list(path, data, "negations"), hypotheticals=_cue_list(path, data, "hypotheticals"),
                  clause_breaks=frozenset(cue[0] for cue in breaks),
                  concord=frozenset(w for cue in _cue_list(path, data, "concord") for w in cue))
    for ident, entry in (_require(path, data, "indicators", dict)).items():
        what = f"indicators.{ident}: "
        if ident not in indicators:
            raise CatalogueError(f"{_where(path, ident)}: {what}no such indicator in indicators.yaml")
        if not indicators[ident].text:
            raise CatalogueError(f"{_where(path, ident)}: {what}this indicator is read from structured fields only")
        found = _require(path, entry, "patterns", list, what)
        if not found:
            raise CatalogueError(f"{_where(path, entry)}: {what}patterns: empty")
        for text in found:
            if not isinstance(text, str):
                raise CatalogueError(f"{_where(path, entry)}: {what}patterns: each pattern is a string")
            try:
                first, *others = P.parse_all(text)
                compiled.append(P.Compiled(ident, language, str(text), first, tuple(others)))
            except P.PatternError as exc:
                raise CatalogueError(f"{_where(path, text)}: {what}pattern {text!r}: {exc}") from None
        for key, should in (("examples", True), ("not", False)):
            for text in entry.get(key, []) or []:
                examples.append(Example(ident, language, str(text), should, getattr(text, "line", 0)))
        if not entry.get("examples"):
            raise CatalogueError(f"{_where(path, entry)}: {what}examples: give at least one text the patterns find")
        indicators[ident].languages += (language,)
    return language, cues


def _reader(path: Path, indicators: dict[str, Indicator]) -> R.Reader:
    try:
        found = R.Reader.load(path)
    except R.ReaderError as exc:
        raise CatalogueError(str(exc)) from None
    for ident in found.heads.ids:
        if ident not in indicators or not indicators[ident].text:
            raise CatalogueError(f"{path}: ids: {ident!r} is not an indicator read from text in indicators.yaml")
    return found


def load(directory: Path | str = DEFAULT_DIR, languages: tuple = (), reader: bool = True) -> Catalogue:
    """The catalogue in `directory`; `languages` limits the pattern files read (for checking one language);
    `reader`: also the learned reader (`reader.npz`), when the directory has one."""
    directory = Path(directory)
    index = directory / "indicators.yaml"
    pattern_files = sorted(p for p in (directory / "patterns").glob("*.yaml") if not languages or p.stem in languages)
    reader_file = directory / "reader.npz"
    use_reader = reader and reader_file.is_file()
    files = (index, *pattern_files, *((reader_file,) if use_reader else ()))
    version, indicators = _indicators(index)
    compiled: list[P.Compiled] = []
    examples: list[Example] = []
    cues: dict[str, P.Cues] = {}
    for path in pattern_files:
        language, lang_cues = _patterns(path, indicators, compiled, examples)
        cues[language] = lang_cues
    learned = _reader(reader_file, indicators) if use_reader else None
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:10]
    structured = [(i.id, i.structured["check"], {k: v for k, v in i.structured.items() if k != "check"})
                  for i in indicators.values() if i.structured]
    return Catalogue(version=f"{version}+{digest}", indicators=indicators,
                     matcher=P.Matcher(compiled, cues, [e.text for e in examples]), examples=examples, files=files,
                     structured=structured, reader=learned)


_current: Catalogue | None = None


def _reader_on() -> bool:
    from django.conf import settings

    return getattr(settings, "VIGIL_READER", True)

_lock = threading.Lock()


def current() -> Catalogue:
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = load(reader=_reader_on())
    return _current


def reload(directory: Path | str = DEFAULT_DIR) -> Catalogue:
    """Load the files again; on a mistake the catalogue in use stays in use and the error is raised."""
    global _current
    try:
        fresh = load(directory, reader=_reader_on())
    except CatalogueError:
        log.exception("catalogue not reloaded; the previous version stays in use")
        raise
    with _lock:
        _current = fresh
    return fresh
