"""Reads of the outbox for the dossier page, the leader dashboard and the admin."""
import datetime

from django.db.models import Count, Prefetch, QuerySet

from .models import DeliveryAttempt, Notification, NotificationChannel


def for_dossier(dossier_id: int) -> QuerySet[Notification]:
    """Every message about one dossier, newest first, with its attempts (two queries whatever the count)."""
    return (Notification.objects.filter(dossier_id=dossier_id)
            .prefetch_related(Prefetch("delivery_attempts", queryset=DeliveryAttempt.objects.order_by("at", "id")))
            .order_by("-created_at", "-id"))


def outcome_table(*, agency_id: int, since: datetime.datetime, until: datetime.datetime) -> dict:
    """Messages per channel and state in a period, for the leader dashboard (one query): the states as columns,
    a row per channel with its counts and total."""
    counts = {
        (row["channel"], row["state"]): row["count"]
        for row in Notification.objects.filter(agency_id=agency_id, created_at__gte=since, created_at__lt=until)
        .values("channel", "state").annotate(count=Count("id")).order_by()
    }
    states = Notification.State.choices
    rows = [
        {"channel": label, "counts": [counts.get((channel, state), 0) for state, _label in states],
         "total": sum(counts.get((channel, state), 0) for state, _label in states)}
        for channel, label in NotificationChannel.choices
    ]
    return {"states": [label for _state, label in states], "rows": rows}
