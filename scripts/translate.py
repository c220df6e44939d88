"""Refresh the catalogs and fill the Russian one from a JSON file of translations, then compile.

    .venv/bin/python scripts/translate.py var/ru/requests.json

The JSON maps an English msgid to its Russian text; a plural msgid maps to a list of the three Russian
forms (one, few, many); a msgid with a context (`pgettext`) is written "context|msgid". Two files that
translate one msgid differently stop the run: the same English word may need two Russian ones (a project is
"Запланирован", a touch "Запланировано") — give them contexts instead of letting the last file win. A file that
would change a translation the catalogue already has stops the run too (a new "New": "Новых" once turned a
request's status "Новое" into "Новых" everywhere): use another msgid or a context, or, to change it on purpose,
pass --retranslate. Several people may run this at once: a lock file serialises them. Prints the msgids still
untranslated, so the next step is obvious.
"""

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "orbit" / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def apply(translations: dict, *, retranslate: bool = False) -> list[str]:
    catalog = polib.pofile(str(PO))
    changed = []
    for entry in catalog:
        text = translations.get(f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid)
        if text is None:
            continue
        before = (
            [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
            if entry.msgid_plural
            else entry.msgstr
        )
        if (
            before
            and not entry.fuzzy  # msgmerge's guess from a similar msgid, not a translation anyone made
            and any(before)
            and before != text
            and not (entry.msgid_plural and not isinstance(text, list))
        ):
            changed.append(f"{entry.msgid!r}: {before!r} -> {text!r}")
        if entry.msgid_plural:
            forms = text if isinstance(text, list) else [text] * 3
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    if changed and not retranslate:
        sys.exit(
            "These would change translations the catalogue already has (another msgid or a context, or "
            "--retranslate):\n  " + "\n  ".join(changed)
        )
    catalog.save()
    return [e.msgid for e in catalog if not e.obsolete and (e.fuzzy or not e.translated())]


def main() -> None:
    translations: dict = {}
    source: dict[str, str] = {}
    clashes = []
    retranslate = "--retranslate" in sys.argv
    for path in (a for a in sys.argv[1:] if a != "--retranslate"):
        for msgid, text in json.loads(Path(path).read_text(encoding="utf-8")).items():
            if msgid in translations and translations[msgid] != text:
                clashes.append(f"{msgid!r}: {source[msgid]} {translations[msgid]!r}, {path} {text!r}")
            translations[msgid], source[msgid] = text, path
    if clashes:
        sys.exit("Translated differently in two files (use a pgettext context):\n  " + "\n  ".join(clashes))
    with open("/tmp/orbit-translate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # The interpreter running this script, not `make messages`: in a second worktree make would build a venv.
        manage = [sys.executable, "manage.py"]
        env = os.environ | {"DEBUG": "true"}
        ignored = ["--ignore=.venv", "--ignore=bench", "--ignore=tests", "--ignore=var"]
        subprocess.run(
            [*manage, "makemessages", "-l", "ru", "-l", "en", *ignored, "--no-obsolete"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        missing = apply(translations, retranslate=retranslate)
        subprocess.run([*manage, "compilemessages", "--ignore=.venv"], cwd=ROOT, env=env, check=True)
    print(f"untranslated ({len(missing)}):", *missing[:40], sep="\n  ")


if __name__ == "__main__":
    main()
