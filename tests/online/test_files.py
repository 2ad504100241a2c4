"""Every bad file class is refused with a clear message before it reaches storage, and a failing filing leaves
nothing stored; good files are stored privately through the storage API (the filesystem backend here)."""
import pytest
from django.core.exceptions import ValidationError

from online import services
from online.files import check_totals, check_upload
from online.models import OnlineSubmission, SubmittedFile

from .conftest import bomb_pdf, first_document, image_bytes, pdf_bytes, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name,content,code", [
    ("anh.jpg", b"MZ\x90\x00" + b"\0" * 200, "type"),  # a Windows program named like a photo
    ("don.pdf", b"PK\x03\x04" + b"\0" * 200, "type"),  # a ZIP named like a PDF
    ("don.pdf", b"<html><script>alert(1)</script></html>", "type"),
    ("trong.pdf", b"", "empty"),
    ("hong.pdf", b"%PDF-1.7\n" + b"rac" * 100, "pdf_broken"),
])
def test_a_file_that_is_not_what_it_says_is_refused(name, content, code):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content, "application/pdf"))
    assert error.value.code == code
    assert name in str(error.value.messages[0]) or code == "empty"


def test_the_type_comes_from_the_content_not_the_name():
    checked = check_upload(upload("anh-chup.pdf", image_bytes("PNG"), "application/pdf"))
    assert (checked.content_type, checked.extension) == ("image/png", "png")
    assert check_upload(upload("trang1.png", image_bytes("JPEG"))).content_type == "image/jpeg"
    assert check_upload(upload("x", pdf_bytes())).content_type == "application/pdf"


def test_a_file_over_the_per_file_limit_is_refused(settings):
    settings.ONLINE_FILE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        check_upload(upload("lon.pdf", pdf_bytes(b"x" * 5000, compress=False)))
    assert error.value.code == "too_large"


def test_files_over_the_total_limit_are_refused(settings):
    settings.ONLINE_TOTAL_MAX_BYTES = 1000
    files = [check_upload(upload(f"{n}.pdf", pdf_bytes(b"y" * 400, compress=False))) for n in range(3)]
    with pytest.raises(ValidationError) as error:
        check_totals(files)
    assert error.value.code == "total_too_large"


def test_a_zip_bomb_inside_a_pdf_is_refused(settings):
    settings.ONLINE_PDF_MAX_DECODED_BYTES = 1024 * 1024
    bomb = bomb_pdf(8 * 1024 * 1024)
    assert len(bomb) < 20_000  # a small file…
    with pytest.raises(ValidationError) as error:
        check_upload(upload("don.pdf", bomb))
    assert error.value.code == "pdf_bomb"
    # …while an honest compressed page within the limit passes.
    check_upload(upload("don.pdf", bomb_pdf(100 * 1024)))


def test_a_declared_decoded_length_over_the_limit_is_refused(settings):
    settings.ONLINE_PDF_MAX_DECODED_BYTES = 1024
    content = pdf_bytes().replace(b"/Filter /FlateDecode", b"/Filter /FlateDecode /DL 999999999")
    with pytest.raises(ValidationError) as error:
        check_upload(upload("don.pdf", content))
    assert error.value.code == "pdf_bomb"


def test_files_are_stored_privately_under_random_names(start, media, procedure):
    submission = start()
    row = SubmittedFile.objects.get(submission=submission)
    assert row.file.name.startswith("online/") and "don" not in row.file.name
    stored = stored_files(media)
    assert stored == [media / row.file.name]
    assert stored[0].read_bytes() == pdf_bytes()
    assert row.original_name == "don.pdf" and row.size == len(pdf_bytes()) and len(row.sha256) == 64


def test_a_failing_filing_leaves_nothing_stored(start, media, procedure, monkeypatch):
    def broken_code(submission, now):
        raise services.SubmissionError("provider down")

    monkeypatch.setattr(services, "_send_code", broken_code)
    good = [services.Upload(checked=check_upload(upload(f"{n}.pdf", pdf_bytes())),
                            required_document_id=first_document(procedure).pk) for n in range(3)]
    with pytest.raises(services.SubmissionError):
        start(uploads=good)
    assert not OnlineSubmission.objects.exists() and not SubmittedFile.objects.exists()
    assert stored_files(media) == []
