"""Masking the applicant's name on public pages: "Nguyễn Văn An" becomes "Nguyễn V. A.".

The tracking page is reachable by anyone holding the QR, so it shows just enough for the applicant to recognise
their own dossier (Luật Bảo vệ dữ liệu cá nhân 2025 and Nghị định 13/2023/NĐ-CP: disclose the minimum).
A business keeps its legal form ("Công ty TNHH") and shows initials for the rest of its name, since a household
business carries its owner's personal name.
"""
import unicodedata

from .models import ApplicantType

# Legal forms a business or organisation name starts with, longest first so "Công ty TNHH" wins over "Công ty".
LEGAL_FORMS = sorted(
    (
        "Công ty trách nhiệm hữu hạn một thành viên",
        "Công ty trách nhiệm hữu hạn hai thành viên trở lên",
        "Công ty trách nhiệm hữu hạn",
        "Công ty TNHH MTV",
        "Công ty TNHH",
        "Công ty cổ phần",
        "Công ty CP",
        "Công ty hợp danh",
        "Công ty",
        "Doanh nghiệp tư nhân",
        "DNTN",
        "Hợp tác xã",
        "HTX",
        "Liên hiệp hợp tác xã",
        "Hộ kinh doanh",
        "Chi nhánh",
        "Văn phòng đại diện",
        "Tổ hợp tác",
    ),
    key=lambda form: len(form.split()),
    reverse=True,
)


def _initial(word: str) -> str:
    """The first letter or digit of a word, upper-cased, with a dot; "" for a word of punctuation only."""
    for char in word:
        if char.isalnum():
            return char.upper() + "."
    return ""


def _legal_form_length(words: list[str]) -> int:
    """How many leading words form a known legal form (0 when none does)."""
    folded = [word.casefold() for word in words]
    for form in LEGAL_FORMS:
        form_words = [word.casefold() for word in form.split()]
        if folded[: len(form_words)] == form_words:
            return len(form_words)
    return 0


def mask_name(name: str, applicant_type: str = ApplicantType.CITIZEN) -> str:
    """The family name in full, every other word as an initial; a one-word name becomes its initial.

    >>> mask_name("  Nguyễn   Văn An ")
    'Nguyễn V. A.'
    >>> mask_name("Công ty TNHH Xây dựng Minh Phát", "business")
    'Công ty TNHH X. D. M. P.'
    """
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return ""
    if applicant_type != ApplicantType.CITIZEN:
        kept = _legal_form_length(words)
        if kept and kept < len(words):
            return " ".join(words[:kept] + [initial for initial in map(_initial, words[kept:]) if initial])
    if len(words) == 1:
        return _initial(words[0])
    return " ".join([words[0]] + [initial for initial in map(_initial, words[1:]) if initial])
