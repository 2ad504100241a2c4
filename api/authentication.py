"""`Authorization: Bearer <token>`: the request acts as the token's official, with their agency and roles."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from procedures.access import load_official

from . import services


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization phải có dạng “Bearer KHÓA”."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Khóa API không hợp lệ.")) from None
        token = services.authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Khóa API không hợp lệ, đã bị thu hồi hoặc cán bộ đã nghỉ công tác."))
        user = token.owner.user
        if load_official(user) is None:
            raise exceptions.AuthenticationFailed(_("Khóa API không hợp lệ, đã bị thu hồi hoặc cán bộ đã nghỉ công tác."))
        return user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Khóa API cá nhân do quản trị cơ quan cấp / a per-official token from the agency admin."}
