"""Mounted at the site root: /t/<token>/danh-gia/ sits beside the public tracking page (/t/<token>/)."""
from django.urls import path

from . import views

app_name = "satisfaction"
urlpatterns = [
    path("t/<str:token>/danh-gia/", views.rate_dossier, name="rate_dossier"),
    path("can-bo/<int:pk>/danh-gia/", views.rate_official, name="rate_official"),
    # Staff pages before /phan-anh/<token>/: a token may contain "-".
    path("phan-anh/quan-ly/", views.feedback_list, name="feedback_list"),
    path("phan-anh/quan-ly/can-xu-ly/", views.attention, name="attention"),
    path("phan-anh/quan-ly/thong-ke/", views.statistics, name="statistics"),
    path("phan-anh/quan-ly/bang-diem/", views.scorecard, name="scorecard"),
    path("phan-anh/quan-ly/danh-gia/<int:pk>/xu-ly/", views.handle_rating, name="handle_rating"),
    path("phan-anh/quan-ly/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("phan-anh/quan-ly/<int:pk>/<slug:action>/", views.feedback_action, name="feedback_action"),
    path("phan-anh/", views.feedback_create, name="feedback_create"),
    path("phan-anh/tra-cuu/", views.feedback_lookup, name="feedback_lookup"),
    path("phan-anh/<str:token>/", views.feedback_status, name="feedback_status"),
]
