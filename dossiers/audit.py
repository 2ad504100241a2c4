"""The tamper-evident audit chain: every `DossierEvent` and every `ResultDocument` registration of an agency,
in the order written, each carrying SHA-256(previous entry's hash + its own content).

"Rõ người, rõ việc, rõ trách nhiệm": a row changed, deleted or slipped in later, even directly in the database,
no longer fits the hashes after it. `seal` is called by the services only, inside the writing transaction, after
locking the agency's `AuditChainHead` row (select_for_update), so concurrent writers queue and never fork the
chain. `walk` recomputes a chain and names the first entry that does not fit; the daily published heads
(`PublishedChainHead`) let anyone outside check that nothing before them was rewritten wholesale.
"""
import datetime
import hashlib
import heapq
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditChainHead, DossierEvent, PublishedChainHead, ResultDocument

GENESIS = "0" * 64
EVENT, RESULT = "event", "result"


def _instant(value: datetime.datetime | None) -> str | None:
    # One spelling per instant whatever time zone the writer used: UTC, microseconds.
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds") if value else None


def event_content(event, agency_id: int) -> dict:
    """What an event's hash covers. Reads attributes only, so historical models of a migration work too."""
    return {
        "type": EVENT, "agency": agency_id, "seq": event.chain_seq, "dossier": event.dossier_id, "kind": event.kind,
        "at": _instant(event.at), "actor": event.actor_id, "actor_role": event.actor_role, "step": event.step_id,
        "public_note": event.public_note, "internal_note": event.internal_note, "is_public": event.is_public,
    }


def result_content(document, agency_id: int) -> dict:
    """What a result document registration's hash covers."""
    return {
        "type": RESULT, "agency": agency_id, "seq": document.chain_seq, "dossier": document.dossier_id,
        "number": document.number, "issued_on": document.issued_on.isoformat(), "signer": document.signer,
        "title": document.title, "verification_token": document.verification_token,
        "registered_by": document.registered_by_id, "registered_at": _instant(document.registered_at),
        "electronic_copy_sha256": document.electronic_copy_sha256,
    }


def entry_hash(previous: str, content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def _content(entry, agency_id: int) -> dict:
    return result_content(entry, agency_id) if isinstance(entry, ResultDocument) else event_content(entry, agency_id)


def seal(entry: DossierEvent | ResultDocument, *, agency_id: int, now: datetime.datetime | None = None) -> None:
    """Give an unsaved entry its place and hash in the agency's chain; the caller saves it in the same transaction.

    Must run inside the writing transaction: the head row stays locked until it commits, which is what keeps
    concurrent writers in one line (the head is created on first use; get_or_create retries a racing insert)."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(agency_id=agency_id,
                                                                             defaults={"hash": GENESIS})
    entry.chain_seq = head.seq + 1
    entry.chain_hash = entry_hash(head.hash, _content(entry, agency_id))
    head.seq, head.hash, head.updated_at = entry.chain_seq, entry.chain_hash, now or timezone.now()
    head.save(update_fields=["seq", "hash", "updated_at"])


# --- walking a chain --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    agency_id: int
    ok: bool
    entries: int
    problem: str = ""


def _label(entry) -> str:
    if isinstance(entry, ResultDocument):
        return _("đăng ký văn bản kết quả id=%(id)s") % {"id": entry.pk}
    return _("sự kiện hồ sơ id=%(id)s") % {"id": entry.pk}


def chain_entries(agency_id: int) -> Iterator:
    """The agency's entries in chain order, streamed (unchained rows, seq NULL, first: they should not exist)."""
    querysets = [
        DossierEvent.objects.filter(dossier__agency_id=agency_id).order_by(F("chain_seq").asc(nulls_first=True), "pk"),
        ResultDocument.objects.filter(dossier__agency_id=agency_id).order_by(F("chain_seq").asc(nulls_first=True), "pk"),
    ]
    streams = [queryset.iterator(chunk_size=2000) for queryset in querysets]
    return heapq.merge(*streams, key=lambda row: (row.chain_seq is not None, row.chain_seq or 0))


def walk(agency_id: int, entries: Iterable | None = None) -> ChainReport:
    """Recompute the agency's chain and compare it with the stored hashes, the head and the published heads.

    Names the first entry that does not fit: altered (its hash is not that of its content), deleted (a number is
    missing, or the head is ahead of the last entry), inserted (no number, or a number taken twice)."""
    entries = chain_entries(agency_id) if entries is None else entries
    published = dict(PublishedChainHead.objects.filter(agency_id=agency_id).values_list("seq", "hash"))
    head = AuditChainHead.objects.filter(agency_id=agency_id).values_list("seq", "hash").first() or (0, GENESIS)
    previous, expected, count = GENESIS, 1, 0

    def broken(problem: str) -> ChainReport:
        return ChainReport(agency_id, False, count, problem)

    for entry in entries:
        if entry.chain_seq is None:
            return broken(_("Mục chèn thêm ngoài chuỗi: %(entry)s.") % {"entry": _label(entry)})
        if entry.chain_seq < expected:
            return broken(_("Mục chèn thêm trùng số thứ tự %(seq)s: %(entry)s.")
                          % {"seq": entry.chain_seq, "entry": _label(entry)})
        if entry.chain_seq > expected:
            return broken(_("Mục số %(seq)s đã bị xóa (chuỗi nhảy từ %(last)s sang %(next)s).")
                          % {"seq": expected, "last": expected - 1, "next": entry.chain_seq})
        computed = entry_hash(previous, _content(entry, agency_id))
        if computed != entry.chain_hash:
            return broken(_("Mục số %(seq)s đã bị sửa: %(entry)s.") % {"seq": entry.chain_seq, "entry": _label(entry)})
        if entry.chain_seq in published and published[entry.chain_seq] != computed:
            return broken(_("Mục số %(seq)s khác với đầu chuỗi đã công bố: chuỗi đã bị viết lại.")
                          % {"seq": entry.chain_seq})
        previous, expected, count = computed, expected + 1, count + 1
    if head[0] != count or head[1] != previous:
        if head[0] > count:
            return broken(_("Mục số %(seq)s đến %(head)s đã bị xóa (đầu chuỗi ghi %(head)s mục).")
                          % {"seq": count + 1, "head": head[0]})
        return broken(_("Đầu chuỗi không khớp với mục cuối số %(seq)s.") % {"seq": count})
    beyond = [seq for seq in published if seq > count]
    if beyond:
        return broken(_("Mục số %(seq)s đến %(published)s đã bị xóa (đã công bố %(published)s mục).")
                      % {"seq": count + 1, "published": max(beyond)})
    return ChainReport(agency_id, True, count)

