from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = "Một Cửa"
admin.site.site_title = "Một Cửa"
admin.site.index_title = _("Quản trị hệ thống Một Cửa")

app_name_patterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("readyz", views.readyz, name="readyz"),
]

urlpatterns = [
    path("", include((app_name_patterns, "portal"))),
    path("i18n/", include("django.conf.urls.i18n")),
    # Our login view (Vietnamese errors) shadows Django's; the rest of django.contrib.auth.urls stays.
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    # Two-factor sign-in (portal.two_factor); the admin's own login page hands over to ours.
    path("accounts/hai-buoc/xac-thuc/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/hai-buoc/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/hai-buoc/ma-khoi-phuc/", views.two_factor_codes, name="two_factor_codes"),
    path("admin/login/", views.admin_login),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("thu-tuc/", include("procedures.urls")),
    path("thong-ke/", include("portal.dashboard_urls")),
    path("bieu-mau/", include("dossiers.pdf_urls")),
    path("ho-so/", include("dossiers.urls")),
    path("nop-truc-tuyen/", include("online.urls")),
    path("", include("satisfaction.urls")),
    path("", include("dossiers.public_urls")),
]
