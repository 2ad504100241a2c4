from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("tiep-nhan/", views.receive, name="receive"),
    path("tiep-nhan/the-can-cuoc/", views.read_cccd, name="read_cccd"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/thao-tac/<slug:action>/", views.act, name="act"),
    path("gia-han/<int:pk>/phe-duyet/", views.approve_extension, name="approve_extension"),
    path("gia-han/<int:pk>/khong-chap-thuan/", views.reject_extension, name="reject_extension"),
]
