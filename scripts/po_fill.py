"""Fill English msgstrs in the catalogue from a JSON object {msgid: msgstr}.

Usage: .venv/bin/python scripts/po_fill.py translations.json
Plural entries take a list [singular, plural]. Prints what is still untranslated.
"""

import json
import sys

import polib

PO = "zhibu/locale/en/LC_MESSAGES/django.po"

po = polib.pofile(PO)
table = {}
if len(sys.argv) > 1:
    with open(sys.argv[1], encoding="utf-8") as handle:
        table = json.load(handle)
for entry in po:
    if entry.msgid in table:
        value = table[entry.msgid]
        if entry.msgid_plural:
            entry.msgstr_plural = {0: value[0], 1: value[1]}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
po.save(PO)
left = [e.msgid for e in po if (not e.translated() or "fuzzy" in e.flags) and not e.obsolete]
for msgid in left:
    print(json.dumps(msgid, ensure_ascii=False))
print(f"{len(left)} untranslated", file=sys.stderr)
