"""Public page content: Markdown files per language (content/<lang>/<page>.md), not text in code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
from django.utils.safestring import SafeString, mark_safe

ROOT = Path(__file__).resolve().parent / "content"
PAGES = ("index", "signs", "after", "report")
FALLBACK = "en"


@dataclass(frozen=True)
class Page:
    title: str
    html: SafeString
    language: str  # the language the text is actually in (the fallback when a translation is missing)


@cache
def load(name: str, language: str) -> Page:
    if name not in PAGES:
        raise KeyError(name)
    path = ROOT / language / f"{name}.md"
    lang = language
    if not path.exists():
        path, lang = ROOT / FALLBACK / f"{name}.md", FALLBACK
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    title = first.lstrip("# ").strip()
    return Page(title=title, html=mark_safe(markdown.markdown(rest, output_format="html")), language=lang)


def languages() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if p.is_dir())
