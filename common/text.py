"""Text folding for accent-insensitive search that behaves the same on SQLite and PostgreSQL."""
import unicodedata


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks, case kept: search folding and unaccented SMS.

    >>> strip_diacritics("Đăng ký khai sinh")
    'Dang ky khai sinh'
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


# OWASP: the characters that make a spreadsheet read a cell as a formula (or a DDE command).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text as inert text: a leading apostrophe before a formula trigger (OWASP CSV-injection guidance). Every
    export uses it: the reports' sheets (portal.exports) and the catalogue's (procedures.resources).

    >>> neutralise("=1+1"), neutralise("Hà Nội")
    ("'=1+1", 'Hà Nội')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics and collapse spaces.

    >>> fold("  Đăng   KÝ ")
    'dang ky'
    """
    return " ".join(strip_diacritics(text).lower().split())


# The Vietnamese alphabet (TCVN 5712): ă and â after a, đ after d, ê after e, ô and ơ after o, ư after u.
ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
# Tone marks, in the dictionary order of tones: none, huyền, sắc, hỏi, ngã, nặng.
TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}


def vietnamese_sort_key(text: str) -> str:
    """A key that sorts names in Vietnamese dictionary order ("Cấp…" before "Chứng…", "Đăng…" after "Dân…") by
    plain string comparison on any database: letters first, tones only to break ties. Digits only, so no
    collation (SQLite's bytes, PostgreSQL's locale) can reorder it."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFC", " ".join((text or "").lower().split())):
        parts = unicodedata.normalize("NFD", char)
        tone = next((TONES[mark] for mark in parts if mark in TONES), 0)
        base = unicodedata.normalize("NFC", "".join(mark for mark in parts if mark not in TONES))
        if base in ALPHABET:
            letters.append(f"{ALPHABET.index(base) + 10:02d}")  # 10..38
        elif base.isdigit():
            letters.append(f"4{base}")  # 40..49: numbers after words, in their own order
        else:
            letters.append("01")  # a space or a sign: before any letter, like a word break
        if base in ALPHABET:
            tones.append(str(tone))
    return "".join(letters) + "00" + "".join(tones)
