"""Translations: Vietnamese is the source language, English a full translation, and every page can switch.

The catalogues live in locale/<lang>/LC_MESSAGES/django.po; scripts/update_translations.sh refreshes them.
"""
import ast
import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from tests.factories import AgencyFactory, ProcedureFactory

BASE = Path(settings.BASE_DIR)
LANGS = ("vi", "en")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{[\w.]*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "gettext_noop"}
SOURCE_DIRS = ("portal", "procedures", "notifications", "dossiers", "satisfaction")
# Legal forms are printed in Vietnamese whatever the reader's language (Thông tư 03/2025/TT-VPCP); notification
# messages are written once per language (templates/notifications/<vi|en>/) so each SMS is checked for length.
TEMPLATE_EXEMPT = ("dossiers/forms/", "notifications/")


def po_path(lang: str) -> Path:
    return BASE / "locale" / lang / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (or msgstr[n]) and flags; obsolete entries are left out."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None and not entry["obsolete"]:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += value
            else:
                entry[key] += value
        else:
            match = re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")', line)
            assert match, f"{path}: cannot read {line!r}"
            value = ast.literal_eval(match.group(3))
            if match.group(1).startswith("msgstr"):
                key = int(match.group(2) or 0)
                entry["msgstr"][key] = value
            else:
                key = match.group(1)
                entry[key] = value
    return entries


def header(entries: list[dict]) -> dict:
    head = next(entry for entry in entries if entry["msgid"] == "")
    fields = dict(line.split(": ", 1) for line in head["msgstr"][0].splitlines() if ": " in line)
    return {"fuzzy": "fuzzy" in head["flags"], **fields}


def messages(lang: str) -> list[dict]:
    return [entry for entry in parse_po(po_path(lang)) if entry["msgid"]]


def label(entry: dict) -> str:
    return repr(entry["msgid"])[:90]


# (a) the catalogues are complete ---------------------------------------------------------------


@pytest.mark.parametrize("lang, plurals", [("vi", "nplurals=1; plural=0;"), ("en", "nplurals=2; plural=(n != 1);")])
def test_catalogue_header_names_its_language_charset_and_plural_rule(lang, plurals):
    head = header(parse_po(po_path(lang)))
    assert not head["fuzzy"]
    assert head["Language"] == lang
    assert head["Content-Type"] == "text/plain; charset=UTF-8"
    assert head["Plural-Forms"] == plurals


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(lang):
    entries = messages(lang)
    assert len(entries) > 500  # the whole portal, not a stub
    fuzzy = [label(entry) for entry in entries if "fuzzy" in entry["flags"]]
    empty = [label(entry) for entry in entries if not all(entry["msgstr"].values()) or not entry["msgstr"]]
    assert fuzzy == [], f"fuzzy entries in {lang}: run scripts/update_translations.sh and check them"
    assert empty == [], f"untranslated entries in {lang}: translate them in {po_path(lang)}"


def test_vietnamese_catalogue_is_the_source_text_with_one_plural_form():
    for entry in messages("vi"):
        assert entry["msgstr"] == {0: entry["msgid"]}, label(entry)


def test_english_catalogue_keeps_placeholders_and_markup_and_is_really_english():
    entries = messages("en")
    same = []
    for entry in entries:
        forms = [entry["msgstr"][n] for n in sorted(entry["msgstr"])]
        # English has two plural forms: msgstr[0] answers msgid, msgstr[1] answers msgid_plural.
        sources = [entry["msgid"]] if entry["msgid_plural"] is None else [entry["msgid"], entry["msgid_plural"]]
        assert len(forms) == len(sources), label(entry)
        for source, text in zip(sources, forms, strict=True):
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), label(entry)
            assert sorted(HTML_TAG.findall(text)) == sorted(HTML_TAG.findall(source)), label(entry)
        if forms[0] == entry["msgid"]:
            same.append(entry["msgid"])
    # Only names that read the same in both languages may be left as they are.
    assert set(same) <= {"Tiếng Việt", "English", "Excel", "CSV", "Zalo", "%(amount)s %(unit)s"}, same


def _template_literals() -> set[str]:
    tag = re.compile(r"{%\s*trans(?:late)?\s+(\"[^\"]*\"|'[^']*')(?:\s+as\s+\w+)?(?:\s+noop)?\s*%}")
    found = set()
    for path in (BASE / "templates").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".txt"}:
            # The translate tag looks a literal up with its percent signs doubled, as makemessages writes it.
            literals = tag.findall(path.read_text(encoding="utf-8"))
            found |= {ast.literal_eval(literal).replace("%", "%%") for literal in literals}
    return found


def _python_literals() -> set[str]:
    found = set()
    for directory in SOURCE_DIRS:
        for path in (BASE / directory).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name not in GETTEXT_CALLS:
                    continue
                count = 2 if name.startswith("ngettext") else 1
                found |= {arg.value for arg in node.args[:count] if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return found


def test_catalogues_are_current_with_the_source():
    """A string added to a template or to Python without re-running scripts/update_translations.sh fails here."""
    expected = _template_literals() | _python_literals()
    assert len(expected) > 300
    for lang in LANGS:
        known = set()
        for entry in messages(lang):
            known.add(entry["msgid"])
            if entry["msgid_plural"] is not None:
                known.add(entry["msgid_plural"])
        missing = sorted(expected - known)
        assert missing == [], f"not in the {lang} catalogue (run scripts/update_translations.sh): {missing[:10]}"


# (b) switching language changes the pages --------------------------------------------------------


@pytest.fixture(scope="session")
def compiled_catalogues():
    """The .mo files `make messages` builds; compiled here when missing or older than their .po."""
    stale = [
        lang for lang in LANGS
        if not po_path(lang).with_suffix(".mo").exists()
        or po_path(lang).with_suffix(".mo").stat().st_mtime < po_path(lang).stat().st_mtime
    ]
    if stale:
        call_command("compilemessages", locale=stale, ignore_patterns=[".venv", ".tools"], verbosity=0)
        # Catalogues already loaded in this process predate the new .mo files.
        trans_real._translations = {}
        trans_real._default = None
    with translation.override("en"):
        assert translation.gettext("Trang chủ") == "Home", "locale/en/LC_MESSAGES/django.mo is not loaded"


@pytest.fixture
def catalogue_procedure(db):
    return ProcedureFactory(name="Đăng ký khai sinh", agencies=[AgencyFactory()], steps=True, documents=1)


def switch(client, lang: str, next_url: str) -> None:
    response = client.post("/i18n/setlang/", {"language": lang, "next": next_url})
    assert response.status_code == 302 and response.url == next_url


@pytest.mark.django_db
def test_english_home_and_catalogue(client, compiled_catalogues, catalogue_procedure):
    switch(client, "en", "/")
    home = client.get("/").content.decode()
    assert '<html lang="en">' in home
    for text in ("Home", "Find a procedure", "Skip to main content", "Administrative procedures",
                 "See administrative procedures, the documents to prepare"):
        assert text in home
    for text in ("Trang chủ", "Tìm thủ tục", "Chuyển đến nội dung chính"):
        assert text not in home

    catalogue = client.get("/thu-tuc/").content.decode()
    for text in ("There is 1 procedure.", "Procedure name", "Handling agency", "5 working days", "Free"):
        assert text in catalogue
    assert "Đăng ký khai sinh" in catalogue  # data stays as entered
    for text in ("Có 1 thủ tục.", "Tên thủ tục", "Cơ quan thực hiện", "ngày làm việc", "Không thu"):
        assert text not in catalogue


@pytest.mark.django_db
def test_switching_back_to_vietnamese(client, compiled_catalogues, catalogue_procedure):
    switch(client, "en", "/thu-tuc/")
    assert "Procedure name" in client.get("/thu-tuc/").content.decode()
    switch(client, "vi", "/thu-tuc/")
    catalogue = client.get("/thu-tuc/").content.decode()
    assert '<html lang="vi">' in catalogue
    for text in ("Có 1 thủ tục.", "Tên thủ tục", "Cơ quan thực hiện", "5 ngày làm việc", "Không thu", "Trang chủ"):
        assert text in catalogue
    for text in ("Procedure name", "Handling agency", "Home"):
        assert text not in catalogue


@pytest.mark.django_db
def test_a_browser_asking_for_english_gets_english_until_the_visitor_chooses(client, compiled_catalogues):
    assert "Skip to main content" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Chuyển đến nội dung chính" in client.get("/").content.decode()  # default: Vietnamese


# (c) no Vietnamese text outside the translation tags --------------------------------------------


def _is_vietnamese_letter(char: str) -> bool:
    if char in "đĐ":
        return True
    if char.isascii():
        return False
    base = unicodedata.normalize("NFD", char)[0]
    return base.isascii() and base.isalpha()


UNTRANSLATED_REGIONS = [
    re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"{%\s*trans(?:late)?\s.*?%}", re.S),
]


def untranslated_lines(text: str) -> list[tuple[int, str]]:
    """Lines that still hold Vietnamese letters once translation tags and comments are blanked out."""
    for region in UNTRANSLATED_REGIONS:
        text = region.sub(lambda match: "\n" * match.group(0).count("\n"), text)
    return [
        (number, line.strip())
        for number, line in enumerate(text.split("\n"), start=1)
        if any(_is_vietnamese_letter(char) for char in line)
    ]


def test_the_template_check_finds_bare_vietnamese_and_accepts_wrapped_text():
    bare = '<p>{% translate "Trang chủ" %}</p>\n<p>Hồ sơ của {{ name }}</p>\n{# ghi chú #}'
    assert untranslated_lines(bare) == [(2, "<p>Hồ sơ của {{ name }}</p>")]
    wrapped = '{% blocktranslate trimmed with n=x %}\n  Có {{ n }} hồ sơ\n{% endblocktranslate %}\n{% comment %}ý{% endcomment %}'
    assert untranslated_lines(wrapped) == []


def test_every_template_string_goes_through_translation():
    offenders = []
    for path in sorted((BASE / "templates").rglob("*")):
        relative = path.relative_to(BASE / "templates").as_posix()
        if not path.is_file() or relative.startswith(TEMPLATE_EXEMPT):
            continue
        offenders += [f"{relative}:{n}: {line[:100]}" for n, line in untranslated_lines(path.read_text(encoding="utf-8"))]
    assert offenders == []
