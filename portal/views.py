"""Portal-wide pages: the public home, staff sign-in and the health check."""
import logging
import uuid

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from procedures.http import public_page

from .forms import StaffAuthenticationForm

logger = logging.getLogger(__name__)


@require_safe
@public_page(max_age=300)
def home(request):
    return render(request, "portal/home.html")


class StaffLoginView(auth_views.LoginView):
    """Django's login; its form hands the request to django-axes, which counts failures per IP and username."""

    form_class = StaffAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Tell staff the lockout rule that is really configured, not a number copied into the template.
        cool_off = get_cool_off(self.request)
        context["lockout_limit"] = get_failure_limit(self.request, None)
        context["lockout_minutes"] = round(cool_off.total_seconds() / 60) if cool_off else None
        return context


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "down" to a load balancer
        logger.exception("healthz: database check failed")
        return False


def _cache_ok() -> bool:
    key = f"healthz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
        return ok
    except Exception:
        logger.exception("healthz: cache check failed")
        return False


@require_safe
@never_cache
def healthz(request):
    """For the load balancer: 503 when the database does not answer; 200 otherwise. A cache that does not answer
    makes the status "degraded", still 200: the portal works without it (uncached pages, database-counted rate
    limits), and a shared Redis outage must not take every instance out of the pool."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    status = "ok" if all(checks.values()) else "degraded" if checks["database"] else "error"
    body = {"status": status}
    body.update({name: "ok" if ok else "error" for name, ok in checks.items()})
    return JsonResponse(body, status=503 if status == "error" else 200)
