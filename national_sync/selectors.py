"""Reads of the national portal's outbox for the dossier page."""
from dataclasses import dataclass

from .models import SyncMessage

SHOWN = 20


@dataclass(frozen=True)
class SyncState:
    """A dossier's synchronisation as its page shows it: the overall state and its latest messages."""

    state: str  # "" (nothing to send yet), "pending", "sent" or "failed"
    messages: list[SyncMessage]

    @property
    def failed(self) -> SyncMessage | None:
        return next((m for m in self.messages if m.state == SyncMessage.State.FAILED), None)


def for_dossier(dossier_id: int) -> SyncState:
    """One query: the latest messages; failed if any is failed, else pending if any waits, else sent."""
    messages = list(SyncMessage.objects.filter(dossier_id=dossier_id).order_by("-seq")[:SHOWN])
    states = {message.state for message in messages}
    for state in (SyncMessage.State.FAILED, SyncMessage.State.PENDING, SyncMessage.State.SENT):
        if state in states:
            return SyncState(state=state, messages=messages)
    return SyncState(state="", messages=messages)
