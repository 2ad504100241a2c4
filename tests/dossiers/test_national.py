"""National-portal status codes for every state, and the export in the portal's vocabulary."""
import json

import pytest

from dossiers import selectors, services
from dossiers.models import NATIONAL_STATUS, Dossier, State

from .conftest import BUILDABLE_STATES, vn

pytestmark = pytest.mark.usefixtures("fast_passwords")

# docs/ARCHITECTURE.md: 2 received, 3 refused (at the counter or after appraisal), 4 in progress, 5 supplement requested, 6 awaiting financial
# obligation, 7 withdrawn, 8 stopped, 9 processed, 10 result returned (1 "new online" has no counter state).
EXPECTED_CODES = {
    "received": 2, "refused": 3, "rejected": 3, "in_progress": 4, "in_progress_last": 4, "supplement_requested": 5,
    "awaiting_payment": 6, "withdrawn": 7, "stopped": 8, "processed": 9, "returned": 10,
}


def test_every_state_has_its_code():
    assert {str(state): code for state, code in NATIONAL_STATUS.items()} == {
        state: code for state, code in EXPECTED_CODES.items() if state != "in_progress_last"}
    assert set(NATIONAL_STATUS) == set(State)


@pytest.mark.parametrize("state", BUILDABLE_STATES)
def test_status_code_of_a_dossier_built_by_the_services(build_dossier, state):
    dossier = Dossier.objects.get(pk=build_dossier(state).pk)
    assert dossier.national_status == EXPECTED_CODES[state]
    exported = json.loads(json.dumps(selectors.national_export(dossier)))
    assert exported["TrangThaiHoSo"] == EXPECTED_CODES[state]


def test_export_of_a_returned_dossier(build_dossier, procedure, agency):
    dossier = Dossier.objects.get(pk=build_dossier("returned").pk)
    exported = json.loads(json.dumps(selectors.national_export(dossier), ensure_ascii=False))
    steps = list(procedure.steps.order_by("order"))
    assert {key: value for key, value in exported.items() if key != "QuaTrinhXuLy"} == {
        "MaHoSo": "000.00.06.H56-260309-0001",
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name,
        "MaCoQuan": "000.00.06.H56",
        "KenhThucHien": 1,
        "ChuHoSo": "Nguyễn Văn An",
        "TrangThaiHoSo": 10,
        # yyyyMMddHHmmss in Vietnam time, although the database stores UTC (02:00Z is 09:00 in Hà Nội).
        "NgayTiepNhan": "20260309090000",
        "NgayHenTra": "20260316090000",
        "NgayCoKetQua": "20260309110000",
        "NgayTraKetQua": "20260309111500",
        "NgayKetThuc": "20260309111500",
    }
    assert [(row["SuKien"], row["ThoiDiem"], row["BuocXuLy"]) for row in exported["QuaTrinhXuLy"]] == [
        ("received", "20260309090000", steps[0].name),
        ("forwarded", "20260309093000", steps[1].name),
        ("forwarded", "20260309100000", steps[2].name),
        ("forwarded", "20260309103000", steps[3].name),
        ("processed", "20260309110000", steps[3].name),
        ("returned", "20260309111500", steps[3].name),
    ]
    assert exported["QuaTrinhXuLy"][0]["MoTa"] == "Tiếp nhận hồ sơ"


def test_export_leaves_out_internal_events_and_shows_unfinished_dates_as_null(build_dossier, clerk, specialist2,
                                                                            leader):
    dossier = build_dossier("in_progress", extension=True)
    services.assign(dossier_id=dossier.pk, actor=leader.user, assignee_id=specialist2.pk, note="Người cũ nghỉ",
                    now=vn(2026, 3, 10, 8, 0))
    exported = selectors.national_export(Dossier.objects.get(pk=dossier.pk))
    assert [row["SuKien"] for row in exported["QuaTrinhXuLy"]] == ["received", "forwarded"]
    assert (exported["NgayCoKetQua"], exported["NgayTraKetQua"], exported["NgayKetThuc"]) == (None, None, None)
    assert exported["TrangThaiHoSo"] == 4
    approved = services.approve_extension(extension_id=dossier.extensions.get().pk, actor=leader.user,
                                          now=vn(2026, 3, 10, 9, 0))
    exported = selectors.national_export(approved)
    assert exported["NgayHenTra"] == "20260320170000"
    assert exported["QuaTrinhXuLy"][-1]["SuKien"] == "extension_approved"
    assert "17:00 20/03/2026" in exported["QuaTrinhXuLy"][-1]["GhiChu"]


def test_export_of_a_refusal(build_dossier):
    exported = selectors.national_export(build_dossier("refused"))
    assert exported["TrangThaiHoSo"] == 3
    assert exported["NgayKetThuc"] == "20260309090000"
    assert [(row["SuKien"], row["BuocXuLy"], row["GhiChu"]) for row in exported["QuaTrinhXuLy"]] == [
        ("refused", None, "Thiếu tờ khai")]
