"""The printed forms as a reader who knows the circulars checks them: issuer header, exact titles, letter numbers,
signature authority, the register reference and the hand-off signatures — for an agency, an applicant and documents
with long Vietnamese names, read back from the PDFs."""
import csv
import datetime
import io

import pypdf
import pytest
from django.urls import reverse

from dossiers import pdf, register, selectors, services
from dossiers.models import IssuedLetter
from dossiers.templatetags.form_tags import NBSP, balance, legal_date, no_orphan
from procedures.roles import Role
from tests.dossiers.conftest import VN, applicant, vn
from tests.dossiers.pdf_support import page_count, page_size_mm, pdf_text
from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory, RequiredDocumentFactory

# Thông tư 03/2025/TT-VPCP, Phụ lục I: the seven forms' titles, as docs/ARCHITECTURE.md lists them.
TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ",
    "04": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "07": "SỔ THEO DÕI HỒ SƠ",
}
LONG_APPLICANT = "Công ty Trách nhiệm hữu hạn Thương mại Dịch vụ Xuất nhập khẩu Nguyễn Hoàng Phương Nam"
LONG_ADDRESS = ("Tầng 12, Tòa nhà Trung tâm Thương mại Sài Gòn, số 37 Tôn Đức Thắng, phường Sài Gòn, "
                "Thành phố Hồ Chí Minh")
LONG_DOCUMENTS = [
    "Đơn đề nghị cấp giấy phép môi trường theo mẫu quy định tại Phụ lục kèm theo Nghị định",
    "Báo cáo đề xuất cấp giấy phép môi trường của dự án đầu tư, cơ sở đang hoạt động",
    "Bản sao quyết định phê duyệt kết quả thẩm định báo cáo đánh giá tác động môi trường",
    "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
    "Văn bản ủy quyền có công chứng hoặc chứng thực theo quy định của pháp luật dân sự",
    "Bản vẽ mặt bằng tổng thể hệ thống thu gom, thoát nước mưa, nước thải của cơ sở",
    "Kết quả quan trắc chất lượng môi trường định kỳ của hai năm liền kề trước thời điểm đề nghị",
    "Giấy tờ chứng minh tư cách pháp nhân của tổ chức đề nghị và người đại diện theo pháp luật",
]
MONDAY_0900 = vn(2026, 3, 9, 9, 0)


def at(hour, minute):
    return vn(2026, 3, 9, hour, minute)


def header_lines(content: bytes) -> list[str]:
    """The first page's text lines as pypdf reads them: each header column's lines in turn."""
    text = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@pytest.fixture
def department(db):
    """A department under the city's committee, with a long name, and everyone who works a dossier there."""
    agency = AgencyFactory(
        code="000.00.40.H29", name="Sở Nông nghiệp và Môi trường Thành phố Hồ Chí Minh",
        governing_body="Ủy ban nhân dân Thành phố Hồ Chí Minh", header_name="Sở Nông nghiệp và Môi trường",
        document_symbol="SNNMT", place_name="Thành phố Hồ Chí Minh", head_title="Giám đốc",
        counter_name="Bộ phận Tiếp nhận và Trả kết quả Sở Nông nghiệp và Môi trường",
        address="Số 63 Lý Tự Trọng, phường Sài Gòn, Thành phố Hồ Chí Minh",
    )
    # A reporting parent must never reach the header.
    agency.parent = AgencyFactory(code="000.00.41.H29", name="Bộ Nông nghiệp và Môi trường")
    agency.save()
    people = {
        "clerk": OfficialFactory(agency=agency, roles=[Role.RECEPTION], display_name="Nguyễn Thị Thanh Thủy",
                                 title="Chuyên viên Bộ phận Tiếp nhận và Trả kết quả"),
        "specialist": OfficialFactory(agency=agency, roles=[Role.SPECIALIST], display_name="Trần Minh Quang",
                                      title="Chuyên viên Phòng Môi trường"),
        "deputy": OfficialFactory(agency=agency, roles=[Role.LEADER], display_name="Lê Thị Hồng Nhung",
                                  title="Phó Giám đốc Sở"),
        "director": OfficialFactory(agency=agency, roles=[Role.LEADER], display_name="Phạm Văn Trường",
                                    title="Giám đốc Sở Nông nghiệp và Môi trường"),
    }
    procedure = ProcedureFactory(
        agencies=[agency], steps=True, time_limit=10,
        name="Cấp giấy phép môi trường đối với dự án đầu tư, cơ sở thuộc thẩm quyền cấp phép của Ủy ban nhân dân "
             "cấp tỉnh (trường hợp cấp lần đầu, cấp đổi, cấp điều chỉnh và cấp lại)",
    )
    for order, name in enumerate(LONG_DOCUMENTS, start=1):
        RequiredDocumentFactory(procedure=procedure, order=order, name=name)
    return {"agency": agency, "procedure": procedure, **people}


@pytest.fixture
def make(department):
    """make(state) -> a dossier of the department with the long applicant and eight long documents."""
    clerk, specialist = department["clerk"], department["specialist"]
    procedure = department["procedure"]
    documents = [services.ReceivedDocument(name=doc.name, required_document_id=doc.pk, originals=1, photocopies=1)
                 for doc in procedure.required_documents.order_by("order")]
    person = applicant(name=LONG_APPLICANT, address=LONG_ADDRESS)

    def _make(state, *, now=MONDAY_0900, signer="deputy"):
        if state == "refused":
            return services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, applicant=person,
                                              reason="Hồ sơ thiếu báo cáo đề xuất cấp giấy phép môi trường.",
                                              documents=documents, now=now)
        dossier = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=person,
                                   documents=documents, now=now)
        if state == "received":
            return dossier
        services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk,
                         now=now + datetime.timedelta(minutes=30))
        later = now + datetime.timedelta(hours=1)
        if state == "supplement":
            services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, reply_by=datetime.date(2026, 3, 13),
                                        missing="Bản sao quyết định phê duyệt kết quả thẩm định báo cáo đánh giá "
                                                "tác động môi trường có chứng thực.", now=later)
        elif state == "extended":
            extension = services.request_extension(
                dossier_id=dossier.pk, actor=specialist.user, proposed_due_at=vn(2026, 3, 31, 17, 0), now=later,
                reason="Cần lấy ý kiến của cơ quan quản lý nhà nước về môi trường có liên quan.")
            services.approve_extension(extension_id=extension.pk, actor=department[signer].user,
                                       now=later + datetime.timedelta(hours=1))
        elif state == "stopped":
            services.stop(dossier_id=dossier.pk, actor=department[signer].user, now=later,
                          reason="Tổ chức đề nghị dừng giải quyết để điều chỉnh quy mô dự án đầu tư.",
                          legal_ground="Điều 18 Nghị định số 118/2025/NĐ-CP")
        elif state == "returned":
            services.forward(dossier_id=dossier.pk, actor=specialist.user, now=later)
            services.forward(dossier_id=dossier.pk, actor=department["deputy"].user,
                             now=later + datetime.timedelta(hours=1))
            services.mark_processed(dossier_id=dossier.pk, actor=clerk.user, now=later + datetime.timedelta(hours=2))
            services.return_result(dossier_id=dossier.pk, actor=clerk.user, now=later + datetime.timedelta(hours=3))
        return dossier
    return _make


def render(department, dossier, number):
    return pdf.dossier_form_pdf(selectors.dossier_for_staff(department["clerk"], dossier.pk), number)


def test_the_titles_are_the_circulars():
    assert {number: str(form.title).upper() for number, form in pdf.FORMS.items()} == TITLES


def test_every_form_of_a_long_named_dossier_prints_its_exact_title_on_one_a5_page(client, department, make):
    """Mẫu 01–06 each fit one A5 sheet with eight long documents and a long applicant; Mẫu 07 one A4 sheet."""
    dossiers = {"01": make("received"), "02": make("supplement"), "03": make("refused"), "04": make("extended"),
                "05": make("stopped"), "06": make("returned")}
    for number, dossier in dossiers.items():
        content = render(department, dossier, number)
        text = pdf_text(content)
        assert page_size_mm(content) == (148.0, 210.0), number
        assert page_count(content) == 1, number
        assert f"Mẫu số {number}" in text and TITLES[number] in text, number
        assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG" in text, number
        assert "BỘ NÔNG NGHIỆP" not in text and "THỦ TRƯỞNG CƠ QUAN" not in text, number
        assert LONG_APPLICANT in text, number
    receipt = pdf_text(render(department, dossiers["01"], "01"))
    for name in LONG_DOCUMENTS:
        assert name in receipt

    client.force_login(department["clerk"].user)
    content = client.get(reverse("forms:register"), {"from": "09/03/2026", "to": "09/03/2026"}).content
    # Five long lines (the refused dossier is not in the register) take two A4 pages, each numbered.
    assert page_size_mm(content) == (297.0, 210.0)
    assert page_count(content) == 2
    assert TITLES["07"] in pdf_text(content) and "2/2" in pdf_text(content)


def test_the_header_is_the_issuers_own_and_long_names_keep_their_last_words_together(department, make):
    """A ward's header is its own committee; a department's is the city's committee over its name (Nghị định
    30/2020/NĐ-CP, Điều 8 khoản 1 điểm b). The reporting parent is not printed."""
    ward = AgencyFactory(code="000.00.42.H29", name="Ủy ban nhân dân phường Bến Thành",
                         header_name="Ủy ban nhân dân\nphường Bến Thành", place_name="Bến Thành")
    ward.parent = department["agency"]
    ward.save()
    clerk = OfficialFactory(agency=ward, roles=[Role.RECEPTION])
    procedure = ProcedureFactory(agencies=[ward], steps=True, documents=1, time_limit=3)
    received = [services.ReceivedDocument(name="Tờ khai", originals=1)]
    dossier = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                               documents=received, now=MONDAY_0900)
    content = pdf.dossier_form_pdf(selectors.dossier_for_staff(clerk, dossier.pk), "01")
    assert header_lines(content)[1:4] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG BẾN THÀNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert "SỞ NÔNG NGHIỆP" not in pdf_text(content)
    assert "Bến Thành, ngày 09 tháng 3 năm 2026" in pdf_text(content)

    # The governing body is too long for one line of its column: it is set in two even lines, not with
    # "MINH" or "CHÍ MINH" alone on the second.
    lines = header_lines(render(department, make("received"), "01"))
    assert lines[1:4] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH", "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"]
    assert no_orphan("Sở Nông nghiệp và Môi trường") == f"Sở Nông nghiệp và Môi{NBSP}trường"
    assert no_orphan("Sở") == "Sở"
    assert str(balance("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", 42)) == (
        f"VĂN BẢN XIN LỖI VÀ ĐỀ{NBSP}NGHỊ<br>GIA HẠN THỜI GIAN GIẢI{NBSP}QUYẾT")


def test_the_date_line_has_the_place_and_the_legal_date_format(department, make):
    text = pdf_text(render(department, make("received", now=vn(2026, 1, 6, 9, 0)), "01"))
    assert "Thành phố Hồ Chí Minh, ngày 06 tháng 01 năm 2026" in text
    assert legal_date(datetime.datetime(2026, 11, 20, 8, 0, tzinfo=VN)) == "ngày 20 tháng 11 năm 2026"


# --- letters: number, signer -----------------------------------------------------------------------------


def test_letters_carry_a_number_from_the_agencys_yearly_counter_kept_on_reprint(department, make):
    refused = make("refused")
    stopped = make("stopped")
    extended = make("extended")
    numbers = {dossier.pk: dossier.letters.get().number for dossier in (refused, stopped, extended)}
    assert numbers == {refused.pk: "01/SNNMT", stopped.pk: "02/TB-SNNMT", extended.pk: "03/SNNMT"}
    for dossier, number in ((refused, "03"), (stopped, "05"), (extended, "04")):
        first, again = pdf_text(render(department, dossier, number)), pdf_text(render(department, dossier, number))
        assert f"Số: {numbers[dossier.pk]}" in first and f"Số: {numbers[dossier.pk]}" in again
    # A new year starts again from 01; the counter is the agency's own.
    next_year = make("refused", now=vn(2027, 1, 4, 9, 0))
    assert next_year.letters.get().number == "01/SNNMT"
    assert IssuedLetter.objects.filter(agency=department["agency"]).count() == 4


def test_a_pending_extension_is_a_draft_without_a_number(department, make):
    dossier = make("received")
    services.request_extension(dossier_id=dossier.pk, actor=department["clerk"].user, now=at(9, 30),
                               proposed_due_at=vn(2026, 3, 31, 17, 0), reason="Chờ ý kiến cơ quan liên quan.")
    text = pdf_text(render(department, dossier, "04"))
    assert "DỰ THẢO" in text and "Số: ……/……" in text
    assert not dossier.letters.exists()


@pytest.mark.parametrize(("signer", "authority"), [
    ("deputy", "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"),
    ("director", "GIÁM ĐỐC"),
])
def test_letters_are_signed_under_the_signers_real_authority(department, make, signer, authority):
    for state, number in (("stopped", "05"), ("extended", "04")):
        text = pdf_text(render(department, make(state, signer=signer), number))
        assert f"{authority} (Ký, ghi rõ họ tên và đóng dấu) {department[signer].display_name}" in text, number
    if signer == "director":
        assert "KT." not in text


def test_a_ward_deputy_signs_for_the_chairman(db):
    ward = AgencyFactory(head_title="Chủ tịch")
    deputy = OfficialFactory(agency=ward, title="Phó Chủ tịch UBND phường", display_name="Lê Hoàng Nam")
    assert pdf.signature(deputy, ward, fallback="X").lines == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    clerk = OfficialFactory(agency=ward, title="Công chức Trung tâm Phục vụ hành chính công")
    assert pdf.signature(clerk, ward, fallback="NGƯỜI TIẾP NHẬN HỒ SƠ").lines == ("NGƯỜI TIẾP NHẬN HỒ SƠ",)


def test_the_counter_refusal_is_signed_by_the_receiving_clerk(department, make):
    text = pdf_text(render(department, make("refused"), "03"))
    assert f"NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) {department['clerk'].display_name}" in text


# --- Mẫu 01 and 07: the register ---------------------------------------------------------------------------


def test_receipt_names_its_line_in_the_register_and_the_register_agrees(client, department, make):
    """"Vào Sổ theo dõi hồ sơ, Quyển số …, Số thứ tự …": one book a year, refused dossiers not in it."""
    make("received", now=vn(2025, 12, 31, 9, 0))
    first = make("received")
    make("refused", now=at(9, 10))
    second = make("received", now=at(9, 20))
    text = pdf_text(render(department, second, "01"))
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 2." in text
    assert selectors.register_entry(first) == selectors.RegisterEntry(2026, 1)

    client.force_login(department["clerk"].user)
    register_text = pdf_text(client.get(reverse("forms:register"), {"from": "09/03/2026", "to": "09/03/2026"}).content)
    assert "Quyển số: 2026" in register_text
    assert register_text.index(f"1 {first.code}") < register_text.index(f"2 {second.code}")


def test_register_columns_are_the_circulars_on_paper_and_in_the_export(client, department, make):
    dossier = make("returned")
    labels = [str(column.label) for column in register.COLUMNS]
    for label in ("Cơ quan chủ trì giải quyết", "Số lượng hồ sơ (bộ)", "Chuyển hồ sơ đến cơ quan giải quyết",
                  "Nhận kết quả từ cơ quan giải quyết", "Trả kết quả cho cá nhân, tổ chức", "Ký nhận", "Ghi chú"):
        assert label in labels
    client.force_login(department["clerk"].user)
    text = pdf_text(client.get(reverse("forms:register"), {"from": "09/03/2026", "to": "09/03/2026"}).content)
    for label in labels:
        assert label in text, label
    assert department["agency"].name in text

    response = client.get(reverse("dashboards:register_export", kwargs={"fmt": "csv"}),
                          {"date_from": "09/03/2026", "date_to": "09/03/2026"})
    assert response.status_code == 200
    header, first = list(csv.reader(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()))[:2]
    assert header == labels
    assert first[:4] == ["1", dossier.code, department["procedure"].name, "1"]
    assert first[6] == department["agency"].name


# --- Mẫu 06: the hand-offs ------------------------------------------------------------------------------


def test_control_sheet_rows_are_real_handoffs_with_signature_spaces(department, make):
    dossier = make("returned")
    text = pdf_text(render(department, dossier, "06"))
    clerk, specialist = department["clerk"].display_name, department["specialist"].display_name
    assert "Người giao (ký, ghi rõ họ tên)" in text and "Người nhận (ký, ghi rõ họ tên)" in text
    # Reception: the applicant hands the dossier to the clerk; then the clerk hands it to the specialist.
    reception = text.index("1 Tiếp nhận hồ sơ")
    appraisal = text.index("2 Thẩm định hồ sơ")
    assert text.index(LONG_APPLICANT, reception) < text.index(clerk, reception) < appraisal
    assert text.index(clerk, appraisal) < text.index(specialist, appraisal)


def test_an_admin_sets_the_header_fields_on_the_agency_page(admin_client, department):
    html = admin_client.get(reverse("admin:procedures_agency_change", args=[department["agency"].pk])).content.decode()
    for field in ("governing_body", "header_name", "document_symbol", "place_name", "head_title", "counter_name"):
        assert f'name="{field}"' in html, field


def test_the_placard_has_the_agencys_own_header_not_its_parent(department):
    text = pdf_text(pdf.placard_pdf(department["deputy"]))
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG" in text
    assert "BỘ NÔNG NGHIỆP" not in text
