"""How fast does a Mẫu 01 receipt render? (The citizen waits at the counter while it prints.)

    .venv/bin/python bench/bench_receipt.py [-n 30] [--configured-db] [--out DIR]

By default the data lives in a throwaway SQLite database (migrated into a temporary file); with
--configured-db it goes into the configured database (DATABASE_URL) inside a transaction that is rolled back.
Prints min / median / p95 milliseconds of `pdf.dossier_form_pdf(dossier, "01")` after one warm-up render
(the first render of a process also loads the fonts). --out DIR also writes one PDF of every form there.
"""
import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common.clock import VN  # noqa: E402

BUDGET_MS = 400


class Rollback(Exception):
    pass


def make_samples():
    """One dossier per form state, received by a clerk and moved by the services (no shortcuts)."""
    from dossiers import services
    from procedures.roles import Role
    from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory

    agency = AgencyFactory(code="000.00.99.H56", name="UBND phường Đo Hiệu Năng")
    clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION], display_name="Trần Thị Tiếp Nhận")
    specialist = OfficialFactory(agency=agency, roles=[Role.SPECIALIST], display_name="Lê Văn Chuyên Viên")
    leader = OfficialFactory(agency=agency, roles=[Role.LEADER], display_name="Nguyễn Văn Lãnh Đạo",
                             title="Chủ tịch UBND phường")
    procedure = ProcedureFactory(agencies=[agency], steps=True, documents=3, time_limit=5,
                                 name="Đăng ký khai sinh kết hợp đăng ký thường trú, cấp thẻ bảo hiểm y tế")
    documents = [
        services.ReceivedDocument(name=doc.name, required_document_id=doc.pk, originals=1, photocopies=index)
        for index, doc in enumerate(procedure.required_documents.all())
    ]
    start = datetime.datetime(2026, 3, 9, 9, 5, tzinfo=VN)

    def receive(minutes: int, name: str):
        return services.receive(
            actor=clerk.user, procedure_id=procedure.pk, documents=documents,
            now=start + datetime.timedelta(minutes=minutes),
            applicant=services.Applicant(name=name, id_number="001203004567", phone="0912345678",
                                         address="12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", email="an@example.vn"),
        )

    receipt = receive(0, "Nguyễn Thị Ánh Dương")
    supplement = receive(5, "Phạm Đức Hưởng")
    services.forward(dossier_id=supplement.pk, actor=clerk.user, assignee_id=specialist.pk, now=start + datetime.timedelta(hours=1))
    services.request_supplement(dossier_id=supplement.pk, actor=specialist.user, reply_by=datetime.date(2026, 3, 20),
                                missing="Bản sao giấy chứng sinh có chứng thực.\nTờ khai ghi thiếu nơi cư trú của mẹ.",
                                now=start + datetime.timedelta(hours=3))
    refused = services.refuse_at_counter(
        actor=clerk.user, procedure_id=procedure.pk, now=start + datetime.timedelta(minutes=20),
        applicant=services.Applicant(name="Đỗ Quý Hồng", id_number="001203004568", phone="0912345679",
                                     address="5 Lò Đúc, Hà Nội"),
        reason="Thủ tục thuộc thẩm quyền của UBND cấp tỉnh, không thuộc thẩm quyền của phường.",
    )
    late = receive(30, "Vũ Minh Khôi")
    extension = services.request_extension(dossier_id=late.pk, actor=clerk.user, reason="Cần xác minh thông tin cư trú với địa phương khác.",
                                           proposed_due_at=late.due_at + datetime.timedelta(days=3), now=start + datetime.timedelta(days=2))
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=start + datetime.timedelta(days=2, hours=1))
    stopped = receive(40, "Hoàng Yến Nhi")
    # Short texts: services.stop puts both into the 100-character history reason (PostgreSQL enforces it).
    services.stop(dossier_id=stopped.pk, actor=leader.user, reason="Công dân đề nghị dừng giải quyết.",
                  legal_ground="Điều 19 Nghị định 118/2025/NĐ-CP",
                  now=start + datetime.timedelta(days=1))
    return {"agency": agency, "clerk": clerk, "leader": leader, "receipt": receipt, "supplement": supplement,
            "refused": refused, "late": late, "stopped": stopped}


def run(count: int, out: Path | None) -> list[float]:
    from dossiers import pdf, selectors

    samples = make_samples()
    clerk = samples["clerk"]

    def load(key):
        return selectors.dossier_for_staff(clerk, samples[key].pk)

    pdf.dossier_form_pdf(load("receipt"), "01")  # warm-up: fonts and stylesheet load once per process
    timings = []
    for _ in range(count):
        began = time.perf_counter()
        pdf.dossier_form_pdf(load("receipt"), "01")
        timings.append((time.perf_counter() - began) * 1000)
    if out:
        out.mkdir(parents=True, exist_ok=True)
        plan = {"01": "receipt", "02": "supplement", "03": "refused", "04": "late", "05": "stopped", "06": "supplement"}
        for number, key in plan.items():
            (out / f"mau-{number}.pdf").write_bytes(pdf.dossier_form_pdf(load(key), number))
        dossiers = selectors.register_dossiers(
            agency_id=samples["agency"].pk, start=datetime.datetime(2026, 3, 1, tzinfo=VN),
            end=datetime.datetime(2026, 4, 1, tzinfo=VN))
        (out / "mau-07.pdf").write_bytes(pdf.register_pdf(agency=samples["agency"], start=datetime.date(2026, 3, 1),
                                                          end=datetime.date(2026, 3, 31), dossiers=dossiers))
        (out / "placard.pdf").write_bytes(pdf.placard_pdf(samples["leader"]))
        print(f"wrote the forms to {out}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="receipts to render (default 30)")
    parser.add_argument("--configured-db", action="store_true", help="use DATABASE_URL inside a rolled-back transaction")
    parser.add_argument("--out", type=Path, help="also write one PDF of every form into this folder")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    scratch = None
    if not args.configured_db:
        handle, scratch = tempfile.mkstemp(prefix="bench-receipt-", suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    try:
        if scratch:
            call_command("migrate", verbosity=0, interactive=False)
        timings: list[float] = []
        try:
            with transaction.atomic():
                timings = run(args.n, args.out)
                raise Rollback
        except Rollback:
            pass
    finally:
        if scratch:
            Path(scratch).unlink(missing_ok=True)

    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"Mẫu 01 receipt, {len(ordered)} renders: min {ordered[0]:.0f} ms, median {statistics.median(ordered):.0f} ms, "
          f"p95 {p95:.0f} ms (budget {BUDGET_MS} ms)")
    return 0 if statistics.median(ordered) < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
