"""Procedure lists sort in Vietnamese dictionary order on every database ("Cấp…" before "Chứng…")."""
import pytest

from common.text import vietnamese_sort_key
from tests.factories import ProcedureFactory

NAMES = ["Chứng thực bản sao từ bản chính", "Đăng ký khai sinh", "Cấp giấy phép xây dựng", "Dân số và gia đình",
         "Ưu đãi người có công", "Uỷ quyền"]
ORDERED = ["Cấp giấy phép xây dựng", "Chứng thực bản sao từ bản chính", "Dân số và gia đình", "Đăng ký khai sinh",
           "Uỷ quyền", "Ưu đãi người có công"]


def test_the_key_orders_letters_before_tones():
    assert sorted(NAMES, key=vietnamese_sort_key) == ORDERED
    assert sorted(["Cáp", "Cấp", "Cap", "Cà"], key=vietnamese_sort_key) == ["Cà", "Cap", "Cáp", "Cấp"]
    assert set(vietnamese_sort_key("Cấp giấy phép, lần 2")) <= set("0123456789")


@pytest.mark.django_db
def test_catalogue_reception_picker_and_filters_follow_it(client, agency):
    from procedures.roles import Role
    from tests.factories import OfficialFactory

    clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION])
    for name in NAMES:
        ProcedureFactory(name=name, agencies=[agency], steps=True, documents=1)
    page = client.get("/thu-tuc/").content.decode()
    assert [page.index(name) for name in ORDERED] == sorted(page.index(name) for name in ORDERED)
    client.force_login(clerk.user)
    picker = client.get("/ho-so/tiep-nhan/").context["procedures"]
    assert [p.name for p in picker] == ORDERED
