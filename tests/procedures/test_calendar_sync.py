"""`manage.py sync_holidays`: national rows from the `holidays` package, never over an admin's edit."""
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from procedures.models import CalendarException

Kind, Part, Source = CalendarException.Kind, CalendarException.Part, CalendarException.Source

pytestmark = pytest.mark.django_db


def sync(*years) -> str:
    out = io.StringIO()
    call_command("sync_holidays", *map(str, years), stdout=out)
    return out.getvalue()


def national_rows():
    return list(
        CalendarException.objects.filter(agency__isnull=True)
        .order_by("date")
        .values_list("pk", "date", "kind", "part", "name", "source")
    )


def test_loads_the_2027_lunar_new_year_and_the_2026_swapped_saturday():
    output = sync(2027, 2026)
    tet = CalendarException.objects.filter(date__range=(dt.date(2027, 2, 4), dt.date(2027, 2, 10)), agency__isnull=True)
    assert sorted(tet.values_list("date", flat=True)) == [dt.date(2027, 2, n) for n in range(4, 11)]
    assert set(tet.values_list("kind", "part", "source")) == {(Kind.DAY_OFF, Part.WHOLE, Source.HOLIDAYS)}
    assert tet.get(date=dt.date(2027, 2, 6)).name == "Tết Nguyên Đán"
    worked = CalendarException.objects.get(date=dt.date(2026, 8, 22))
    assert (worked.kind, worked.source) == (Kind.WORKING_DAY, Source.HOLIDAYS)
    assert CalendarException.objects.get(date=dt.date(2026, 8, 31)).kind == Kind.DAY_OFF
    # Only the requested years: the package's weekend_workdays also lists 2014 and 2019.
    assert not CalendarException.objects.exclude(date__year__in=[2026, 2027]).exists()
    assert "Năm 2026: tạo mới 15" in output  # 14 days off and one worked Saturday
    assert "Năm 2027: tạo mới 15" in output


def test_running_twice_changes_nothing():
    sync(2026)
    first = national_rows()
    output = sync(2026)
    assert national_rows() == first
    assert "tạo mới 0, cập nhật 0, giữ nguyên 15" in output


def test_an_admin_row_on_the_same_date_is_kept(make_agency):
    kept = CalendarException.objects.create(
        date=dt.date(2026, 4, 30), kind=Kind.WORKING_DAY, name="Trực lễ", source=Source.ADMIN
    )
    agency_row = CalendarException.objects.create(
        date=dt.date(2026, 9, 2), kind=Kind.WORKING_DAY, name="Trực Quốc khánh", agency=make_agency()
    )
    output = sync(2026)
    sync(2026)
    kept.refresh_from_db()
    assert (kept.kind, kept.name, kept.source) == (Kind.WORKING_DAY, "Trực lễ", Source.ADMIN)
    assert "giữ ngày do quản trị viên sửa 1" in output
    # The agency's own row sits beside the national one, which is created as usual.
    agency_row.refresh_from_db()
    assert agency_row.name == "Trực Quốc khánh"
    assert CalendarException.objects.get(date=dt.date(2026, 9, 2), agency__isnull=True).source == Source.HOLIDAYS


def test_own_rows_are_corrected_and_stale_ones_removed():
    sync(2026)
    CalendarException.objects.filter(date=dt.date(2026, 9, 2)).update(name="tên cũ", part=Part.MORNING)
    CalendarException.objects.create(date=dt.date(2026, 3, 3), kind=Kind.DAY_OFF, name="sai", source=Source.HOLIDAYS)
    admin = CalendarException.objects.create(date=dt.date(2026, 3, 4), kind=Kind.DAY_OFF, name="Nghỉ", source=Source.ADMIN)
    output = sync(2026)
    fixed = CalendarException.objects.get(date=dt.date(2026, 9, 2))
    assert (fixed.name, fixed.part) == ("Quốc khánh", Part.WHOLE)
    assert not CalendarException.objects.filter(date=dt.date(2026, 3, 3)).exists()
    assert CalendarException.objects.filter(pk=admin.pk).exists()
    assert "cập nhật 1" in output and "xoá 1" in output


def test_rejects_an_implausible_year():
    with pytest.raises(CommandError):
        sync(202)
    assert not CalendarException.objects.exists()
