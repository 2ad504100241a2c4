"""/api/: the versioned API under v1/, its OpenAPI schema and the documentation page (served from our own static
files: drf-spectacular-sidecar, no CDN)."""
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dossiers.public_urls import TokenConverter  # noqa: F401  (registers the public_token converter)
from procedures.urls import ProcedureCodeConverter  # noqa: F401  (registers the procedure_code converter)

from . import views


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its script split out of the page (no inline script under our CSP)."""

    template_name = "api/swagger_ui.html"


# Swagger UI draws its icons as data: images; the rest of the strict policy stands.
docs = csp_update({"img-src": ["data:"]})(DocsView.as_view(url_name="api:schema"))

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    path("v1/procedures/", views.ProcedureList.as_view(), name="procedures"),
    path("v1/procedures/<procedure_code:code>/", views.ProcedureDetail.as_view(), name="procedure"),
    path("v1/tracking/<public_token:token>/", views.Tracking.as_view(), name="tracking"),
    path("v1/statistics/", views.Statistics.as_view(), name="statistics"),
    path("v1/statistics/<str:code>/", views.AgencyStatistics.as_view(), name="agency_statistics"),
    path("v1/dossiers/", views.DossierList.as_view(), name="dossiers"),
    path("v1/dossiers/receive/", views.Receive.as_view(), name="dossier_receive"),
    path("v1/dossiers/refuse-at-counter/", views.RefuseAtCounter.as_view(), name="dossier_refuse_at_counter"),
    path("v1/dossiers/<int:pk>/", views.DossierDetail.as_view(), name="dossier"),
    *[path(f"v1/dossiers/<int:pk>/{name.replace('_', '-')}/", view.as_view(), name=f"dossier_{name}")
      for name, view in views.ACTION_VIEWS.items()],
]
