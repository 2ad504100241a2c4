"""The agency's signing certificate (dossiers.signing): installing it, logging each use, the trusted roots."""
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Agency
from procedures.roles import Role

from ..errors import DossierActionError
from ..models import AgencyCertificate, CertificateUse, TrustedRoot
from ._core import _require_role, official_of


@transaction.atomic
def install_agency_certificate(*, agency_id: int, pkcs12: bytes, passphrase: str, actor,
                               now: datetime.datetime | None = None) -> AgencyCertificate:
    """An agency's PKCS#12 (key and certificate) becomes its signing certificate; the previous one is retired.

    Only a superuser or an agency administrator of that agency may do it. The key is stored encrypted and never
    shown again (signing.SigningError for a file that cannot be used)."""
    from .. import signing

    if not (actor is not None and actor.is_authenticated and actor.is_superuser):
        official = official_of(actor)
        _require_role(official, agency_id, Role.AGENCY_ADMIN)
    agency = Agency.objects.select_for_update().get(pk=agency_id)
    now = now or timezone.now()
    credentials = signing.read_pkcs12(pkcs12, passphrase, now=now)
    AgencyCertificate.objects.filter(agency=agency, is_active=True).update(is_active=False)
    return AgencyCertificate.objects.create(
        agency=agency, subject=credentials.subject[:500], issuer=credentials.issuer[:500],
        serial_number=format(credentials.certificate.serial_number, "x")[:100], fingerprint=credentials.fingerprint,
        not_before=credentials.certificate.not_valid_before_utc, not_after=credentials.certificate.not_valid_after_utc,
        certificate_pem=credentials.chain_pem(), encrypted_key=signing.encrypt_private_key(credentials.key),
        uploaded_at=now, uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )


def record_certificate_use(*, certificate_id: int, document: str,
                           now: datetime.datetime | None = None) -> CertificateUse:
    """Each use of an agency's private key is logged: what was signed, when."""
    return CertificateUse.objects.create(certificate_id=certificate_id, document=document[:300],
                                         used_at=now or timezone.now())


def add_trusted_root(*, name: str, pem: str) -> TrustedRoot:
    """A certificate authority the public verification page trusts (the same PEM is not added twice)."""
    from .. import signing

    certificates = signing.certificates_from_pem(pem)
    if len(certificates) != 1:
        raise DossierActionError(_("Cần đúng một chứng thư gốc dạng PEM."))
    root, _created = TrustedRoot.objects.get_or_create(certificate_pem=pem.strip() + "\n", defaults={"name": name})
    return root
