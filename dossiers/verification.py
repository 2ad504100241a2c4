"""Checking a signed PDF for the public page /xac-thuc/: is the signature valid, who signed, when, and was the file
changed afterwards? pyHanko's validator does the work against the trusted roots kept in `TrustedRoot` (the demo CA
in `make run`, the national CA roots in production). Nothing here raises on bad input: garbage is "unreadable".
"""
import datetime
import enum
import io
import logging
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import signing
from .models import AgencyCertificate, TrustedRoot

logger = logging.getLogger(__name__)


class Verdict(enum.StrEnum):
    VALID = "valid"
    ALTERED = "altered"  # the signed bytes do not match the signature: changed after signing
    CHANGED_AFTER = "changed_after"  # the signature holds, but content was appended after it
    EXPIRED = "expired"
    UNTRUSTED = "untrusted"  # signed with a certificate no trusted authority issued
    INVALID = "invalid"


VERDICT_TEXT = {
    Verdict.VALID: _("Chữ ký số hợp lệ: văn bản không bị thay đổi kể từ khi ký."),
    Verdict.ALTERED: _("Văn bản đã bị thay đổi sau khi ký: chữ ký số không còn khớp với nội dung."),
    Verdict.CHANGED_AFTER: _("Chữ ký số đúng, nhưng văn bản đã được thêm nội dung sau khi ký."),
    Verdict.EXPIRED: _("Chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực."),
    Verdict.UNTRUSTED: _("Chứng thư số không do tổ chức chứng thực tin cậy cấp: không xác định được người ký."),
    Verdict.INVALID: _("Chữ ký số không hợp lệ."),
}


@dataclass(frozen=True)
class SignatureCheck:
    verdict: Verdict
    signer: str
    signed_at: datetime.datetime | None
    intact: bool  # the signed bytes are unchanged
    whole_file: bool  # nothing was added after the signature
    agency: str = ""  # the agency whose registered certificate made it, if any
    certificate_until: datetime.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.VALID

    @property
    def text(self) -> str:
        return str(VERDICT_TEXT[self.verdict])

    @property
    def modified(self) -> bool:
        return not (self.intact and self.whole_file)


@dataclass(frozen=True)
class PdfCheck:
    readable: bool
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.readable and bool(self.signatures) and all(check.ok for check in self.signatures)


def _validation_context(now: datetime.datetime):
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import ValidationContext

    der = serialization.Encoding.DER
    roots = [asn1_x509.Certificate.load(cert.public_bytes(der))
             for root in TrustedRoot.objects.all() for cert in signing.certificates_from_pem(root.certificate_pem)]
    # Offline: the demo CA publishes no revocation lists; production roots' CRLs are fetched by a proxy, not here.
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", moment=now)


def _check(embedded, context, now: datetime.datetime) -> SignatureCheck:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception as error:  # noqa: BLE001 - hostile input: any parser error means "invalid", never a 500
        logger.info("signature could not be validated: %r", error)
        return SignatureCheck(Verdict.INVALID, "", None, intact=False, whole_file=False)
    certificate = status.signing_cert
    signer = certificate.subject.native.get("common_name", "") or certificate.subject.human_friendly
    validity = certificate["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    fingerprint = certificate.sha256.hex()
    agency = (AgencyCertificate.objects.filter(fingerprint=fingerprint).values_list("agency__name", flat=True)
              .first() or "")
    if not status.intact:
        verdict = Verdict.ALTERED
    elif not status.valid:
        verdict = Verdict.INVALID
    elif not (not_before <= now <= not_after):
        verdict = Verdict.EXPIRED
    elif not status.trusted:
        verdict = Verdict.UNTRUSTED
    elif not whole_file:
        verdict = Verdict.CHANGED_AFTER
    else:
        verdict = Verdict.VALID
    return SignatureCheck(verdict, signer, status.signer_reported_dt, intact=status.intact, whole_file=whole_file,
                          agency=agency, certificate_until=not_after)


def check_pdf(data: bytes, *, now: datetime.datetime | None = None) -> PdfCheck:
    """Every signature of an uploaded PDF, checked; `readable=False` for anything that is not a PDF pyHanko reads."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    now = now or timezone.now()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except Exception as error:  # noqa: BLE001 - hostile input: any parser error means "unreadable", never a 500
        logger.info("uploaded PDF could not be read: %r", error)
        return PdfCheck(readable=False)
    context = _validation_context(now)
    return PdfCheck(readable=True, signatures=[_check(signature, context, now) for signature in embedded])


def check_stored_copy(document) -> PdfCheck | None:
    """The signature check of a result document's stored electronic copy (None without one, or if it is gone)."""
    if not document.electronic_copy:
        return None
    try:
        with document.electronic_copy.open("rb") as copy:
            data = copy.read()
    except OSError:
        logger.warning("electronic copy of result document %s is missing from storage", document.pk)
        return None
    return check_pdf(data)
