"""The citizen's URLs, mounted at the site root: short paths, because the tracking one is printed as a QR."""
from django.urls import path, register_converter

from . import public_views


class TokenConverter:
    """Tracking and verification tokens: URL-safe base64 (secrets.token_urlsafe), at most the field's 32 characters."""

    regex = r"[A-Za-z0-9_-]{8,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "public_token")

app_name = "tracking"
urlpatterns = [
    path("t/<public_token:token>/", public_views.track, name="track"),
    path("t/<public_token:token>/ngung-thong-bao/", public_views.opt_out, name="opt_out"),
    path("tra-cuu/", public_views.lookup, name="lookup"),
    path("kiosk/", public_views.kiosk, name="kiosk"),
    path("kiosk/t/<public_token:token>/", public_views.kiosk_track, name="kiosk_track"),
    path("xac-thuc/", public_views.verify_form, name="verify_form"),
    path("xac-thuc/<public_token:token>/", public_views.verify, name="verify"),
    path("xac-thuc/<public_token:token>/ban-dien-tu.pdf", public_views.verify_copy, name="verify_copy"),
    path("robots.txt", public_views.robots_txt, name="robots"),
]
