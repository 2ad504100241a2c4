"""Excel and CSV downloads: they open, carry typed cells and the same numbers as the pages, and stay staff-only
where they hold personal data."""
import csv
import datetime
import io
import re

import openpyxl
from django.urls import reverse

from tests.factories import vn
from tests.portal.dashboard_fixtures import *  # noqa: F403 - the `city` fixtures


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert re.fullmatch(r'attachment; filename="[\w.-]+\.xlsx"', response["Content-Disposition"])
    return openpyxl.load_workbook(io.BytesIO(response.content))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="[\w.-]+\.csv"', response["Content-Disposition"])
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def header_row(sheet) -> int:
    """The frozen header sits right above the first scrolling row."""
    return int(sheet.freeze_panes[1:]) - 1


def test_public_month_table_in_excel_equals_the_page(client, city):
    agency_url = reverse("dashboards:agency", kwargs={"code": city.agency.code})
    page_table = client.get(agency_url).context["months"]["table"]
    response = client.get(reverse("dashboards:agency_export",
                                  kwargs={"code": city.agency.code, "table": "theo-thang", "fmt": "xlsx"}))
    sheet = workbook(response).active
    header = header_row(sheet)
    assert [cell.value for cell in sheet[header]] == [column.label for column in page_table.columns]
    assert sheet.column_dimensions["A"].width == page_table.columns[0].width
    data = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=header + 1)]
    assert len(data) == len(page_table.rows) + 1  # the total row
    march = next(row for row in data if row[0] == "03/2026")
    assert march == ["03/2026", 13, 7, 3, 2, 2, 71.4, 66.7]
    assert data[-1][0] == "Cộng"
    assert data[-1][1:] == [float(v) if hasattr(v, "quantize") else v for v in page_table.total[1:]]


def test_public_field_table_as_csv(client, city):
    response = client.get(reverse("dashboards:agency_export",
                                  kwargs={"code": city.agency.code, "table": "theo-linh-vuc", "fmt": "csv"}))
    rows = csv_rows(response)
    assert rows[0][:3] == ["Lĩnh vực", "Tiếp nhận", "Đã giải quyết"]
    by_field = {row[0]: row[1:] for row in rows[1:]}
    assert by_field["Chứng thực"][:2] == ["3", "2"]
    assert by_field["Cộng"] == ["14", "8", "4", "2", "2", "75.0", "5", by_field["Cộng"][-1]]


def test_unknown_table_is_404(client, city):
    assert client.get("/thong-ke/xuat/khong-co.xlsx").status_code == 404


def test_register_excel_has_real_dates_and_the_mau_07_columns(client, city):
    client.force_login(city.clerk.user)
    response = client.get(reverse("dashboards:register_export", kwargs={"fmt": "xlsx"}),
                          {"date_from": "09/03/2026", "date_to": "09/03/2026"})
    sheet = workbook(response).active
    header = header_row(sheet)
    # The printed register's columns (dossiers.register.COLUMNS), in the same order.
    assert [cell.value for cell in sheet[header]] == [
        "Số thứ tự", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết", "Nhận hồ sơ", "Hẹn trả kết quả",
        "Chuyển hồ sơ đến cơ quan giải quyết", "Nhận kết quả từ cơ quan giải quyết", "Trả kết quả cho cá nhân, tổ chức",
        "Ký nhận", "Ghi chú"]
    assert "SỔ THEO DÕI HỒ SƠ" in sheet["A2"].value
    rows = list(sheet.iter_rows(min_row=header + 1))
    assert len(rows) == 11
    first = rows[0]
    assert first[1].value == city.d[1].code and first[4].value == "Người nộp số 1"
    assert first[3].value == 1 and first[6].value == city.agency.name
    # Numbered by place in the 2026 register book, one after the other.
    assert [row[0].value for row in rows] == list(range(first[0].value, first[0].value + 11))
    received, due, forwarded, processed, returned = (first[index].value for index in (7, 8, 9, 10, 11))
    assert received == datetime.datetime(2026, 3, 9, 9, 0)  # Vietnam wall-clock time, a real date cell
    assert due == datetime.datetime(2026, 3, 16, 9, 0)
    assert received < forwarded <= processed
    assert processed == datetime.datetime(2026, 3, 13, 10, 0)
    assert returned == datetime.datetime(2026, 3, 13, 11, 0)
    assert first[7].number_format == "dd/mm/yyyy hh:mm"
    assert first[13].value in (None, "")


def test_register_csv_matches_the_page(client, city):
    client.force_login(city.leader.user)
    params = {"date_from": "09/03/2026", "date_to": "09/03/2026"}
    page = client.get(reverse("dashboards:register"), params).context["table"]
    rows = csv_rows(client.get(reverse("dashboards:register_export", kwargs={"fmt": "csv"}), params))
    assert len(rows) == 1 + len(page.rows)
    assert rows[1][:5] == [str(page.rows[0][0]), city.d[1].code, page.rows[0][2], "1", "Người nộp số 1"]
    assert rows[1][7:9] == ["09/03/2026 09:00", "16/03/2026 09:00"]


def test_register_exports_are_staff_only(client, city):
    url = reverse("dashboards:register_export", kwargs={"fmt": "csv"})
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(city.specialist.user)
    assert client.get(url).status_code == 403
    client.force_login(city.other_leader.user)
    assert client.get(url, {"co-quan": city.agency.code}).status_code == 403
    rows = csv_rows(client.get(url, {"date_from": "09/03/2026", "date_to": "09/03/2026"}))
    assert len(rows) == 2  # the other agency's own B1 only
    assert "Người nộp số" not in "".join(",".join(row) for row in rows)


def test_leader_overdue_export(client, city):
    client.force_login(city.leader.user)
    response = client.get(reverse("dashboards:leader_export", kwargs={"table": "qua-han", "fmt": "xlsx"}))
    sheet = workbook(response).active
    header = header_row(sheet)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=header + 1)]
    assert [row[0] for row in rows] == [city.e[3].code, city.d[6].code, city.d[11].code, city.d[8].code]
    assert rows[1][4] == vn(2026, 3, 16, 9, 0).replace(tzinfo=None)
    assert all(isinstance(row[5], float) and row[5] > 0 for row in rows)


def test_leader_review_export_uses_the_filters(client, city):
    client.force_login(city.leader.user)
    params = {"date_from": "09/03/2026", "date_to": "18/03/2026", "procedure": city.quick.pk}
    page = client.get(reverse("dashboards:leader"), params).context["sections"]["danh_gia_can_bo"]["table"]
    rows = csv_rows(client.get(reverse("dashboards:leader_export", kwargs={"table": "danh-gia-can-bo", "fmt": "csv"}),
                               params))
    specialist = next(row for row in rows if row[0] == "Lê Văn Chuyên Viên")
    assert specialist[2:7] == ["2", "1", "1", "50.0", "1.0"]
    assert len(rows) - 1 == len(page.rows)
