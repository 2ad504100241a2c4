from django.urls import path, register_converter

from . import views


class ProcedureCodeConverter:
    """National procedure codes carry dots and dashes, e.g. 1.001193 or 2.000-XYZ."""

    regex = r"[0-9A-Za-z.\-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProcedureCodeConverter, "procedure_code")

app_name = "procedures"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<procedure_code:code>/", views.detail, name="detail"),
]
