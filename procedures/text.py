"""Text folding for accent-insensitive search that behaves the same on SQLite and PostgreSQL."""
import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics ("Đăng ký" -> "dang ky") and collapse spaces."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
