"""The public procedure catalogue: accent-insensitive search, filters, paging, the detail page."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from procedures import selectors
from procedures.models import TimeUnit
from procedures.roles import Role
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("procedures:catalogue")


def listed_names(response) -> list[str]:
    return re.findall(r'<a href="/thu-tuc/[^"]+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def civil_status():
    return FieldFactory(code="HT", name="Hộ tịch")


@pytest.fixture
def land():
    return FieldFactory(code="DD", name="Đất đai")


@pytest.fixture
def commune():
    return AgencyFactory(name="UBND xã Đông Anh")


@pytest.fixture
def district():
    return AgencyFactory(name="UBND phường Ba Đình")


@pytest.fixture
def catalogue(civil_status, land, commune, district):
    return {
        "birth": ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", field=civil_status, agencies=[commune, district]),
        "death": ProcedureFactory(code="1.000656", name="Đăng ký khai tử", field=civil_status, agencies=[commune]),
        "marriage": ProcedureFactory(code="1.000894", name="Đăng ký kết hôn", field=civil_status, agencies=[district]),
        "land": ProcedureFactory(code="1.004227", name="Đăng ký biến động quyền sử dụng đất", field=land, agencies=[district]),
        "retired": ProcedureFactory(code="2.000001", name="Đăng ký khai sinh lưu động", field=civil_status,
                                    agencies=[commune], is_active=False),
    }


def test_search_ignores_accents_and_case(client, catalogue):
    assert listed_names(client.get(CATALOGUE, {"q": "dang ky khai sinh"})) == ["Đăng ký khai sinh"]
    assert listed_names(client.get(CATALOGUE, {"q": "ĐĂNG KÝ KHAI SINH"})) == ["Đăng ký khai sinh"]
    assert listed_names(client.get(CATALOGUE, {"q": "  Khai   Sinh "})) == ["Đăng ký khai sinh"]


def test_every_word_must_match_in_any_order(client, catalogue):
    assert sorted(listed_names(client.get(CATALOGUE, {"q": "khai dang"}))) == ["Đăng ký khai sinh", "Đăng ký khai tử"]
    assert listed_names(client.get(CATALOGUE, {"q": "khai hon"})) == []


def test_search_by_national_code(client, catalogue):
    assert listed_names(client.get(CATALOGUE, {"q": "1.001193"})) == ["Đăng ký khai sinh"]


def test_inactive_procedures_are_never_listed(client, catalogue):
    names = listed_names(client.get(CATALOGUE))
    assert "Đăng ký khai sinh lưu động" not in names
    assert len(names) == 4


def test_filter_by_field_and_agency(client, catalogue, civil_status, land, district, commune):
    assert listed_names(client.get(CATALOGUE, {"field": land.pk})) == ["Đăng ký biến động quyền sử dụng đất"]
    by_agency = listed_names(client.get(CATALOGUE, {"agency": commune.pk}))
    assert sorted(by_agency) == ["Đăng ký khai sinh", "Đăng ký khai tử"]
    both = listed_names(client.get(CATALOGUE, {"field": civil_status.pk, "agency": district.pk, "q": "dang ky"}))
    assert sorted(both) == sorted(["Đăng ký kết hôn", "Đăng ký khai sinh"])


def test_filters_offer_only_fields_and_agencies_with_active_procedures(client, catalogue):
    AgencyFactory(name="UBND xã Không Có Thủ Tục")
    FieldFactory(name="Lĩnh vực trống")
    html = client.get(CATALOGUE).content.decode()
    assert "Hộ tịch" in html and "Đất đai" in html and "UBND xã Đông Anh" in html
    assert "Lĩnh vực trống" not in html and "Không Có Thủ Tục" not in html


def test_unknown_filter_value_shows_an_error_not_a_crash(client, catalogue):
    response = client.get(CATALOGUE, {"field": "999999"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()


def test_selector_folds_the_query_like_the_stored_text(catalogue):
    assert [p.code for p in selectors.public_procedures(query="đăng ký kết hôn")] == ["1.000894"]
    assert [p.code for p in selectors.public_procedures(query="DANG KY KET HON")] == ["1.000894"]


def test_pagination_by_25_keeps_the_filters(client, civil_status):
    for number in range(60):
        ProcedureFactory(name=f"Cấp bản sao trích lục số {number:02d}", field=civil_status)
    first = client.get(CATALOGUE, {"q": "trich luc"})
    assert len(listed_names(first)) == 25
    html = first.content.decode()
    assert "Có 60 thủ tục." in html and "Trang 1/3" in html
    assert 'href="?q=trich+luc&amp;page=2" rel="next"' in html
    last = client.get(CATALOGUE, {"q": "trich luc", "page": 3})
    assert listed_names(last) == [f"Cấp bản sao trích lục số {n}" for n in range(50, 60)]
    # A page past the end shows the last page rather than an error.
    assert listed_names(client.get(CATALOGUE, {"q": "trich luc", "page": 99})) == listed_names(last)


@pytest.mark.parametrize("size", [3, 40])
def test_catalogue_query_count_does_not_grow_with_the_catalogue(client, django_assert_max_num_queries, size):
    fields = [FieldFactory() for _ in range(3)]
    agencies = [AgencyFactory() for _ in range(3)]
    for number in range(size):
        ProcedureFactory(field=fields[number % 3], agencies=agencies[: number % 3 + 1], steps=True, documents=2)
    # count, page, field options, agency options (+ field and agency validation when filtering)
    with django_assert_max_num_queries(4):
        assert client.get(CATALOGUE).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(CATALOGUE, {"q": "thu tuc", "field": fields[0].pk, "agency": agencies[0].pk}).status_code == 200


def test_list_shows_time_limit_and_fee(client, civil_status):
    ProcedureFactory(name="Chứng thực bản sao", field=civil_status, time_limit=Decimal("4"), time_unit=TimeUnit.WORKING_HOURS,
                     fee=Decimal("2000"))
    ProcedureFactory(name="Đăng ký thường trú", field=civil_status, time_limit=Decimal("0.5"), fee=Decimal("0"))
    html = client.get(CATALOGUE).content.decode()
    assert "4 giờ làm việc" in html and "2.000 đồng" in html
    assert "0,5 ngày làm việc" in html and "Không thu" in html


def test_catalogue_is_a_cacheable_public_page(client, catalogue):
    response = client.get(CATALOGUE)
    assert response["Cache-Control"] == "public, max-age=300"
    assert client.post(CATALOGUE).status_code == 405


# Detail page


def test_detail_shows_everything_a_citizen_needs(client, civil_status, commune, district):
    procedure = ProcedureFactory(
        code="1.001193", name="Đăng ký khai sinh", field=civil_status, time_limit=Decimal("5"), fee=Decimal("1250000"),
        fee_note="Miễn lệ phí đăng ký khai sinh đúng hạn.", legal_basis="Luật Hộ tịch năm 2014.\nNghị định 123/2015/NĐ-CP.",
        result_document="Giấy khai sinh (bản chính)", agencies=[district, commune], steps=True,
    )
    RequiredDocumentFactory(procedure=procedure, order=2, name="Giấy chứng sinh", originals=1, copies=0, mandatory=True)
    RequiredDocumentFactory(procedure=procedure, order=1, name="Tờ khai đăng ký khai sinh", originals=1, copies=2)
    RequiredDocumentFactory(procedure=procedure, order=3, name="Văn bản ủy quyền", originals=0, copies=1, mandatory=False)
    district.address = "25 Liễu Giai, Ba Đình, Hà Nội"
    district.phone = "024.3823.1234"
    district.save()

    response = client.get("/thu-tuc/1.001193/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "<h1>Đăng ký khai sinh</h1>", "1.001193", "Hộ tịch", "Cấp xã", "5 ngày làm việc", "1.250.000 đồng",
        "Miễn lệ phí đăng ký khai sinh đúng hạn.", "Luật Hộ tịch năm 2014.\nNghị định 123/2015/NĐ-CP.",
        "Giấy khai sinh (bản chính)", "25 Liễu Giai, Ba Đình, Hà Nội", 'href="tel:02438231234"', "024.3823.1234",
    ]:
        assert text in html, text

    documents = re.findall(r"<td[^>]*>\d+</td>\s*<td>([^<]+)</td>\s*<td class=\"num\"[^>]*>(\d+)</td>\s*<td class=\"num\"[^>]*>(\d+)</td>\s*<td>(.*?)</td>", html)
    assert [(name, originals, copies) for name, originals, copies, _ in documents] == [
        ("Tờ khai đăng ký khai sinh", "1", "2"), ("Giấy chứng sinh", "1", "0"), ("Văn bản ủy quyền", "0", "1"),
    ]
    assert ["Bắt buộc" in badge for *_, badge in documents] == [True, True, False]

    steps = re.findall(r"<td[^>]*>(\d)</td>\s*<td><strong>([^<]+)</strong></td>\s*<td[^>]*>([^<]+)</td>\s*<td class=\"nowrap\"[^>]*>([^<]+)</td>", html)
    assert steps == [
        ("1", "Tiếp nhận hồ sơ", str(Role.RECEPTION.label), "0,5 ngày làm việc"),
        ("2", "Thẩm định hồ sơ", str(Role.SPECIALIST.label), "3,5 ngày làm việc"),
        ("3", "Phê duyệt kết quả", str(Role.LEADER.label), "0,5 ngày làm việc"),
        ("4", "Trả kết quả", str(Role.RECEPTION.label), "0,5 ngày làm việc"),
    ]
    agencies = re.findall(r'<h3 class="card-title">([^<]+)</h3>', html)
    assert agencies == ["UBND phường Ba Đình", "UBND xã Đông Anh"]
    assert response["Cache-Control"] == "public, max-age=300"


def test_detail_of_a_same_day_procedure_says_the_day_and_counts_steps_in_hours(client):
    procedure = ProcedureFactory(same_day=True, steps=[("Tiếp nhận", Role.RECEPTION, "1"), ("Xử lý", Role.SPECIALIST, "3")])
    html = client.get(reverse("procedures:detail", kwargs={"code": procedure.code})).content.decode()
    assert "Trong ngày làm việc (tiếp nhận sau giờ chốt: ngày làm việc tiếp theo)" in html
    assert "1 giờ làm việc" in html and "3 giờ làm việc" in html
    assert "Không thu phí, lệ phí" in html


def test_detail_query_count_is_fixed(client, django_assert_max_num_queries):
    agencies = [AgencyFactory() for _ in range(6)]
    procedure = ProcedureFactory(time_limit=Decimal("20"), agencies=agencies, steps=True, documents=12)
    with django_assert_max_num_queries(4):  # procedure+field, steps, documents, agencies
        assert client.get(reverse("procedures:detail", kwargs={"code": procedure.code})).status_code == 200


def test_codes_with_dots_and_dashes_route(client):
    procedure = ProcedureFactory(code="2.000-QN.12")
    assert reverse("procedures:detail", kwargs={"code": procedure.code}) == "/thu-tuc/2.000-QN.12/"
    assert client.get("/thu-tuc/2.000-QN.12/").status_code == 200


def test_inactive_and_unknown_procedures_are_404(client, catalogue):
    assert client.get("/thu-tuc/2.000001/").status_code == 404
    assert client.get("/thu-tuc/9.999999/").status_code == 404
    assert client.get("/thu-tuc/bad%20code/").status_code == 404
