"""Portal-wide pages: the public home, staff sign-in and the health check."""
import logging
import uuid

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
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
    """Django's login; its form hands the request to django-axes, which counts failures per username and client
    address together (settings.AXES_LOCKOUT_PARAMETERS)."""

    form_class = StaffAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Tell staff the lockout rule that is really configured, not a number copied into the template.
        cool_off = get_cool_off(self.request)
        context["lockout_limit"] = get_failure_limit(self.request, None)
        context["lockout_minutes"] = round(cool_off.total_seconds() / 60) if cool_off else None
        return context


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): the rule, and the time the lock ends: the last
    counted failure of this username from this address plus the cool-off (failures while locked are not counted,
    so the time does not move)."""
    cool_off = get_cool_off(request)
    username = get_client_username(request, credentials) or ""
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=get_client_ip_address(request))
        .order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    )
    return render(request, "registration/locked_out.html", {
        "failure_limit": get_failure_limit(request, credentials),
        "username": username,
        "cooloff_timedelta": cool_off,
        "retry_at": last + cool_off if last and cool_off else None,
    }, status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429))


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
    """For the load balancer: 200 when the database and the cache answer, 503 naming the part that does not."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    body = {"status": "ok" if all(checks.values()) else "error"}
    body.update({name: "ok" if ok else "error" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
