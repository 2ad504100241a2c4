"""The online channel's URLs, under /nop-truc-tuyen/ (the request body limit there allows the uploads)."""
from django.urls import path, register_converter

# Importing the catalogue's URLs registers its `procedure_code` converter, whatever the include order.
from procedures.urls import ProcedureCodeConverter  # noqa: F401

from . import public_views, views


class SubmissionTokenConverter:
    """The submission's token: URL-safe base64 of 16 random bytes (22 characters)."""

    regex = r"[A-Za-z0-9_-]{16,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SubmissionTokenConverter, "submission_token")

app_name = "online"
urlpatterns = [
    path("thu-tuc/<procedure_code:code>/", public_views.start, name="start"),
    path("theo-doi/<submission_token:token>/", public_views.status, name="status"),
    path("theo-doi/<submission_token:token>/xac-nhan/", public_views.confirm, name="confirm"),
    path("theo-doi/<submission_token:token>/gui-lai-ma/", public_views.resend, name="resend"),
    path("theo-doi/<submission_token:token>/nop-them/", public_views.add_files, name="add_files"),
    path("theo-doi/<submission_token:token>/nhan-ket-qua/", public_views.delivery, name="delivery"),
    path("theo-doi/<submission_token:token>/tep/<int:file_id>/", public_views.file, name="file"),
    path("theo-doi/<submission_token:token>/mau-<str:number>.pdf", public_views.form_pdf, name="form_pdf"),
    path("theo-doi/<submission_token:token>/ket-qua/<int:document_id>.pdf", public_views.result, name="result"),
    path("can-bo/", views.inbox, name="inbox"),
    path("can-bo/<int:pk>/", views.detail, name="detail"),
    path("can-bo/<int:pk>/tep/<int:file_id>/", views.file, name="staff_file"),
    path("can-bo/<int:pk>/<str:action>/", views.act, name="act"),
]
