"""What a dossier's events tell the national public-service portal, written to the `national_sync` outbox in the
service's transaction (one call, from `services._event`, for every event the services write).

Every change of the dossier's national status (codes 1–10, `models.NATIONAL_STATUS`) is one message, and so is a
new appointment (an approved extension): the record of the existing export (`selectors.national_export`: the
portal's field names, dates yyyyMMddHHmmss in Vietnam time). Forwarding between steps keeps status 4 and sends
nothing. The dossier row is locked by the calling service, so the outbox numbers its messages without a race.
"""
from national_sync import services as outbox

from . import selectors
from .models import DossierEvent


def on_event(event: DossierEvent) -> None:
    dossier = event.dossier
    status = dossier.national_status
    last = outbox.last_message(dossier.pk)
    if (last is not None and last.national_status == status
            and last.payload.get("NgayHenTra") == selectors.portal_time(dossier.due_at)):
        return  # nothing the portal tracks has changed
    payload = selectors.national_export(dossier)
    outbox.enqueue(agency_id=dossier.agency_id, dossier_id=dossier.pk, dossier_code=dossier.code, event_id=event.pk,
                   national_status=status, payload=payload, now=event.at)
