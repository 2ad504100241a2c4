"""A demo CA, agencies' certificates installed through the service, and readers of signed PDFs for the tests."""
import datetime
import shutil
import subprocess

import pypdfium2
import pypdfium2.raw as pdfium_raw
from django.utils import timezone

from dossiers import pki, services

PDFSIG = shutil.which("pdfsig") or "/usr/bin/pdfsig"


def trusted_ca(name: str = pki.DEMO_CA_NAME) -> pki.Issued:
    ca = pki.make_ca(name, now=timezone.now())
    services.add_trusted_root(name=name, pem=ca.pem)
    return ca


def install(agency, admin, ca: pki.Issued, *, valid_from=None, valid_until=None, passphrase="mat-khau"):
    now = timezone.now()
    valid_from = valid_from or now - datetime.timedelta(days=1)
    valid_until = valid_until or now + datetime.timedelta(days=365)
    issued = pki.issue(ca, agency.name, not_before=valid_from, not_after=valid_until)
    # An expired certificate is installed "while it was still valid" (the service refuses expired uploads).
    installed_at = min(now, valid_until - datetime.timedelta(hours=1))
    return services.install_agency_certificate(agency_id=agency.pk, pkcs12=pki.pkcs12_bytes(issued, ca, passphrase),
                                               passphrase=passphrase, actor=admin.user, now=installed_at)


def stamp_text(content: bytes, page: int = 0) -> str:
    """The text drawn by the page's annotations (the visible signature block), read by pdfium after flattening."""
    document = pypdfium2.PdfDocument(content)
    try:
        signed_page = document[page]  # keep a reference: pdfium frees the page with its Python object
        pdfium_raw.FPDFPage_Flatten(signed_page.raw, pdfium_raw.FLAT_PRINT)
        signed_page.close()
        flat = document[page]
        text = flat.get_textpage().get_text_range()
        flat.close()
    finally:
        document.close()
    return " ".join(text.split())


def pdfsig(content: bytes, tmp_path) -> str:
    """poppler's independent verdict (pdfsig exits 0 even for a bad signature; the text says it)."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(content)
    result = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60, check=False)
    return result.stdout + result.stderr


def flip_byte_in_content(content: bytes) -> bytes:
    """The PDF with one byte changed inside the first content stream (within the signed range)."""
    start = content.index(b"stream\n") + len(b"stream\n") + 20
    changed = bytearray(content)
    changed[start] ^= 0x01
    return bytes(changed)
