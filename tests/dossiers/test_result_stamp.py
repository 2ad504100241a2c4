"""The result document's verification QR reaches the paper: the dossier page shows its code and prints a stamp."""
import datetime

from django.urls import reverse

from dossiers import links, services
from dossiers.models import ResultDocument
from tests.dossiers.pdf_support import page_size_mm, pdf_text, qr_texts


def registered(clerk, build_dossier) -> ResultDocument:
    dossier = build_dossier("processed")
    return services.register_result_document(dossier_id=dossier.pk, actor=clerk.user, number="12/QĐ-UBND",
                                             issued_on=datetime.date(2026, 3, 10), signer="Nguyễn Văn Lãnh Đạo")


def test_the_dossier_page_shows_the_code_and_links_the_stamp(client, clerk, build_dossier):
    document = registered(clerk, build_dossier)
    client.force_login(clerk.user)
    body = client.get(reverse("dossiers:detail", args=[document.dossier_id])).content.decode()
    assert f'<code class="verification-code">{document.verification_token}</code>' in body
    assert reverse("forms:result_stamp", args=[document.pk]) in body


def test_the_stamp_carries_the_verification_qr(client, clerk, build_dossier):
    document = registered(clerk, build_dossier)
    client.force_login(clerk.user)
    response = client.get(reverse("forms:result_stamp", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert page_size_mm(response.content) == (90.0, 45.0)
    text = pdf_text(response.content)
    assert "12/QĐ-UBND" in text and document.verification_token in text and "10/03/2026" in text
    assert qr_texts(response.content, scale=8) == [links.verification_url(document.verification_token)]
    # The QR leads to the public page that proves the document genuine.
    assert client.get(f"/xac-thuc/{document.verification_token}/").status_code == 200


def test_another_agencys_stamp_is_404(client, clerk, outsider, build_dossier):
    document = registered(clerk, build_dossier)
    client.force_login(outsider.user)
    assert client.get(reverse("forms:result_stamp", args=[document.pk])).status_code == 404
