"""The portal's own routes plus stand-ins for the dossier worklist and public lookup, and a view that flashes a message."""
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path

from tests.portal.urls_core import urlpatterns as core_urlpatterns


def _stub(request):
    return HttpResponse("stub")


def _flash(request):
    messages.success(request, "Đã lưu thành công.")
    return HttpResponseRedirect("/")


urlpatterns = [
    *core_urlpatterns,
    path("ho-so/", include(([path("", _stub, name="worklist")], "dossiers"))),
    path("tra-cuu/", include(([path("", _stub, name="lookup")], "tracking"))),
    path("flash/", _flash),
]
