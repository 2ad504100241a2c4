"""Reads of the outbox for the dossier page, the leader dashboard and the admin."""
import datetime

from django.db.models import Count, Prefetch, QuerySet

from .models import DeliveryAttempt, Notification


def for_dossier(dossier_id: int) -> QuerySet[Notification]:
    """Every message about one dossier, newest first, with its attempts (two queries whatever the count)."""
    return (Notification.objects.filter(dossier_id=dossier_id)
            .prefetch_related(Prefetch("delivery_attempts", queryset=DeliveryAttempt.objects.order_by("at", "id")))
            .order_by("-created_at", "-id"))


def outcome_counts(*, agency_ids, since: datetime.datetime) -> list[dict]:
    """Messages per channel and state since a moment, for the leader dashboard (one query)."""
    return list(
        Notification.objects.filter(agency_id__in=agency_ids, created_at__gte=since)
        .values("channel", "state").annotate(count=Count("id")).order_by("channel", "state")
    )
