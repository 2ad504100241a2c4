#!/bin/sh
# Refresh locale/ after adding or changing translatable strings, then say what is left to translate.
# Vietnamese is the source language: its catalogue is msgid copied to msgstr (msgen). English is translated
# by hand in locale/en/LC_MESSAGES/django.po; this script lists the entries still untranslated or fuzzy.
# Safe to run any number of times.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
VI=locale/vi/LC_MESSAGES/django.po
EN=locale/en/LC_MESSAGES/django.po

for tool in msgen msgattrib msgfmt; do
  command -v "$tool" >/dev/null 2>&1 || { echo "Missing $tool: install GNU gettext (apt-get install gettext)." >&2; exit 1; }
done

mkdir -p locale
"$PYTHON" manage.py makemessages -l vi -l en --no-obsolete --no-wrap --add-location=file \
  --ignore=.venv --ignore=.tools --ignore=bench --ignore=tests --ignore=staticfiles --ignore=node_modules -v 0

# A new catalogue's header is a fuzzy template; give it the project's language and plural rule once.
"$PYTHON" - "$VI" "$EN" <<'PY'
import re
import sys

PLURALS = {"vi": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}
for path in sys.argv[1:]:
    lang = path.split("/")[1]
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    head, sep, rest = text.partition('\n\n')
    head = head.replace("#, fuzzy\n", "")
    head = re.sub(r'"Project-Id-Version: [^"]*"', r'"Project-Id-Version: mot-cua\\n"', head)
    head = re.sub(r'"Language: [^"]*"', rf'"Language: {lang}\\n"', head)
    head = re.sub(r'"Language-Team: LANGUAGE <LL@li.org>\\n"', rf'"Language-Team: {lang}\\n"', head)
    head = re.sub(r'"Plural-Forms: [^"]*"', rf'"Plural-Forms: {PLURALS[lang]}\\n"', head)
    head = re.sub(r'"Content-Type: [^"]*"', r'"Content-Type: text/plain; charset=UTF-8\\n"', head)
    head = head.replace("# SOME DESCRIPTIVE TITLE.", "# Một Cửa portal, %s catalogue." % lang)
    head = head.replace("# Copyright (C) YEAR THE PACKAGE'S COPYRIGHT HOLDER\n", "")
    head = head.replace("# This file is distributed under the same license as the PACKAGE package.\n", "")
    head = head.replace("# FIRST AUTHOR <EMAIL@ADDRESS>, YEAR.\n", "")
    created = re.search(r'"POT-Creation-Date: ([^"]*)\\n"', head)
    if created:
        head = head.replace("PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE", "PO-Revision-Date: " + created.group(1))
    head = head.replace("Last-Translator: FULL NAME <EMAIL@ADDRESS>", "Last-Translator: Một Cửa developers")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(head + sep + rest)
PY

# Vietnamese: a fuzzy guess from msgmerge is never right for the source language; empty it, then copy msgids.
msgattrib --clear-fuzzy --empty --no-wrap -o "$VI" "$VI"
msgen --no-wrap -o "$VI" "$VI"
# msgen writes msgstr[0] and msgstr[1]; Vietnamese has one plural form, so keep msgstr[0] only.
"$PYTHON" - "$VI" <<'PY'
import re
import sys

path = sys.argv[1]
with open(path, encoding="utf-8") as handle:
    text = handle.read()
# A later plural form runs to the end of its entry (a blank line or the end of the file).
text = re.sub(r'\nmsgstr\[[1-9]\] "(?:[^\n]*)(?:\n"[^\n]*)*', "", text)
# msgen leaves a plural entry empty when the header already says one form: copy the singular msgid then.
text = re.sub(r'(\nmsgid "((?:[^"\\]|\\.)*)"\nmsgid_plural "[^\n]*"\nmsgstr\[0\] )""', r'\1"\2"', text)
with open(path, "w", encoding="utf-8") as handle:
    handle.write(text)
PY

"$PYTHON" manage.py compilemessages --ignore=.venv --ignore=.tools -v 0

for po in "$VI" "$EN"; do
  printf '%s: ' "$po"
  msgfmt --statistics -o /dev/null "$po" 2>&1
done
stats=$(msgfmt --statistics -o /dev/null "$EN" 2>&1)
fuzzy=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) fuzzy.*/\1/p')
untranslated=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) untranslated.*/\1/p')
todo=$(( ${fuzzy:-0} + ${untranslated:-0} ))
if [ "$todo" -gt 0 ]; then
  echo "English: ${untranslated:-0} untranslated and ${fuzzy:-0} fuzzy entries to translate:"
  { msgattrib --untranslated --no-location --no-wrap "$EN"; msgattrib --only-fuzzy --no-location --no-wrap "$EN"; } \
    | grep '^msgid "[^"]' | sed 's/^msgid /  /'
  echo "Translate them in $EN (drop the '#, fuzzy' line once a guess is checked), then run this again."
else
  echo "English: every entry is translated."
fi
