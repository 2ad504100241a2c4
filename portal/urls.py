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
]

urlpatterns = [
    path("", include((app_name_patterns, "portal"))),
    path("i18n/", include("django.conf.urls.i18n")),
    # Our login view (Vietnamese errors) shadows Django's; the rest of django.contrib.auth.urls stays.
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("thu-tuc/", include("procedures.urls")),
    path("thong-ke/", include("portal.dashboard_urls")),
    path("bieu-mau/", include("dossiers.pdf_urls")),
    path("ho-so/", include("dossiers.urls")),
    path("", include("satisfaction.urls")),
    path("", include("dossiers.public_urls")),
]
