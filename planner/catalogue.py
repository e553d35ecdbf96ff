"""The app's message catalogue: extract every message, merge it into each ``app.po``.

``python -m planner.catalogue`` (from a source checkout) extracts the messages of
``app.py`` and ``app_pages/`` with Babel's Python extractor (keywords ``_`` and ``N_``),
adds the titles the app shows from the library's vocabularies (preset titles and
descriptions, model titles, host methods, dataset titles, network place names), and
merges them into ``planner/locale/<lang>/LC_MESSAGES/app.po``: translations are kept,
new messages get an empty ``msgstr`` (to translate), messages no longer used are dropped.
Entries are sorted by source file, with ``#:`` references. ``--check`` writes nothing and
exits 1 when a catalogue is out of date or has a message without a translation.

Equivalent with Babel's command line, for the extracted part only:
``pybabel extract -k _ -k N_ -o /tmp/app.pot app.py app_pages`` then
``pybabel update -N -i /tmp/app.pot -D app -d planner/locale``.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

from planner.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue_path

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None}
DOMAIN = "app"
NETWORK_LOCATIONS = ROOT / "abm" / "data" / "networks" / "central_asia" / "locations.csv"


class CatalogueError(RuntimeError):
    """The app sources are not where the catalogue tool looks (not a source checkout)."""


def _rel(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def extracted_messages(root: Path = ROOT) -> list[tuple[str, str, int]]:
    """``(message, file, line)`` of every ``_()``/``N_()`` call in ``app.py`` and
    ``app_pages/`` (Babel's Python extractor)."""
    app, pages = root / "app.py", root / "app_pages"
    if not app.is_file() or not pages.is_dir():
        raise CatalogueError(f"no app sources under {root} (app.py, app_pages/): run from a "
                             "source checkout")
    out = [(msg, "app.py", line) for line, msg, _c, _x in
           extract_from_file("python", app, keywords=KEYWORDS)]
    for fname, line, msg, _c, _x in extract_from_dir(pages, [("**.py", "python")],
                                                     keywords=KEYWORDS):
        out.append((msg, "app_pages/" + fname.replace("\\", "/"), line))
    return [(m, f, n) for m, f, n in out if isinstance(m, str) and m]


def _line_of(path: Path, text: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text[:40] in line:
            return i
    return 1


def dynamic_messages() -> list[tuple[str, str, int]]:
    """Titles the app translates at run time with ``_(value)``: they live in the library's
    vocabularies, not in the app's source, so the extractor cannot see them."""
    from forecast import datasets, models, scenarios
    from forecast.models import MODEL_TITLES
    from planner import pipeline

    out: list[tuple[str, str, int]] = []

    def add(texts, module) -> None:
        path = Path(module.__file__)
        for text in texts:
            out.append((text, _rel(path), _line_of(path, text)))

    add(scenarios.PRESET_TITLES.values(), scenarios)
    add([p.description for p in scenarios.PRESETS.values()], scenarios)
    for alias, cls in models.REGISTRY.items():  # a title lives with its model class
        add([MODEL_TITLES[alias]], sys.modules[cls.__module__])
    add(pipeline.HOST_METHODS.values(), pipeline)
    add([m.title for m in datasets.REGISTRY.values()], datasets)
    with NETWORK_LOCATIONS.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    names = []
    for i, row in enumerate(rows[1:], start=2):
        name = row[0].removesuffix("_reception").replace("_", " ")
        if name not in {n for n, _f, _l in names}:
            names.append((name, _rel(NETWORK_LOCATIONS), i))
    out.extend(names)
    return out


def template() -> Catalog:
    """The catalogue template (``.pot``) of the ``app`` domain."""
    cat = Catalog(domain=DOMAIN, project="ca-refugee-planner", version="0.1",
                  charset="utf-8", fuzzy=False)
    for msg, fname, line in [*extracted_messages(), *dynamic_messages()]:
        flags = ("python-brace-format",) if "{" in msg else ()
        existing = cat.get(msg)
        if existing is None:
            cat.add(msg, locations=[(fname, line)], flags=flags)
        else:
            existing.locations.append((fname, line))
    return cat


def merged(lang: str, tmpl: Catalog | None = None) -> tuple[Catalog, str]:
    """The ``lang`` catalogue merged with the template (``tmpl``, extracted when None),
    and its text as written."""
    path = catalogue_path(lang, DOMAIN)
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang, domain=DOMAIN)
    created, revised = cat.creation_date, cat.revision_date
    cat.update(tmpl if tmpl is not None else template(), no_fuzzy_matching=True, update_header_comment=False)
    cat.creation_date, cat.revision_date = created, revised  # stable text: --check compares
    cat.last_translator = "ca-refugee-planner contributors"
    cat.language_team = "Russian"
    cat.msgid_bugs_address = ""
    buf = io.BytesIO()
    write_po(buf, cat, sort_by_file=True, ignore_obsolete=True, width=96,
             include_previous=False, omit_header=False, include_lineno=False)
    # file names without line numbers: moving code does not change the catalogue
    # the header names the Babel version that wrote it: left out, so the text (and the
    # --check) is the same with every Babel the project allows (the lowest pins too)
    text = re.sub(r'"Generated-By: Babel [^"\\]*\\n"', lambda _m: '"Generated-By: Babel\\n"',
                  buf.getvalue().decode("utf-8"))
    return cat, text


def untranslated(cat: Catalog) -> list[str]:
    """Messages of ``cat`` without a usable translation (empty or fuzzy)."""
    return [m.id for m in cat if m.id and (not m.string or m.fuzzy)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m planner.catalogue", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if a catalogue is stale or incomplete")
    args = ap.parse_args(argv)
    status = 0
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        path = catalogue_path(lang, DOMAIN)
        cat, text = merged(lang)
        missing = untranslated(cat)
        stale = path.read_text(encoding="utf-8") != text
        if args.check:
            if stale or missing:
                status = 1
                print(f"{path}: {'out of date; ' if stale else ''}{len(missing)} message(s) "
                      "without a translation", file=sys.stderr)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path}: {len(cat)} messages, {len(missing)} to translate")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
