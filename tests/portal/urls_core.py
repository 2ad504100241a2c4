"""The portal's own routes only, as before other apps mount theirs: links to missing sections must not appear."""
from django.contrib import admin
from django.urls import include, path

from portal import urls as portal_urls
from portal import views

urlpatterns = [
    path("", include((portal_urls.app_name_patterns, "portal"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("thu-tuc/", include("procedures.urls")),
]
