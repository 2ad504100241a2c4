"""Applicant data rules shared by the counter forms and the services (one definition, two gates)."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from procedures.inputs import ascii_digits

from .models import ApplicantType

# ASCII digits only: `\d` alone also matches "１" or "١", which then break every later comparison.
CCCD_RE = re.compile(r"^\d{12}$", re.ASCII)
# Mã số thuế: 10 digits for an enterprise, 10 + "-" + 3 for a branch (Luật Quản lý thuế 2019).
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$", re.ASCII)
# Mobile 03x/05x/07x/08x/09x (10 digits) or a landline 02xx (11 digits), after normalisation.
PHONE_RE = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$", re.ASCII)


def normalize_phone(raw: str) -> str:
    """NFKC (full-width digits become ASCII), strip spaces, dots and dashes; +84 / 84 become the 0 prefix."""
    digits = re.sub(r"[\s.\-()]", "", ascii_digits(raw))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def validate_phone(raw: str) -> str:
    phone = normalize_phone(raw)
    if not PHONE_RE.match(phone):
        raise ValidationError(
            _("Số điện thoại không hợp lệ: nhập 10 chữ số di động (ví dụ 0912345678) hoặc số cố định bắt đầu bằng 02."),
            code="phone",
        )
    return phone


def validate_id_number(applicant_type: str, raw: str) -> str:
    """CCCD (12 digits) for a citizen; tax code for a business; organisations may leave it blank."""
    value = re.sub(r"\s", "", ascii_digits(raw))
    if applicant_type == ApplicantType.CITIZEN:
        if not CCCD_RE.match(value):
            raise ValidationError(_("Số căn cước công dân phải gồm đúng 12 chữ số."), code="cccd")
    elif applicant_type == ApplicantType.BUSINESS:
        if not TAX_CODE_RE.match(value):
            raise ValidationError(
                _("Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số với chi nhánh."),
                code="tax_code",
            )
    elif value and not (CCCD_RE.match(value) or TAX_CODE_RE.match(value)):
        raise ValidationError(_("Mã số thuế hoặc số giấy tờ của tổ chức không hợp lệ."), code="org_id")
    return value
