"""Per-address limit for the placard and feedback forms, on the shared cache counter of `dossiers.ratelimit`.

The placard QR and the feedback form are open to anyone; the per-device daily rule stops honest repeats, this
stops a script. Setting, read with a default: SATISFACTION_RATE_LIMIT = (attempts, seconds), 20 per hour.
"""
from django.conf import settings

from dossiers.ratelimit import hit

DEFAULT_RATE = (20, 3600)


def rate() -> tuple[int, int]:
    limit, window = getattr(settings, "SATISFACTION_RATE_LIMIT", DEFAULT_RATE)
    return int(limit), int(window)


def allow(request, scope: str) -> bool:
    """Count one attempt of `scope` from this client (proxy-aware); False once the window's limit is exceeded."""
    return hit(request, f"satisfaction:{scope}", rate()).allowed
