"""The writes of API tokens: create (the secret returned once), revoke, and the last-use stamp."""
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Official

from .models import ApiToken, digest, new_secret

LAST_USED_PRECISION = datetime.timedelta(minutes=1)  # one write a minute per token, not one per request


class TokenError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@transaction.atomic
def create_token(*, owner_id: int, name: str, actor, agency_id: int | None) -> tuple[ApiToken, str]:
    """A new token for an active official; `agency_id` is the creating admin's agency (None: a superuser).
    Answers the token and its secret, which is never stored nor shown again."""
    owner = Official.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or (agency_id is not None and owner.agency_id != agency_id):
        raise TokenError(_("Cán bộ không thuộc cơ quan của bạn hoặc đã nghỉ công tác."))
    raw = new_secret()
    token = ApiToken.objects.create(owner=owner, name=(name or "").strip()[:100] or owner.display_name,
                                    key_hash=digest(raw), hint=raw[:10], created_by=actor)
    return token, raw


@transaction.atomic
def revoke(*, token_ids, actor, now: datetime.datetime | None = None) -> int:
    return ApiToken.objects.filter(pk__in=list(token_ids), revoked_at__isnull=True).update(
        revoked_at=now or timezone.now(), revoked_by=actor)


def authenticate(raw: str, *, now: datetime.datetime | None = None) -> ApiToken | None:
    """The live token with this secret (its owner active, with a login), stamping its last use; None otherwise."""
    now = now or timezone.now()
    token = (ApiToken.objects.select_related("owner__user", "owner__agency")
             .filter(key_hash=digest(raw), revoked_at__isnull=True, owner__is_active=True,
                     owner__user__is_active=True).first())
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
