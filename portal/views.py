"""Portal-wide pages: the public home, staff sign-in and the health check."""
import base64
import logging
import uuid

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from common.http import public_page
from dossiers.pdf import qr_code

from . import two_factor
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

    def form_valid(self, form):
        """A login with a second factor (or one that must have it) gets no session yet: it is parked until a code
        matches (`two_factor_verify`), or until it sets up its authenticator (`two_factor_setup`)."""
        user = form.get_user()
        if not two_factor.needs_second_step(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[two_factor.PENDING_USER_KEY] = user.pk
        self.request.session[two_factor.PENDING_BACKEND_KEY] = user.backend
        self.request.session[two_factor.PENDING_NEXT_KEY] = self.get_success_url()
        return redirect("two_factor_verify" if two_factor.has_device(user) else "two_factor_setup")


def admin_login(request):
    """The admin's own login would skip the second factor: it sends to the staff login instead."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực"), max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("6 chữ số trên ứng dụng xác thực, hoặc một mã khôi phục 8 chữ số."),
    )


def _finish_sign_in(request, user, device):
    """Open the session of a login whose second factor matched, and go where it was going."""
    session = request.session
    target = session.get(two_factor.PENDING_NEXT_KEY) or reverse(settings.LOGIN_REDIRECT_URL)
    backend = session.get(two_factor.PENDING_BACKEND_KEY)
    for key in (two_factor.PENDING_USER_KEY, two_factor.PENDING_BACKEND_KEY, two_factor.PENDING_NEXT_KEY):
        session.pop(key, None)
    user.otp_device = device  # django-otp marks the session verified on login
    auth_login(request, user, backend=backend)
    return target


@never_cache
def two_factor_verify(request):
    """The second sign-in step: a code from the authenticator, or one recovery code."""
    user = two_factor.pending_user(request.session)
    if user is None:
        return redirect("login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.match(user, form.cleaned_data["token"])
        if device is not None:
            return redirect(_finish_sign_in(request, user, device))
        form.add_error("token", _("Mã không đúng hoặc đã dùng. Sau mỗi lần sai phải chờ lâu hơn mới thử lại được."))
    return render(request, "registration/two_factor_verify.html", {"form": form},
                  status=400 if form.errors else 200)


@never_cache
def two_factor_setup(request):
    """Set up the authenticator: for a login that must have one, at its first sign-in (before any session);
    for any signed-in staff member who chooses to (optional for them). Recovery codes are shown once after."""
    pending = two_factor.pending_user(request.session)
    user = pending or (request.user if request.user.is_authenticated else None)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if pending is not None and two_factor.has_device(pending):
        return redirect("two_factor_verify")  # a parked login with a device proves it, it does not replace it
    device = two_factor.TOTPDevice.objects.filter(
        pk=request.session.get(two_factor.SETUP_DEVICE_KEY) or 0, user=user, confirmed=False).first()
    if device is None:
        device = two_factor.start_setup(user)
        request.session[two_factor.SETUP_DEVICE_KEY] = device.pk
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_setup(device, form.cleaned_data["token"])
        if codes is not None:
            request.session.pop(two_factor.SETUP_DEVICE_KEY, None)
            target = _finish_sign_in(request, user, device) if pending is not None else reverse("portal:home")
            request.session[two_factor.FRESH_CODES_KEY] = codes
            request.session[two_factor.PENDING_NEXT_KEY] = target
            return redirect("two_factor_codes")
        form.add_error("token", _("Mã không đúng. Kiểm tra giờ trên điện thoại rồi nhập mã đang hiện."))
    svg, _version = qr_code(device.config_url, size_mm=45)
    # The key in base32, grouped by four, for an app that cannot scan.
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "qr_svg": svg, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "required": two_factor.is_required(user), "signed_in": pending is None,
    }, status=400 if form.errors else 200)


@never_cache
def two_factor_codes(request):
    """The recovery codes, shown once right after setting up the authenticator."""
    if not request.user.is_authenticated:
        return redirect("login")
    codes = request.session.pop(two_factor.FRESH_CODES_KEY, None)
    target = request.session.pop(two_factor.PENDING_NEXT_KEY, None) or reverse(settings.LOGIN_REDIRECT_URL)
    if not codes:
        return redirect(target)
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": target})


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


def _broker_ok() -> bool:
    """The Celery broker accepts a connection within READINESS_TIMEOUT (Redis: the channel opens with a PING)."""
    timeout = settings.READINESS_TIMEOUT
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout,
                        transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout,
                                           "max_retries": 0}) as broker:
            broker.ensure_connection(max_retries=0, timeout=timeout)
        return True
    except Exception:
        logger.exception("readyz: broker check failed")
        return False


def _health_response(checks: dict[str, bool], required: tuple[str, ...]) -> JsonResponse:
    """ok when every check passed; "degraded" (200) when only optional ones failed; "error" (503) otherwise."""
    failed_required = any(not checks[name] for name in required)
    status = "ok" if all(checks.values()) else "error" if failed_required else "degraded"
    body = {"status": status}
    body.update({name: "ok" if ok else "error" for name, ok in checks.items()})
    return JsonResponse(body, status=503 if status == "error" else 200)


@require_safe
@never_cache
def livez(request):
    """Liveness: this process answers. Nothing else is checked (no database, no cache), so a restart is only ever
    asked of a process that is itself stuck; also the trivial view bench/bench_tracking.py compares against."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def readyz(request):
    """Readiness, for a load balancer or an orchestrator adding this instance: 503 naming what failed when the
    database or the Celery broker does not answer (the outbox would only queue), 200 "degraded" when only the cache
    does not (the portal works without it, as for /healthz)."""
    checks = {"database": _database_ok(), "cache": _cache_ok(), "broker": _broker_ok()}
    return _health_response(checks, required=("database", "broker"))


@require_safe
@never_cache
def healthz(request):
    """For the load balancer: 503 when the database does not answer; 200 otherwise. A cache that does not answer
    makes the status "degraded", still 200: the portal works without it (uncached pages, database-counted rate
    limits), and a shared Redis outage must not take every instance out of the pool."""
    return _health_response({"database": _database_ok(), "cache": _cache_ok()}, required=("database",))
