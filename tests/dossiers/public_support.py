"""Helpers shared by the public-page tests (tracking, lookup, kiosk, verification, accessibility)."""
import re

from tests.dossiers.conftest import applicant

APPLICANT = applicant()
# Everything personal the counter records about the default applicant: none of it may reach a public page.
PERSONAL_DATA = {
    "full name": APPLICANT.name,
    "phone": APPLICANT.phone,
    "ID number": APPLICANT.id_number,
    "address": APPLICANT.address,
    "street": "Hàng Bạc",
    "email": APPLICANT.email,
}
MASKED_NAME = "Nguyễn V. A."


def leaked(html: str) -> list[str]:
    """Which personal data items appear in a page (its text, attributes and scripts alike)."""
    return [label for label, value in PERSONAL_DATA.items() if value and value in html]


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def without_csrf(html: str) -> str:
    """A page with its per-response CSRF token blanked, so two renders of the same page compare equal."""
    return CSRF_RE.sub('name="csrfmiddlewaretoken" value=""', html)
