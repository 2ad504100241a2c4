"""Printed forms (Thông tư 03/2025/TT-VPCP Phụ lục I), mounted at /bieu-mau/ as the "forms" namespace."""
from django.urls import path

from . import pdf_views

app_name = "forms"
urlpatterns = [
    path("ho-so/<int:pk>/giay-tiep-nhan/", pdf_views.receipt, name="receipt"),
    # number is "01".."06"; anything else is a 404 in the view.
    path("ho-so/<int:pk>/mau-<str:number>/", pdf_views.dossier_form, name="form"),
    # Mẫu 02 given at the counter for a dossier that was not received (no dossier, so no code in the URL).
    path("huong-dan/<int:pk>/mau-02/", pdf_views.guidance, name="guidance"),
    path("ket-qua/<int:pk>/tem-xac-thuc/", pdf_views.result_stamp, name="result_stamp"),
    path("so-theo-doi/", pdf_views.register, name="register"),
    path("can-bo/<int:official_pk>/the-danh-gia/", pdf_views.placard, name="placard"),
]
