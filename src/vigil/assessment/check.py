"""Check the catalogue: every file valid, every example found, every counter-example not found.

    python -m vigil.assessment.check [LANGUAGE ...] [--dir DIRECTORY]
"""

from __future__ import annotations

import argparse
import sys

from vigil.assessment.catalogue import DEFAULT_DIR, LANGUAGES, CatalogueError, load
from vigil.assessment.engine import assess


def problems(cat, languages=()) -> list[str]:
    out = []
    for ex in cat.examples:
        if languages and ex.language not in languages:
            continue
        reading = assess({"text": ex.text}, ex.language, catalogue=cat, reader=False)  # the examples test the patterns
        ids = {i["id"] for i in reading["indicators"]}
        where = f"patterns/{ex.language}.yaml: line {ex.line}: {ex.indicator}"
        if ex.should_match and ex.indicator not in ids:
            aside = [a["reason"] for a in reading["set_aside"] if a["id"] == ex.indicator]
            out.append(f"{where}: example not found{' (set aside: ' + ', '.join(aside) + ')' if aside else ''}: "
                       f"{ex.text!r}")
        if not ex.should_match and ex.indicator in ids:
            out.append(f"{where}: counter-example found: {ex.text!r}")
    for ind in cat.indicators.values():
        if ind.text:
            missing = [lang for lang in (languages or LANGUAGES) if lang not in ind.languages]
            if missing:
                out.append(f"{ind.id}: no patterns for {', '.join(missing)}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("languages", nargs="*")
    parser.add_argument("--dir", default=str(DEFAULT_DIR))
    args = parser.parse_args(argv)
    try:
        cat = load(args.dir, tuple(args.languages))
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 2
    found = problems(cat, tuple(args.languages))
    for line in found:
        print(line)
    total = sum(1 for e in cat.examples if not args.languages or e.language in args.languages)
    print(f"catalogue {cat.version}: {len(cat.indicators)} indicators, {len(cat.matcher.patterns)} patterns, "
          f"{total} examples checked, {len(found)} problems", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
