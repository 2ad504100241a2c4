"""Text folding for accent-insensitive search that behaves the same on SQLite and PostgreSQL."""
import unicodedata


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks, case kept ("Đăng ký" -> "Dang ky"): search folding and unaccented SMS."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics ("Đăng ký" -> "dang ky") and collapse spaces."""
    return " ".join(strip_diacritics(text).lower().split())
