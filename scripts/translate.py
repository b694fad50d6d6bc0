"""Set translations in the catalogs from a small JSON file, keeping their layout.

Usage: python scripts/translate.py translations.json
where the file maps msgid -> {"zh_Hans": "...", "zh_Hant": "...", "en": "..."}.
A missing "en" means the English msgid stands for itself.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"


def main(path: str) -> None:
    wanted: dict[str, dict[str, str]] = json.loads(Path(path).read_text(encoding="utf-8"))
    for locale in ("zh_Hans", "zh_Hant", "en"):
        po_path = LOCALES / locale / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as po:
            catalog = read_po(po, locale=locale)
        for msgid, strings in wanted.items():
            if msgid not in catalog:
                raise SystemExit(f"{msgid!r} is not in {locale}: run `make catalogs` first")
            catalog[msgid].string = strings.get(locale, msgid)
            catalog[msgid].flags.discard("fuzzy")
        with po_path.open("wb") as po:
            write_po(po, catalog, width=76, omit_header=False)


if __name__ == "__main__":
    main(sys.argv[1])
