"""Reads of the national portal's outbox for the dossier page."""
from dataclasses import dataclass

from .models import SyncMessage

SHOWN = 20


@dataclass(frozen=True)
class SyncState:
    """A dossier's synchronisation as its page shows it: the overall state, the message that holds the dossier's
    queue (the first not yet acknowledged) and the latest messages."""

    state: str  # "" (nothing to send yet), "pending", "sent" or "failed"
    messages: list[SyncMessage]
    blocking: SyncMessage | None = None

    @property
    def failed(self) -> SyncMessage | None:
        return self.blocking if self.state == SyncMessage.State.FAILED else None


def for_dossier(dossier_id: int) -> SyncState:
    """Two bounded queries: the latest messages to list, and the first unacknowledged message in sequence order.
    Messages are delivered strictly in order, so that first one decides the state (failed or pending) even when it
    is older than the listed ones; with none, everything was sent."""
    messages = list(SyncMessage.objects.filter(dossier_id=dossier_id).order_by("-seq")[:SHOWN])
    if not messages:
        return SyncState(state="", messages=messages)
    blocking = (SyncMessage.objects.filter(dossier_id=dossier_id).exclude(state=SyncMessage.State.SENT)
                .order_by("seq").first())
    state = blocking.state if blocking is not None else SyncMessage.State.SENT
    return SyncState(state=state, messages=messages, blocking=blocking)
