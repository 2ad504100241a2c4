"""Input made safe at the form boundary, for every app's forms: bounded dates, ASCII digits, no invisible text.

An attack on a production-like instance found 500s from public input: 31/12/9999 in a date filter overflowed the
day arithmetic, full-width or Arabic-Indic digits passed `\\d` and then broke comparisons, and names or notes could
carry bidirectional overrides that make a printed register read differently from what was typed.
"""
import datetime
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Dates an office can mean: nothing before the portal's oldest records, nothing near the end of the calendar.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)

ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)
# Line breaks and tabs are text; every other control character, and every invisible format character (Unicode
# category Cf: bidirectional overrides and isolates, zero-width spaces and joiners, the BOM), is not.
_KEPT_CONTROLS = {"\n", "\r", "\t"}


def date_range_validator(first: datetime.date, last: datetime.date):
    """A validator refusing any day outside first..last with a translated message naming both ends."""
    def validate(value: datetime.date | datetime.datetime) -> None:
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not first <= day <= last:
            raise ValidationError(
                _("Nhập ngày từ %(first)s đến %(last)s."),
                code="date_range",
                params={"first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}"},
            )
    return validate


validate_date_in_range = date_range_validator(EARLIEST_DATE, LATEST_DATE)
# A person's date of birth: the oldest living applicants were born long before the portal's records began.
validate_birth_date = date_range_validator(datetime.date(1900, 1, 1), LATEST_DATE)


class BoundedDateField(forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE, so no later day arithmetic can overflow."""

    default_validators = [validate_date_in_range]


class BirthDateField(forms.DateField):
    """A date of birth: from 01/01/1900 (the view checks it is not in the future)."""

    default_validators = [validate_birth_date]


def ascii_digits(text: str) -> str:
    """NFKC-normalised text (full-width "１２３４" becomes "1234"); still to be checked against ASCII patterns."""
    return unicodedata.normalize("NFKC", text or "")


def is_ascii_number(text: str) -> bool:
    return bool(ASCII_DIGITS.fullmatch(text or ""))


def strip_invisible(text: str) -> str:
    """`text` without control characters (line breaks and tabs kept) and invisible format characters."""
    return "".join(
        ch for ch in text
        if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf")
    )
