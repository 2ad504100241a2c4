"""The procedures admin through real HTTP: pages, the steps-total rule, the step machine, officials' roles."""
import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from procedures.models import (
    Agency,
    CalendarException,
    Department,
    Field,
    Official,
    Procedure,
    ProcedureStep,
    RequiredDocument,
)
from procedures.roles import GROUP_NAMES, Role
from tests.factories import (
    AgencyFactory,
    DepartmentFactory,
    OfficialFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return ProcedureFactory(
        code="1.001193", name="Đăng ký khai sinh", time_limit=Decimal(3), steps=True, documents=2,
        agencies=[AgencyFactory()],
    )


def change_url(obj) -> str:
    return reverse(f"admin:procedures_{obj._meta.model_name}_change", args=[obj.pk])


def step_machine_of(page: str) -> str:
    start = page.index('class="step-machine')
    return page[start:page.index("</svg>", start)]


def step_post_data(procedure: Procedure, steps: list[tuple[int, str, str, str]], **overrides) -> dict:
    """The change form as a browser posts it: the procedure, its steps inline and its documents inline."""
    data = {
        "code": procedure.code, "name": procedure.name, "field": procedure.field_id, "level": procedure.level,
        "agencies": [a.pk for a in procedure.agencies.all()], "is_active": "on",
        "time_limit": str(procedure.time_limit), "time_unit": procedure.time_unit, "fee": str(procedure.fee),
        "fee_note": procedure.fee_note, "result_document": procedure.result_document,
        "legal_basis": procedure.legal_basis,
    }
    existing = list(procedure.steps.order_by("order"))
    data.update({
        "steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": str(len(existing)),
        "steps-MIN_NUM_FORMS": "1", "steps-MAX_NUM_FORMS": "1000",
    })
    for index, (order, name, role, duration) in enumerate(steps):
        prefix = f"steps-{index}-"
        data.update({
            prefix + "order": str(order), prefix + "name": name, prefix + "role": role, prefix + "duration": duration,
            prefix + "procedure": str(procedure.pk),
        })
        if index < len(existing):
            data[prefix + "id"] = str(existing[index].pk)
    documents = list(procedure.required_documents.order_by("order", "id"))
    data.update({
        "required_documents-TOTAL_FORMS": str(len(documents)),
        "required_documents-INITIAL_FORMS": str(len(documents)),
        "required_documents-MIN_NUM_FORMS": "0", "required_documents-MAX_NUM_FORMS": "1000",
    })
    for index, document in enumerate(documents):
        prefix = f"required_documents-{index}-"
        data.update({
            prefix + "id": str(document.pk), prefix + "procedure": str(procedure.pk),
            prefix + "order": str(document.order), prefix + "name": document.name,
            prefix + "originals": str(document.originals), prefix + "copies": str(document.copies),
        })
        if document.mandatory:
            data[prefix + "mandatory"] = "on"
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "model", [Agency, Department, Official, Field, Procedure, ProcedureStep, RequiredDocument, CalendarException]
)
def test_every_catalogue_admin_lists_changes_and_shows_history(admin_client, procedure, model):
    OfficialFactory(agency=procedure.agencies.get(), roles=[Role.RECEPTION],
                    department=DepartmentFactory(agency=procedure.agencies.get()))
    CalendarException.objects.create(date=datetime.date(2026, 1, 2), kind="off", name="Nghỉ bù Tết Dương lịch")
    obj = model.objects.first()
    opts = model._meta
    listing = admin_client.get(reverse(f"admin:procedures_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    assert admin_client.get(reverse(f"admin:procedures_{opts.model_name}_changelist"), {"q": "a"}).status_code == 200
    assert admin_client.get(change_url(obj)).status_code == 200
    history = admin_client.get(reverse(f"admin:procedures_{opts.model_name}_history", args=[obj.pk]))
    assert history.status_code == 200


def test_procedure_page_draws_its_step_machine(admin_client, procedure):
    svg = step_machine_of(admin_client.get(change_url(procedure)).content.decode())
    for step in procedure.steps.all():
        assert step.name in svg
    labels = ["Đã tiếp nhận", "Đã có kết quả", "Đã trả kết quả", "Chờ bổ sung", "Dừng giải quyết", "Lãnh đạo"]
    assert all(label in svg for label in labels)
    # Steps are drawn in order, with their durations in the procedure's unit.
    names = [f"{step.order}. {step.name}" for step in procedure.steps.order_by("order")]
    assert [svg.index(name) for name in names] == sorted(svg.index(name) for name in names)
    assert "0,5 ngày làm việc" in svg


def test_step_machine_escapes_names(admin_client, procedure):
    step = procedure.steps.get(order=2)
    step.name = '<script>alert("x")</script> & thẩm định'
    step.save()
    page = admin_client.get(change_url(procedure)).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_steps_not_adding_up_are_refused_and_nothing_is_saved(admin_client, procedure):
    before = [(s.order, s.name, s.duration) for s in procedure.steps.order_by("order")]
    data = step_post_data(
        procedure,
        [(1, "Tiếp nhận", Role.RECEPTION, "0.5"), (2, "Thẩm định lại", Role.SPECIALIST, "3"),
         (3, "Phê duyệt", Role.LEADER, "0.5"), (4, "Trả kết quả", Role.RECEPTION, "0.5")],
        name="Tên mới không được lưu",
    )
    response = admin_client.post(change_url(procedure), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert errors == ["Tổng thời gian các bước (4,5) phải bằng thời hạn giải quyết (3 ngày làm việc)."]
    assert "Tổng thời gian các bước (4,5)" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.name == "Đăng ký khai sinh"
    assert [(s.order, s.name, s.duration) for s in procedure.steps.order_by("order")] == before


def test_changing_limit_and_steps_together_saves_with_history(admin_client, procedure):
    data = step_post_data(
        procedure,
        [(1, "Tiếp nhận", Role.RECEPTION, "0.5"), (2, "Thẩm định", Role.SPECIALIST, "3"),
         (3, "Phê duyệt", Role.LEADER, "1"), (4, "Trả kết quả", Role.RECEPTION, "0.5")],
        time_limit="5",
    )
    response = admin_client.post(change_url(procedure), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    procedure.refresh_from_db()
    assert procedure.time_limit == Decimal(5)
    assert [s.duration for s in procedure.steps.order_by("order")] == [Decimal("0.5"), 3, 1, Decimal("0.5")]
    latest = procedure.history.first()
    assert latest.history_user.username == "admin" and latest.time_limit == Decimal(5)


def test_changing_only_the_limit_is_checked_against_the_saved_steps(admin_client, procedure):
    existing = [(s.order, s.name, s.role, str(s.duration)) for s in procedure.steps.order_by("order")]
    response = admin_client.post(change_url(procedure), step_post_data(procedure, existing, time_limit="10"))
    assert response.status_code == 200
    assert "phải bằng thời hạn giải quyết (10 ngày làm việc)" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.time_limit == Decimal(3)


def test_editing_one_step_alone_must_keep_the_total(admin_client, procedure):
    step = procedure.steps.get(order=2)
    data = {"procedure": procedure.pk, "order": 2, "name": step.name, "role": step.role, "duration": "5"}
    response = admin_client.post(change_url(step), data)
    assert response.status_code == 200
    assert "phải bằng thời hạn giải quyết" in response.content.decode()
    renamed = admin_client.post(change_url(step), {**data, "duration": str(step.duration), "name": "Thẩm tra"})
    assert renamed.status_code == 302
    step.refresh_from_db()
    assert step.name == "Thẩm tra"


def test_admin_search_ignores_accents(admin_client, procedure):
    ProcedureFactory(name="Đăng ký kết hôn")
    response = admin_client.get(reverse("admin:procedures_procedure_changelist"), {"q": "dang ky khai SINH"})
    assert list(response.context["cl"].result_list) == [procedure]


def test_official_created_with_a_new_login_and_roles(admin_client):
    agency = AgencyFactory()
    department = DepartmentFactory(agency=agency)
    response = admin_client.post(reverse("admin:procedures_official_add"), {
        "new_username": "canbo.moi", "new_password": "Mot-Cua-2026!", "agency": agency.pk,
        "department": department.pk, "title": "Chuyên viên", "display_name": "Ngô Thị Hoa", "is_active": "on",
        "roles": [Role.RECEPTION, Role.SPECIALIST],
    })
    assert response.status_code == 302, response.context and response.context["errors"]
    official = Official.objects.get(display_name="Ngô Thị Hoa")
    assert official.user.username == "canbo.moi"
    assert official.user.check_password("Mot-Cua-2026!")
    assert official.roles == {Role.RECEPTION, Role.SPECIALIST}
    listing = admin_client.get(reverse("admin:procedures_official_changelist")).content.decode()
    assert "Chuyên viên xử lý" in listing and "Tiếp nhận và trả kết quả" in listing


def test_official_roles_change_keeps_other_groups(admin_client):
    from django.contrib.auth.models import Group

    official = OfficialFactory(roles=[Role.LEADER])
    other = Group.objects.create(name="Nhóm báo cáo")
    official.user.groups.add(other)
    page = admin_client.get(change_url(official))
    assert page.context["adminform"].form["roles"].initial == [Role.LEADER]
    response = admin_client.post(change_url(official), {
        "user": official.user.pk, "agency": official.agency.pk, "title": official.title,
        "display_name": official.display_name, "is_active": "on", "roles": [Role.AGENCY_ADMIN],
    })
    assert response.status_code == 302, response.context and response.context["errors"]
    groups = set(official.user.groups.values_list("name", flat=True))
    assert groups == {GROUP_NAMES[Role.AGENCY_ADMIN], "Nhóm báo cáo"}


def test_official_add_refuses_a_taken_username_and_weak_password(admin_client):
    get_user_model().objects.create_user("tiepnhan", password="x")
    agency = AgencyFactory()
    base = {"agency": agency.pk, "display_name": "A", "is_active": "on"}
    taken = admin_client.post(reverse("admin:procedures_official_add"), {**base, "new_username": "TiepNhan",
                                                                         "new_password": "Mot-Cua-2026!"})
    assert "Tên đăng nhập này đã được dùng." in taken.content.decode()
    weak = admin_client.post(reverse("admin:procedures_official_add"), {**base, "new_username": "moi",
                                                                        "new_password": "12345678"})
    assert weak.status_code == 200 and weak.context["adminform"].form.errors["new_password"]
    assert not Official.objects.exists()


def test_calendar_exception_added_in_admin_is_an_admin_row(admin_client):
    response = admin_client.post(reverse("admin:procedures_calendarexception_add"), {
        "date": "10/01/2026", "kind": CalendarException.Kind.WORKING_DAY, "part": CalendarException.Part.WHOLE,
        "name": "Làm bù cho ngày 02/01/2026",
    })
    assert response.status_code == 302, response.context and response.context["errors"]
    row = CalendarException.objects.get()
    assert (row.date, row.source) == (datetime.date(2026, 1, 10), CalendarException.Source.ADMIN)
    listing = admin_client.get(reverse("admin:procedures_calendarexception_changelist")).content.decode()
    assert "Thứ Bảy" in listing


def test_required_document_inline_is_listed_in_order(admin_client, procedure):
    RequiredDocumentFactory(procedure=procedure, order=0, name="Giấy tờ đứng đầu")
    formset = admin_client.get(change_url(procedure)).context["inline_admin_formsets"][1].formset
    assert formset.forms[0].instance.name == "Giấy tờ đứng đầu"


def test_the_drawing_follows_the_declared_transitions_and_is_legible(admin_client, procedure):
    """Every state-changing transition the dossier's FSM declares is drawn with its name, plus send-back between
    the steps; no text under 12 px, and the drawing keeps its size (its box scrolls) so nothing shrinks at 1366 px."""
    import re

    from dossiers.lifecycle_diagram import declared_edges
    from dossiers.models import Dossier

    page = admin_client.get(change_url(procedure)).content.decode()
    svg = step_machine_of(page)
    transitions = Dossier._meta.get_field("state").get_all_transitions(Dossier)
    assert {edge.name for edge in declared_edges()} == {t.name for t in transitions if t.target is not None}
    for label in ["Yêu cầu bổ sung (Mẫu 02)", "Thông báo nghĩa vụ tài chính", "Công dân rút hồ sơ",
                  "Từ chối tiếp nhận (Mẫu 03)", "Dừng giải quyết (Mẫu 05)", "Trả lại bước trước", "Trả kết quả"]:
        assert label in svg.replace("</tspan><tspan", " <tspan") or label.split(" (")[0] in svg, label
    sizes = [int(size) for size in re.findall(r'font-size="(\d+)"', svg)]
    assert sizes and min(sizes) >= 12
    assert "<style" not in svg and "style=" not in svg  # no CSP exception needed
    assert 'class="lifecycle-wrap"' in page and "css/admin_lifecycle.css" in page


def test_calendar_exception_admin_keeps_the_working_calendar_table_current(admin_client):
    from common.clock import VN
    from procedures import calendar, services, working_calendar

    services.rebuild_working_calendar(first=datetime.date(2026, 1, 1))
    agency = AgencyFactory()
    start, end = (datetime.datetime(2026, 3, 16, 9, tzinfo=VN), datetime.datetime(2026, 3, 20, 9, tzinfo=VN))

    def measured():
        value = Agency.objects.filter(pk=agency.pk).values_list(working_calendar.working_time(agency, start, end), flat=True).get()
        assert value == calendar.working_time_between(agency, start, end) // datetime.timedelta(microseconds=1)
        return datetime.timedelta(microseconds=value)

    assert measured() == datetime.timedelta(hours=32)
    data = {"date": "18/03/2026", "kind": CalendarException.Kind.DAY_OFF, "part": CalendarException.Part.MORNING,
            "name": "Họp", "agency": agency.pk}
    assert admin_client.post(reverse("admin:procedures_calendarexception_add"), data).status_code == 302
    assert measured() == datetime.timedelta(hours=28)
    row = CalendarException.objects.get()
    response = admin_client.post(change_url(row), {**data, "part": CalendarException.Part.WHOLE, "agency": ""})
    assert response.status_code == 302
    assert measured() == datetime.timedelta(hours=24)
    response = admin_client.post(reverse("admin:procedures_calendarexception_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302 and not CalendarException.objects.exists()
    assert measured() == datetime.timedelta(hours=32)


def test_agency_sessions_changed_in_admin_rebuild_its_working_calendar(admin_client):
    from procedures.models import WorkingCalendar

    agency = AgencyFactory()
    page = admin_client.get(change_url(agency)).context
    form = page["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    for formset in page["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{name}": management[name].value() for name in management.fields})
    data.update(afternoon_end="16:30", morning_start="07:30", morning_end="11:30", afternoon_start="13:00",
                same_day_cutoff="15:00")
    response = admin_client.post(change_url(agency), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert WorkingCalendar.objects.get(agency=agency).afternoon_end == datetime.time(16, 30)
