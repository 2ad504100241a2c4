"""What does signing add to a Mẫu 01 receipt? (Target: signed within 1.5× the unsigned receipt's time.)

    .venv/bin/python bench/bench_signing.py [-n 30] [--configured-db]

Same data as bench/bench_receipt.py (a throwaway SQLite database unless --configured-db, then a rolled-back
transaction). The same receipt is printed alternately without and with the agency's certificate (a demo CA made
with `cryptography`, installed through the service as an agency administrator would), after one warm-up of each,
so both series see the same machine load. Prints min / median / p95 of both and the ratio of the medians.
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
sys.path.insert(0, str(ROOT / "bench"))
TARGET_RATIO = 1.5


class Rollback(Exception):
    pass


def _summary(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{label}: min {ordered[0]:.0f} ms, median {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms"


def run(count: int) -> tuple[list[float], list[float]]:
    from bench_receipt import make_samples
    from django.utils import timezone

    from dossiers import pdf, pki, selectors, services, verification
    from dossiers.models import AgencyCertificate
    from procedures.roles import Role
    from tests.factories import OfficialFactory

    samples = make_samples()
    agency, clerk = samples["agency"], samples["clerk"]
    admin = OfficialFactory(agency=agency, roles=[Role.AGENCY_ADMIN])
    now = timezone.now()
    ca = pki.make_ca(now=now)
    services.add_trusted_root(name=pki.DEMO_CA_NAME, pem=ca.pem)
    issued = pki.issue(ca, agency.name, not_before=now - datetime.timedelta(days=1),
                       not_after=now + datetime.timedelta(days=365))
    certificate = services.install_agency_certificate(agency_id=agency.pk, pkcs12=pki.pkcs12_bytes(issued, ca, "b"),
                                                      passphrase="b", actor=admin.user)

    def receipt(signed: bool) -> tuple[float, bytes]:
        AgencyCertificate.objects.filter(pk=certificate.pk).update(is_active=signed)
        dossier = selectors.dossier_for_staff(clerk, samples["receipt"].pk)
        began = time.perf_counter()
        content = pdf.dossier_form_pdf(dossier, "01")
        return (time.perf_counter() - began) * 1000, content

    receipt(False)
    _elapsed, signed = receipt(True)  # warm-up of each: fonts, stylesheet, the stamp's font subset
    assert verification.check_pdf(signed).ok, "the benchmark's signed receipt does not validate"
    unsigned_times, signed_times = [], []
    for _ in range(count):
        unsigned_times.append(receipt(False)[0])
        signed_times.append(receipt(True)[0])
    return unsigned_times, signed_times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="receipts of each kind (default 30)")
    parser.add_argument("--configured-db", action="store_true", help="use DATABASE_URL inside a rolled-back transaction")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    scratch = None
    if not args.configured_db:
        handle, scratch = tempfile.mkstemp(prefix="bench-signing-", suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    try:
        if scratch:
            call_command("migrate", verbosity=0, interactive=False)
        unsigned: list[float] = []
        signed: list[float] = []
        try:
            with transaction.atomic():
                unsigned, signed = run(args.n)
                raise Rollback
        except Rollback:
            pass
    finally:
        if scratch:
            Path(scratch).unlink(missing_ok=True)

    ratio = statistics.median(signed) / statistics.median(unsigned)
    print(_summary(f"Mẫu 01 unsigned, {len(unsigned)} renders", unsigned))
    print(_summary(f"Mẫu 01 signed,   {len(signed)} renders", signed))
    print(f"signed / unsigned (medians): {ratio:.2f}× (target ≤ {TARGET_RATIO}×)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
