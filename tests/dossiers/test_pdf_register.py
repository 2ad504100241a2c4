"""Mẫu 07, Sổ theo dõi hồ sơ: exactly the dossiers an agency received in the date range, A4 landscape."""
import pytest
from django.urls import reverse

from dossiers import services
from dossiers.models import DossierEvent
from tests.dossiers.conftest import applicant, documents_for, vn
from tests.dossiers.pdf_support import page_size_mm, pdf_text
from tests.factories import ProcedureFactory

RANGE = {"from": "10/03/2026", "to": "12/03/2026"}


@pytest.fixture
def around_the_range(receive, clerk, procedure, outsider):
    """Dossiers on both sides of each boundary, chosen so that a UTC date would put them on the wrong side."""
    inside = {
        # 06:30 on 10/03 in Vietnam is still 09/03 in UTC.
        "first_morning": receive(now=vn(2026, 3, 10, 6, 30), name="Đặng Thị Đầu Kỳ"),
        "middle": receive(now=vn(2026, 3, 11, 10, 0), name="Bùi Văn Giữa"),
        # 23:30 on 12/03 in Vietnam is 16:30 UTC the same day; the last minute of the range.
        "last_night": receive(now=vn(2026, 3, 12, 23, 30), name="Lý Thị Cuối Kỳ"),
    }
    outside = {
        "day_before": receive(now=vn(2026, 3, 9, 23, 30), name="Trương Văn Hôm Trước"),
        # 06:30 on 13/03 in Vietnam is 12/03 23:30 in UTC.
        "day_after": receive(now=vn(2026, 3, 13, 6, 30), name="Mai Thị Hôm Sau"),
        "refused": services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk,
                                              applicant=applicant(name="Tạ Văn Bị Từ Chối"), reason="Sai thẩm quyền",
                                              now=vn(2026, 3, 11, 9, 0)),
    }
    foreign_procedure = ProcedureFactory(agencies=[outsider.agency], steps=True, documents=1)
    outside["other_agency"] = services.receive(
        actor=outsider.user, procedure_id=foreign_procedure.pk, applicant=applicant(name="Ngô Văn Nơi Khác"),
        documents=documents_for(foreign_procedure), now=vn(2026, 3, 11, 9, 0))
    return inside, outside


def test_register_lists_exactly_the_dossiers_received_in_the_range(client, clerk, around_the_range):
    inside, outside = around_the_range
    client.force_login(clerk.user)
    response = client.get(reverse("forms:register"), RANGE)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="so-theo-doi-')
    text = pdf_text(response.content)
    for expected in ("Mẫu số 07", "SỔ THEO DÕI HỒ SƠ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "từ ngày 10/03/2026 đến ngày 12/03/2026", "Tổng số: 3 hồ sơ"):
        assert expected in text, expected
    for dossier in inside.values():
        assert dossier.code in text and dossier.applicant_name in text, dossier.applicant_name
    for dossier in outside.values():
        assert dossier.code not in text and dossier.applicant_name not in text, dossier.applicant_name
    # In reception order.
    positions = [text.index(dossier.code) for dossier in inside.values()]
    assert positions == sorted(positions)


def test_register_is_a4_landscape(client, clerk, around_the_range):
    client.force_login(clerk.user)
    content = client.get(reverse("forms:register"), RANGE).content
    assert page_size_mm(content) == (297.0, 210.0)


def test_register_shows_handoff_result_and_return(client, clerk, build_dossier):
    dossier = build_dossier("returned")
    client.force_login(clerk.user)
    text = pdf_text(client.get(reverse("forms:register"), {"from": "09/03/2026", "to": "09/03/2026"}).content)

    # Received 09:00, forwarded 09:30 to the specialist, result 11:00, returned 11:15 on 09/03/2026: the columns
    # nhận hồ sơ, hẹn trả, chuyển hồ sơ đến cơ quan giải quyết, nhận kết quả, trả kết quả, in that order.
    assert dossier.code in text
    assert "09:00 09/03/2026 09:00 16/03/2026 09:30 09/03/2026 11:00 09/03/2026 11:15 09/03/2026" in text


def test_register_can_be_narrowed_to_one_procedure(client, clerk, agency, procedure, receive):
    other = ProcedureFactory(agencies=[agency], steps=True, documents=1, name="Chứng thực bản sao từ bản chính")
    kept = receive(now=vn(2026, 3, 11, 9, 0))
    dropped = services.receive(actor=clerk.user, procedure_id=other.pk, applicant=applicant(name="Khác Thủ Tục"),
                               documents=documents_for(other), now=vn(2026, 3, 11, 9, 30))
    client.force_login(clerk.user)

    for key in (procedure.pk, procedure.code):
        text = pdf_text(client.get(reverse("forms:register"), {**RANGE, "procedure": key}).content)
        assert kept.code in text and dropped.code not in text
        assert procedure.name in text


def test_register_of_an_empty_range_says_so(client, clerk):
    client.force_login(clerk.user)
    text = pdf_text(client.get(reverse("forms:register"), RANGE).content)
    assert "Không có hồ sơ nào" in text and "Tổng số: 0 hồ sơ" in text


@pytest.mark.parametrize("query", [
    {"from": "31/02/2026", "to": "12/03/2026"},
    {"from": "2026-13-01"},
    {"from": "12/03/2026", "to": "10/03/2026"},
    {"from": "01/01/2024", "to": "12/03/2026"},
    {"from": "10/03/2026", "to": "12/03/2026", "procedure": "không-có"},
])
def test_bad_register_queries_get_a_message_not_a_500(client, clerk, query):
    client.force_login(clerk.user)
    response = client.get(reverse("forms:register"), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Không in được biểu mẫu" in response.content.decode()


def test_register_query_count_does_not_grow_with_the_dossiers(client, clerk, receive, django_assert_max_num_queries):
    for hour in range(8, 14):
        receive(now=vn(2026, 3, 11, hour, 0))
    client.force_login(clerk.user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("forms:register"), RANGE)
    assert pdf_text(response.content).count("000.00.06.H56-260311-") == 6


def test_register_is_for_staff_only(client, around_the_range):
    response = client.get(reverse("forms:register"), RANGE)
    assert response.status_code == 302


def test_register_prints_are_not_logged_on_dossiers(client, clerk, around_the_range):
    client.force_login(clerk.user)
    client.get(reverse("forms:register"), RANGE)
    assert not DossierEvent.objects.filter(kind=DossierEvent.Kind.FORM_PRINTED).exists()


def test_outsider_register_shows_only_their_agency(client, outsider, around_the_range):
    inside, outside = around_the_range
    client.force_login(outsider.user)
    text = pdf_text(client.get(reverse("forms:register"), RANGE).content)
    assert outside["other_agency"].code in text
    assert all(dossier.code not in text for dossier in inside.values())
