"""The public name mask: the family name and initials, nothing a stranger could use to identify someone."""
import unicodedata

import pytest

from dossiers.masking import mask_name
from dossiers.models import ApplicantType


@pytest.mark.parametrize("name, masked", [
    ("Nguyễn Văn An", "Nguyễn V. A."),
    ("  Trần   thị   bích  Ngọc ", "Trần T. B. N."),
    ("Lê", "L."),
    ("Đặng Ánh", "Đặng Á."),
    ("Nguyễn Văn An (con)", "Nguyễn V. A. C."),
    ("Nguyễn - Văn", "Nguyễn V."),
    ("", ""),
    ("   ", ""),
])
def test_citizen_names(name, masked):
    assert mask_name(name) == masked


def test_decomposed_unicode_is_normalised():
    # Text pasted from some systems arrives in NFD; the kept family name must come out composed.
    assert mask_name(unicodedata.normalize("NFD", "Đỗ Ánh Dương")) == "Đỗ Á. D."


@pytest.mark.parametrize("name, kind, masked", [
    ("Công ty TNHH Xây dựng Minh Phát", ApplicantType.BUSINESS, "Công ty TNHH X. D. M. P."),
    ("CÔNG TY CỔ PHẦN Thương mại Hà Nội", ApplicantType.BUSINESS, "CÔNG TY CỔ PHẦN T. M. H. N."),
    ("Hộ kinh doanh Nguyễn Văn An", ApplicantType.BUSINESS, "Hộ kinh doanh N. V. A."),
    ("Hợp tác xã Nông nghiệp Tân Lập", ApplicantType.ORGANISATION, "Hợp tác xã N. N. T. L."),
    ("Minh Phát Group", ApplicantType.BUSINESS, "Minh P. G."),
    ("Công ty", ApplicantType.BUSINESS, "Công T."),
])
def test_business_and_organisation_names(name, kind, masked):
    assert mask_name(name, kind) == masked


def test_a_citizen_named_like_a_legal_form_is_masked_as_a_person():
    assert mask_name("Hộ Kinh Doanh", ApplicantType.CITIZEN) == "Hộ K. D."
