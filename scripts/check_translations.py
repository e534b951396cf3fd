#!/usr/bin/env python
"""Translation completeness: every message in the code has a non-fuzzy Arabic translation, and the compiled
catalogue matches the source catalogue. Exits non-zero and lists what is missing otherwise.

Needs GNU gettext (xgettext) for the extraction step, like Django's makemessages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def main() -> int:
    """Extract messages into a scratch copy of the catalogue and check it."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "repo"
        shutil.copytree(
            ROOT, work, ignore=shutil.ignore_patterns(".venv", ".tools", "var", ".git", "node_modules")
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "ar",
                "--no-obsolete",
                "--add-location",
                "file",
                "--ignore",
                "benchmarks/*",
                "--ignore",
                "scripts/*",
            ],
            cwd=work,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        extracted = polib.pofile(str(work / "locale" / "ar" / "LC_MESSAGES" / "django.po"))
        for entry in extracted:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"fuzzy: {entry.msgid!r}")
            elif not entry.translated():
                problems.append(f"untranslated: {entry.msgid!r} ({entry.occurrences[:1]})")
    if not MO.exists():
        problems.append(f"{MO.relative_to(ROOT)} is missing: run `make messages`")
    else:
        compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(MO))}
        for entry in polib.pofile(str(PO)):
            if entry.obsolete or not entry.translated() or "fuzzy" in entry.flags:
                continue
            if compiled.get((entry.msgctxt, entry.msgid)) != (entry.msgstr or entry.msgstr_plural):
                problems.append(f"stale compiled catalogue for {entry.msgid!r}: run `make messages`")
                break
    if problems:
        print(f"{len(problems)} translation problem(s):")
        for problem in problems[:200]:
            print("  " + problem)
        return 1
    print(f"Arabic translation complete: {len(extracted)} messages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
