"""The columns of the Sổ theo dõi hồ sơ (Mẫu 07), defined once for the printed register and its Excel/CSV export.

The register's columns (Thông tư 03/2025/TT-VPCP, Phụ lục I, Mẫu 07, keeping the columns of the Sổ theo dõi hồ sơ of
Thông tư 01/2018/TT-VPCP): số thứ tự, mã hồ sơ, tên thủ tục hành chính, số lượng hồ sơ (bộ), tên cá nhân, tổ chức,
địa chỉ, số điện thoại, cơ quan chủ trì giải quyết, nhận hồ sơ, hẹn trả kết quả, chuyển hồ sơ đến cơ quan giải
quyết, nhận kết quả từ cơ quan giải quyết, trả kết quả cho cá nhân, tổ chức (ngày; ký nhận), ghi chú.
"""
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Dossier
from .selectors import RegisterEntry


@dataclass(frozen=True)
class RegisterColumn:
    key: str
    label: str
    kind: str  # text | int | datetime, as the exports format them
    width: int  # characters in the Excel export
    pdf_width: float  # per cent of the printed register's width; they add up to 90, the cells' padding is the rest


COLUMNS = [
    RegisterColumn("number", _("Số thứ tự"), "int", 8, 3),
    RegisterColumn("code", _("Mã hồ sơ"), "text", 28, 12),
    RegisterColumn("procedure", _("Tên thủ tục hành chính"), "text", 44, 9.5),
    RegisterColumn("sets", _("Số lượng hồ sơ (bộ)"), "int", 9, 3.5),
    RegisterColumn("applicant", _("Tên cá nhân, tổ chức"), "text", 26, 7.5),
    RegisterColumn("contact", _("Địa chỉ, số điện thoại"), "text", 44, 9),
    RegisterColumn("agency", _("Cơ quan chủ trì giải quyết"), "text", 30, 7),
    RegisterColumn("received_at", _("Nhận hồ sơ"), "datetime", 17, 5.5),
    RegisterColumn("due_at", _("Hẹn trả kết quả"), "datetime", 17, 5.5),
    RegisterColumn("forwarded_at", _("Chuyển hồ sơ đến cơ quan giải quyết"), "datetime", 17, 5.5),
    RegisterColumn("processed_at", _("Nhận kết quả từ cơ quan giải quyết"), "datetime", 17, 5.5),
    RegisterColumn("returned_at", _("Trả kết quả cho cá nhân, tổ chức"), "datetime", 17, 5.5),
    RegisterColumn("signature", _("Ký nhận"), "text", 12, 4.5),
    RegisterColumn("note", _("Ghi chú"), "text", 24, 6.5),
]


def row(dossier: Dossier, entry: RegisterEntry | None) -> list:
    """One register line, in COLUMNS order. `dossier` comes from `selectors.register_dossiers` (it carries
    `forwarded_at`). The signature cell stays empty for the citizen's hand; a closed dossier says how it ended."""
    contact = ", ".join(part for part in (dossier.applicant_address, dossier.applicant_phone) if part)
    note = "" if dossier.returned_at or not dossier.closed_at else str(dossier.get_state_display())
    return [entry.number if entry else None, dossier.code, dossier.procedure.name, dossier.sets_count,
            dossier.applicant_name, contact, dossier.agency.name, dossier.received_at, dossier.due_at,
            getattr(dossier, "forwarded_at", None), dossier.processed_at, dossier.returned_at, "", note]


def rows(dossiers: Iterable[Dossier], entries: dict[int, RegisterEntry]) -> Iterator[list]:
    for dossier in dossiers:
        yield row(dossier, entries.get(dossier.pk))
