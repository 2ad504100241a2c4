"""Digital signatures (PAdES baseline, pyHanko) on the forms an agency prints, with the agency's own certificate.

"Rõ người, rõ việc, rõ trách nhiệm": a signed receipt or letter names its agency in a visible signature block
with the signing time, and any reader (Adobe Reader, poppler's `pdfsig`, the public page /xac-thuc/) can check
that nobody changed it afterwards. An agency without an active `AgencyCertificate` prints unsigned, as before.

The private key is kept encrypted (Fernet, SIGNING_KEY_ENCRYPTION_KEY from the environment); it is decrypted
for each signature only, and each signature writes a `CertificateUse` row (who signed what, when).
Speed: the signature adds a few tens of milliseconds to a receipt (bench/bench_signing.py): the stamp's font is
the forms' DejaVu cut to the stamp's characters once per agency and process, and the CMS container's size is
reserved up front instead of measured by a trial signature.
"""
import atexit
import datetime
import functools
import hashlib
import io
import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.clock import VN
from procedures.models import Agency

from .models import AgencyCertificate

logger = logging.getLogger(__name__)
# fontTools reports each table it cannot subset (harmless) at WARNING.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FIELD_NAME = "ChuKySoCoQuan"
STAMP_FONT = "fonts/DejaVuSerifCondensed.ttf"
# Bytes kept for the CMS signature container beyond the certificates it carries (signed attributes, signature).
SIGNATURE_RESERVE = 8192
# In the bottom margin (10 mm) of the first page, aligned with the forms' left margin; points from the lower left.
STAMP_BOX = (37, 3, 317, 27)


class SigningError(Exception):
    """A certificate or key cannot be used; the message is translated and fit for the admin form."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- the key's encryption at rest --------------------------------------------------------------------------------


def _fernet() -> MultiFernet:
    """SIGNING_KEY_ENCRYPTION_KEY: comma-separated Fernet keys, the first encrypts, all decrypt (key rotation)."""
    keys = [key.strip() for key in (settings.SIGNING_KEY_ENCRYPTION_KEY or "").split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured("SIGNING_KEY_ENCRYPTION_KEY is required to store or use signing keys (DEBUG=0)")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_private_key(key) -> bytes:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return _fernet().encrypt(der)


def _decrypt_private_key(token: bytes):
    try:
        der = _fernet().decrypt(bytes(token))
    except InvalidToken:
        raise SigningError(_("Không giải mã được khóa ký: SIGNING_KEY_ENCRYPTION_KEY đã đổi?")) from None
    return serialization.load_der_private_key(der, password=None)


# --- reading an uploaded PKCS#12 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """What an uploaded PKCS#12 holds, checked: the key, its certificate and the chain above it."""

    key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def issuer(self) -> str:
        return self.certificate.issuer.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def chain_pem(self) -> str:
        return "".join(cert.public_bytes(serialization.Encoding.PEM).decode()
                       for cert in [self.certificate, *self.chain])


def read_pkcs12(data: bytes, passphrase: str, *, now: datetime.datetime | None = None) -> Credentials:
    """Open a PKCS#12 file; refuse a wrong passphrase, a file without key or certificate, or an expired one."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, (passphrase or "").encode() or None)
    except (ValueError, TypeError):
        raise SigningError(_("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng.")) from None
    if key is None or certificate is None:
        raise SigningError(_("Tệp PKCS#12 phải chứa cả khóa bí mật và chứng thư số."))
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != certificate.public_key().public_bytes(*public):
        raise SigningError(_("Khóa bí mật không khớp với chứng thư số."))
    now = now or timezone.now()
    if certificate.not_valid_after_utc < now:
        raise SigningError(_("Chứng thư số đã hết hạn ngày %(date)s.")
                           % {"date": f"{certificate.not_valid_after_utc.astimezone(VN):%d/%m/%Y}"})
    return Credentials(key=key, certificate=certificate, chain=list(chain or []))


def certificates_from_pem(pem: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem.encode()) if pem.strip() else []


# --- signing -----------------------------------------------------------------------------------------------------


_stamp_folder = None


@functools.lru_cache(maxsize=64)
def _stamp_font_file(characters: str) -> str:
    """The forms' font cut down to `characters` and written once per process (pyHanko reads fonts from a path).

    pyHanko subsets and embeds the font again at every signature; starting from a few dozen glyphs instead of
    DejaVu's thousands is what keeps a signature cheap."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    global _stamp_folder
    source = finders.find(STAMP_FONT)
    if not source:
        raise FileNotFoundError(f"static/{STAMP_FONT} is missing: the signature stamp needs it")
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GPOS", "GSUB", "GDEF", "FFTM", "MATH"]
    options.hinting = False
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    # pyHanko writes the glyph widths in font units as if they were thousandths of an em: DejaVu has 2048 per em.
    scale_upem(font, 1000)
    if _stamp_folder is None:
        _stamp_folder = Path(tempfile.mkdtemp(prefix="motcua-stamp-"))
        atexit.register(shutil.rmtree, _stamp_folder, ignore_errors=True)
    path = _stamp_folder / f"stamp-{hashlib.sha256(characters.encode()).hexdigest()[:16]}.ttf"
    font.save(str(path))
    return str(path)


@functools.lru_cache(maxsize=64)
def _stamp_style(font_file: str):
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text="%(signed_by)s\n%(at)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(font_file), font_size=8, leading=10),
        border_width=1,
        background=None,
    )


def active_certificate(agency_id: int) -> AgencyCertificate | None:
    return AgencyCertificate.objects.filter(agency_id=agency_id, is_active=True).first()


# pyHanko's font accumulator and stamp style are shared by the process; one signature at a time, like rendering.
_sign_lock = threading.Lock()


def sign_pdf(content: bytes, *, agency: Agency | None, document: str) -> bytes:
    """The PDF signed by `agency`'s active certificate, with a visible block naming the agency and the time.

    Unsigned content comes back unchanged when the agency has no certificate. Each signature is logged as a
    `CertificateUse` (through the services, in its own transaction)."""
    certificate = active_certificate(agency.pk) if agency is not None else None
    if certificate is None:
        return content
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

    from . import services

    key = _decrypt_private_key(certificate.encrypted_key)
    chain = certificates_from_pem(certificate.certificate_pem)
    der = serialization.Encoding.DER
    signer = _simple_signer(
        key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        [cert.public_bytes(der) for cert in chain],
    )
    now = timezone.now()
    metadata = PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=document, location=agency.name, name=agency.name,
    )
    with translation.override("vi"):  # printed on a legal document, like the form itself
        text = {"signed_by": _("Ký số bởi: %(agency)s") % {"agency": agency.name},
                "at": _("Thời gian ký: %(at)s") % {"at": f"{now.astimezone(VN):%d/%m/%Y %H:%M:%S} (GMT+7)"}}
    # Every digit, so one cut of the font serves every signing time of this agency.
    characters = "".join(sorted(set(text["signed_by"] + text["at"] + "0123456789")))
    # A fixed reservation for the CMS container spares pyHanko a trial signature to measure it.
    reserved = SIGNATURE_RESERVE + 2 * sum(len(cert.public_bytes(der)) for cert in chain)  # hex: 2 per byte
    output = io.BytesIO()
    with _sign_lock:
        pdf_signer = PdfSigner(metadata, signer=signer, stamp_style=_stamp_style(_stamp_font_file(characters)),
                               new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=0, box=STAMP_BOX))
        pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(content), strict=False), output=output,
                            appearance_text_params=text, bytes_reserved=reserved)
    services.record_certificate_use(certificate_id=certificate.pk, document=document, now=now)
    return output.getvalue()


def _simple_signer(key_der: bytes, chain_der: list[bytes]):
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificates = [asn1_x509.Certificate.load(data) for data in chain_der]
    return signers.SimpleSigner(signing_cert=certificates[0], signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
                                cert_registry=SimpleCertificateStore.from_certs(certificates))
