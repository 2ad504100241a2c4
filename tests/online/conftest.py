"""Fixtures for the online channel: an online procedure, files of every kind (good and bad), and builders that
file a submission and confirm it through the services (the HTTP tests file through the form instead)."""
import io
import re
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.models import Notification
from online import services
from online.files import check_upload
from tests.factories import AgencyFactory, ProcedureFactory

# The officials of tests/dossiers (clerk, specialist, leader, and an outsider of another agency) over this agency.
from ..dossiers.conftest import MONDAY_0900, clerk, leader, outsider, specialist, vn  # noqa: F401


def pdf_bytes(stream: bytes = b"BT /F1 12 Tf 10 50 Td (Don de nghi) Tj ET", *, compress: bool = True) -> bytes:
    """A one-page PDF whose content stream is `stream`, FlateDecode'd when `compress`."""
    data = zlib.compress(stream) if compress else stream
    filters = b" /Filter /FlateDecode" if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d%s >>\nstream\n" % (len(data), filters) + data + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def bomb_pdf(inflated: int) -> bytes:
    """A PDF whose one stream is a few kilobytes that inflate to `inflated` bytes of zeros."""
    return pdf_bytes(b"\0" * inflated)


def image_bytes(fmt: str = "PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def agency(db):
    return AgencyFactory(code="000.00.06.H56", name="UBND phường Thử Nghiệm", payment_details="STK 0123 Vietcombank")


@pytest.fixture
def procedure(agency):
    """Online, 5 working days, two required documents (the second optional)."""
    procedure = ProcedureFactory(agencies=[agency], steps=True, documents=2, time_limit=5, online_enabled=True)
    return procedure


@pytest.fixture
def media(settings, tmp_path):
    """A fresh MEDIA_ROOT of this test only, to see exactly what was stored."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def stored_files(media) -> list:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


def applicant(**overrides) -> services.ApplicantDetails:
    data = dict(name="Nguyễn Văn An", id_number="001203004567", phone="0912345678",
                address="12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", email="an@example.vn")
    data.update(overrides)
    return services.ApplicantDetails(**data)


def first_document(procedure):
    return procedure.required_documents.order_by("order").first()


def last_code(address: str) -> str:
    """The one-time code as the citizen reads it in the latest message sent to `address`."""
    message = Notification.objects.filter(recipient=address, template="online_code").order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.fixture
def start(procedure, agency):
    """start(**applicant overrides) -> a submission awaiting its code (one PDF for the mandatory document)."""
    def _start(now=MONDAY_0900, uploads=None, **overrides):
        if uploads is None:
            uploads = [services.Upload(checked=check_upload(upload("don.pdf", pdf_bytes())),
                                       required_document_id=first_document(procedure).pk)]
        return services.start_submission(procedure_id=procedure.pk, agency_id=agency.pk, applicant=applicant(**overrides),
                                         contact_channel="email", uploads=uploads, now=now)
    return _start


@pytest.fixture
def submitted(start):
    """A confirmed submission, in the agency's inbox."""
    submission = start()
    return services.confirm_contact(token=submission.tracking_token, code=last_code("an@example.vn"),
                                    now=vn(2026, 3, 9, 9, 5))
