"""The QR code on the back of a chip citizen identity card (CCCD), as a counter scanner types it.

The card's QR holds seven fields separated by "|": ID number, old ID (CMND, may be empty), full name, date of
birth (ddmmyyyy), sex, permanent address, date of issue (ddmmyyyy). The counter reads the name, ID number,
address and date of birth from it, so no clerk retypes what the card holds.
"""
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .validators import CCCD_RE

FIELD_COUNT = 7


@dataclass(frozen=True)
class CccdCard:
    id_number: str
    name: str
    birth_date: datetime.date
    sex: str
    address: str


def _day(text: str) -> datetime.date | None:
    if not re.fullmatch(r"\d{8}", text):
        return None
    try:
        return datetime.datetime.strptime(text, "%d%m%Y").date()
    except ValueError:
        return None


def looks_like_scan(text: str) -> bool:
    """A value typed into a name field that is in fact a card's QR (the scanner typed into the wrong field)."""
    return (text or "").count("|") >= FIELD_COUNT - 1


def parse(text: str) -> CccdCard:
    """The card's fields, or a ValidationError saying in one sentence why the string is not a card's QR."""
    # Scanners end with Enter and some add a carriage return or spaces; those are not part of the data.
    parts = [part.strip() for part in (text or "").strip().split("|")]
    if len(parts) != FIELD_COUNT:
        raise ValidationError(
            _("Chuỗi quét không phải mã QR của thẻ căn cước: cần 7 phần ngăn cách bởi dấu |, nhận được %(count)s. "
              "Quét lại mặt sau của thẻ."),
            code="cccd_parts", params={"count": len(parts)},
        )
    id_number, _old_id, name, birth, sex, address, _issued = parts
    if not CCCD_RE.match(id_number):
        raise ValidationError(_("Mã QR của thẻ căn cước có số định danh không hợp lệ (cần 12 chữ số). Quét lại thẻ."),
                              code="cccd_id")
    birth_date = _day(birth)
    if birth_date is None:
        raise ValidationError(_("Mã QR của thẻ căn cước có ngày sinh không hợp lệ. Quét lại thẻ."), code="cccd_birth")
    name = " ".join(name.split())
    if not name or not address:
        raise ValidationError(_("Mã QR của thẻ căn cước thiếu họ tên hoặc nơi thường trú. Quét lại thẻ."),
                              code="cccd_missing")
    return CccdCard(id_number=id_number, name=name, birth_date=birth_date, sex=sex, address=" ".join(address.split()))
