"""Two-factor sign-in (django-otp): a time-based code (TOTP, RFC 6238) from an authenticator app, with one-time
recovery codes (django-otp's static device) for a lost phone.

Required for leaders, agency admins and superusers, who approve extensions, read every dossier and grant roles;
optional for other staff, who may turn it on at /accounts/hai-buoc/. It is enforced at sign-in: the password step
(`StaffLoginView`) does not open a session for such a login; it parks the login in the session and the second
step opens it once a code matches (so a stolen password alone never gets a session, the admin's login included).
"""
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from procedures.roles import GROUP_NAMES, Role

REQUIRED_ROLES = (Role.LEADER, Role.AGENCY_ADMIN)
RECOVERY_CODE_COUNT = 10
PENDING_USER_KEY = "two_factor_user_id"
PENDING_BACKEND_KEY = "two_factor_backend"
PENDING_NEXT_KEY = "two_factor_next"
SETUP_DEVICE_KEY = "two_factor_setup_device_id"
FRESH_CODES_KEY = "two_factor_fresh_codes"
# Device names: the login's one authenticator and its one set of recovery codes.
TOTP_NAME, STATIC_NAME = "authenticator", "recovery"


def is_required(user) -> bool:
    """Leaders, agency admins and superusers must sign in with a second factor (their roles are groups)."""
    if user.is_superuser:
        return True
    required = [GROUP_NAMES[role] for role in REQUIRED_ROLES]
    return user.groups.filter(name__in=required).exists()


def has_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def needs_second_step(user) -> bool:
    """Whether the password alone must not open a session for this login."""
    return has_device(user) or is_required(user)


def match(user, token: str):
    """The confirmed device that accepts `token` (a 6-digit code or a recovery code), or None. Each device
    throttles its own failures (django-otp doubles the wait after every wrong code)."""
    token = "".join(str(token or "").split())
    if not token or len(token) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def start_setup(user) -> TOTPDevice:
    """A new, unconfirmed authenticator for the login (any unconfirmed one before it is replaced)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def confirm_setup(device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code read from it; the login's earlier devices are replaced and fresh
    recovery codes issued. Returns the recovery codes (shown once), or None when the code does not match."""
    token = "".join(str(token or "").split())
    if not token.isascii() or not token.isdigit() or not device.verify_token(token):
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return issue_recovery_codes(user)


def issue_recovery_codes(user, codes: list[str] | None = None) -> list[str]:
    """Replace the login's recovery codes: each works once, instead of the authenticator's code."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=STATIC_NAME, confirmed=True)
    codes = codes or [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def pending_user(session):
    """The login that passed the password step and waits for its second factor, if any."""
    pk = session.get(PENDING_USER_KEY)
    return get_user_model().objects.filter(pk=pk, is_active=True).first() if pk else None
