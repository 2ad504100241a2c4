"""PAdES signatures of the printed forms (dossiers.signing) and their public verification (dossiers.verification).

Signed PDFs are checked by pyHanko's validator against the demo CA, and independently by poppler's `pdfsig`.
`pdfsig` trusts only its own NSS store, which does not hold the demo CA: it reports "Certificate issuer isn't
Trusted", so with it we assert the signature's integrity ("Signature is Valid", "Total document signed") and the
signer's name, and leave trust to pyHanko, which is given the demo CA as a root."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dossiers import pdf, pki, selectors, services, signing, verification
from dossiers.models import AgencyCertificate, CertificateUse
from procedures.roles import Role
from tests.factories import OfficialFactory

from .signing_support import flip_byte_in_content, install, pdfsig, stamp_text, trusted_ca

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_admin(agency):
    return OfficialFactory(agency=agency, roles=[Role.AGENCY_ADMIN], display_name="Quản Trị Cơ Quan")


@pytest.fixture
def demo_ca(db):
    return trusted_ca()


@pytest.fixture
def certificate(agency, agency_admin, demo_ca):
    return install(agency, agency_admin, demo_ca)


@pytest.fixture
def receipt(receive, clerk):
    def _print():
        dossier = selectors.dossier_for_staff(clerk, receive().pk)
        return pdf.dossier_form_pdf(dossier, "01")
    return _print


def test_receipt_is_signed_by_the_agency_and_validates(certificate, receipt, agency, tmp_path):
    content = receipt()
    check = verification.check_pdf(content)
    assert check.ok, check
    [signature] = check.signatures
    assert signature.signer == agency.name and signature.agency == agency.name
    assert not signature.modified
    assert abs(signature.signed_at - timezone.now()) < datetime.timedelta(minutes=5)
    # The visible block names the agency and the signing time (Vietnam time).
    stamp = stamp_text(content)
    assert f"Ký số bởi: {agency.name}" in stamp
    assert f"Thời gian ký: {timezone.localtime(signature.signed_at):%d/%m/%Y}" in stamp and "(GMT+7)" in stamp
    # poppler's independent implementation agrees that the signature covers the whole, unchanged document.
    report = pdfsig(content, tmp_path)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report and f"Signer Certificate Common Name: {agency.name}" in report
    assert "ETSI.CAdES.detached" in report  # PAdES


def test_each_use_of_the_key_is_logged(certificate, receipt):
    receipt()
    receipt()
    uses = list(CertificateUse.objects.filter(certificate=certificate).values_list("document", flat=True))
    assert len(uses) == 2 and all(use.startswith("Mẫu số 01") for use in uses)


def test_letters_are_signed_too(certificate, build_dossier, clerk, leader):
    dossier = build_dossier("stopped")
    content = pdf.dossier_form_pdf(selectors.dossier_for_staff(leader, dossier.pk), "05")
    assert verification.check_pdf(content).ok


def test_agency_without_certificate_prints_unsigned(receipt):
    check = verification.check_pdf(receipt())
    assert check.readable and check.signatures == [] and not check.ok


def test_one_byte_changed_after_signing_is_reported_as_altered(certificate, receipt, tmp_path):
    changed = flip_byte_in_content(receipt())
    [signature] = verification.check_pdf(changed).signatures
    assert signature.verdict == verification.Verdict.ALTERED and signature.modified
    assert "Digest Mismatch" in pdfsig(changed, tmp_path)


def test_content_appended_after_signing_is_reported(certificate, receipt):
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    # An incremental update after the signature (as an editor saving the file would append): signed bytes intact.
    writer = IncrementalPdfFileWriter(BytesIO(receipt()))
    writer.root["/Lang"] = generic.TextStringObject("en-GB")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    [signature] = verification.check_pdf(out.getvalue()).signatures
    assert signature.intact and not signature.whole_file and signature.modified


def test_expired_certificate_is_reported_as_such(agency, agency_admin, demo_ca, receipt):
    now = timezone.now()
    install(agency, agency_admin, demo_ca, valid_from=now - datetime.timedelta(days=400),
            valid_until=now - datetime.timedelta(days=1))
    [signature] = verification.check_pdf(receipt()).signatures
    assert signature.verdict == verification.Verdict.EXPIRED and not signature.modified


def test_certificate_of_an_unknown_authority_is_reported_as_such(agency, agency_admin, receipt, demo_ca):
    stranger = pki.make_ca("CA không ai biết", now=timezone.now())
    install(agency, agency_admin, stranger)
    [signature] = verification.check_pdf(receipt()).signatures
    assert signature.verdict == verification.Verdict.UNTRUSTED and signature.intact


def test_the_key_is_stored_encrypted_and_needs_the_configured_key(certificate, settings):
    key = signing._decrypt_private_key(certificate.encrypted_key)
    der = key.private_bytes(signing.serialization.Encoding.DER, signing.serialization.PrivateFormat.PKCS8,
                            signing.serialization.NoEncryption())
    assert der not in bytes(certificate.encrypted_key)
    settings.SIGNING_KEY_ENCRYPTION_KEY = "nk4m3_6CQ6o_E6ysZGKGKfE7Gk3cJ9v8w4xgqJ2vN3U="
    with pytest.raises(signing.SigningError):
        signing._decrypt_private_key(certificate.encrypted_key)


def test_wrong_passphrase_or_expired_upload_is_refused(agency, agency_admin, demo_ca):
    now = timezone.now()
    issued = pki.issue(demo_ca, agency.name, not_before=now - datetime.timedelta(days=1),
                       not_after=now + datetime.timedelta(days=30))
    with pytest.raises(signing.SigningError, match="sai mật khẩu"):
        services.install_agency_certificate(agency_id=agency.pk, pkcs12=pki.pkcs12_bytes(issued, demo_ca, "a"),
                                            passphrase="b", actor=agency_admin.user)
    with pytest.raises(signing.SigningError, match="hết hạn"):
        services.install_agency_certificate(agency_id=agency.pk, pkcs12=pki.pkcs12_bytes(issued, demo_ca, "a"),
                                            passphrase="a", actor=agency_admin.user,
                                            now=now + datetime.timedelta(days=31))


def test_only_the_agency_admin_installs_and_the_new_certificate_replaces_the_old(agency, agency_admin, clerk,
                                                                                demo_ca, outsider):
    from dossiers.errors import DossierPermissionError

    first = install(agency, agency_admin, demo_ca)
    second = install(agency, agency_admin, demo_ca)
    assert list(AgencyCertificate.objects.filter(is_active=True)) == [second]
    assert first.fingerprint != second.fingerprint
    for stranger in (clerk, outsider):
        with pytest.raises(DossierPermissionError):
            install(agency, stranger, demo_ca)


def test_admin_upload_stores_the_certificate_and_never_shows_the_key(client, agency, agency_admin, demo_ca):
    from django.contrib.auth.models import Permission

    agency_admin.user.is_staff = True
    agency_admin.user.save()
    agency_admin.user.user_permissions.add(*Permission.objects.filter(
        codename__in=["add_agencycertificate", "view_agencycertificate"]))
    client.force_login(agency_admin.user)
    now = timezone.now()
    issued = pki.issue(demo_ca, agency.name, not_before=now - datetime.timedelta(days=1),
                       not_after=now + datetime.timedelta(days=30))
    upload = SimpleUploadedFile("co-quan.p12", pki.pkcs12_bytes(issued, demo_ca, "bi-mat"))
    response = client.post("/admin/dossiers/agencycertificate/add/",
                           {"agency": agency.pk, "pkcs12": upload, "passphrase": "bi-mat"})
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = AgencyCertificate.objects.get(agency=agency, is_active=True)
    assert stored.uploaded_by == agency_admin.user and agency.name in stored.subject
    page = client.get(f"/admin/dossiers/agencycertificate/{stored.pk}/change/").content.decode()
    assert stored.fingerprint in page
    assert "PRIVATE KEY" not in page and "encrypted_key" not in page and "bi-mat" not in page
    wrong = client.post("/admin/dossiers/agencycertificate/add/",
                        {"agency": agency.pk, "pkcs12": SimpleUploadedFile("x.p12", b"not a pkcs12"), "passphrase": ""})
    assert wrong.status_code == 200 and "Không mở được tệp PKCS#12" in wrong.content.decode()


# --- the public page --------------------------------------------------------------------------------------------


def _upload(client, content: bytes, name: str = "bien-nhan.pdf"):
    return client.post("/xac-thuc/", {"tep": SimpleUploadedFile(name, content, content_type="application/pdf")})


def test_uploaded_signed_receipt_is_valid_with_signer_and_time(client, certificate, receipt, agency):
    response = _upload(client, receipt())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chữ ký số hợp lệ" in html and agency.name in html
    assert f"{timezone.localtime():%d/%m/%Y}" in html


def test_uploaded_altered_receipt_says_changed(client, certificate, receipt):
    html = _upload(client, flip_byte_in_content(receipt())).content.decode()
    assert "Văn bản đã bị thay đổi sau khi ký" in html and "Không hợp lệ" in html


@pytest.mark.parametrize("content, status, text", [
    (b"hello, not a PDF", 400, "Tệp này không phải PDF."),
    (b"%PDF-1.7\n garbage without any structure", 200, "Không đọc được"),
    (b"", 400, ""),
])
def test_garbage_uploads_never_fail_the_page(client, content, status, text):
    response = _upload(client, content)
    assert response.status_code == status
    assert text in response.content.decode()


def test_unsigned_pdf_is_reported_without_signature(client, receipt):
    assert "Không có chữ ký số" in _upload(client, receipt()).content.decode()


def test_upload_size_is_limited(client, settings, certificate, receipt):
    settings.SIGNED_PDF_MAX_BYTES = 1024
    response = _upload(client, receipt())
    assert response.status_code == 400 and "Tệp quá lớn" in response.content.decode()


def test_result_document_qr_page_shows_the_signed_copy_check(client, certificate, build_dossier, clerk, agency):
    from .conftest import vn

    dossier = build_dossier("returned")
    document = services.register_result_document(
        dossier_id=dossier.pk, actor=clerk.user, number="125/GCN-UBND", issued_on=datetime.date(2026, 3, 9),
        signer="Phạm Văn Ký", now=vn(2026, 3, 9, 11, 30))
    page = client.get(f"/xac-thuc/{document.verification_token}/").content.decode()
    assert "Bản điện tử có chữ ký số" in page and "Chữ ký số hợp lệ" in page and agency.name in page
    copy = client.get(f"/xac-thuc/{document.verification_token}/ban-dien-tu.pdf")
    content = b"".join(copy.streaming_content)
    assert copy["Content-Type"] == "application/pdf" and verification.check_pdf(content).ok
    # The same file uploaded gives the same answer and is recognised as the registered document.
    uploaded = _upload(client, content).content.decode()
    assert "Chữ ký số hợp lệ" in uploaded and "125/GCN-UBND" in uploaded
