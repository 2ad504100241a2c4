"""/thong-ke/: public statistics, the leaders' dashboard, the Mẫu 07 register and their exports."""
from django.urls import path, re_path

from . import dashboard_views as views

app_name = "dashboards"

# Agency codes are upper-case letters, digits and dots (procedures.models.Agency.code).
AGENCY = r"(?P<code>[0-9A-Z.]+)"
EXPORT = r"(?P<table>[a-z0-9-]+)\.(?P<fmt>xlsx|csv)"

urlpatterns = [
    path("", views.public_stats, name="public"),
    re_path(rf"^xuat/{EXPORT}$", views.public_export, name="public_export"),
    path("chuoi-nhat-ky.json", views.chain_heads, name="chain_heads"),
    path("lanh-dao/", views.leader, name="leader"),
    re_path(rf"^lanh-dao/xuat/{EXPORT}$", views.leader_export, name="leader_export"),
    path("so-theo-doi/", views.register, name="register"),
    re_path(r"^so-theo-doi/xuat\.(?P<fmt>xlsx|csv)$", views.register_export, name="register_export"),
    re_path(rf"^{AGENCY}/$", views.public_stats, name="agency"),
    re_path(rf"^{AGENCY}/xuat/{EXPORT}$", views.public_export, name="agency_export"),
    re_path(rf"^{AGENCY}/chuoi-nhat-ky\.json$", views.chain_heads, name="agency_chain_heads"),
]
