"""Demo dossiers for `seed_demo`: a few dozen per agency in every state, some overdue, all made through the
services (so codes, deadlines, step records, events and history are exactly what production would write)."""
import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures import calendar
from procedures.models import Agency, Official
from procedures.roles import GROUP_NAMES, Role

from . import selectors, services, signing
from .errors import DossierActionError
from .models import Dossier, State

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Thu"]
GIVEN_NAMES = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Khánh", "Lan", "Long", "Mai", "Nam", "Phúc",
               "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]
STREETS = ["Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Trần Hưng Đạo", "Pasteur", "Lý Tự Trọng", "Điện Biên Phủ"]

# What each demo dossier goes through: the final state it is left in, and how far back it was received
# (in working days). Old open ones end up overdue, recent ones due soon or on track.
PLAN = [
    ("returned", 25), ("returned", 22), ("returned", 18), ("returned", 15), ("returned", 12), ("returned", 9),
    ("returned_late", 30), ("returned_on_due_day", 26), ("returned_on_due_day", 19), ("returned_on_due_day", 11), ("processed", 6), ("processed", 4),
    ("in_progress", 1), ("in_progress", 2), ("in_progress", 3), ("in_progress_overdue", 14),
    ("in_progress_overdue", 10), ("received", 0), ("received", 0), ("supplement", 3), ("payment", 2),
    ("extension_pending", 12), ("extended", 16), ("refused", 5), ("stopped", 8), ("withdrawn", 7),
    ("rejected", 9),
]


class _Staff:
    def __init__(self, agency: Agency):
        officials = list(Official.objects.filter(agency=agency, is_active=True).select_related("user"))
        self.by_role = {role: [o for o in officials if o.has_role(role)] for role in Role.values}

    def one(self, role: str, rng: random.Random) -> Official | None:
        people = self.by_role.get(role) or []
        return rng.choice(people) if people else None


def _applicant(rng: random.Random) -> services.Applicant:
    name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
    return services.Applicant(
        name=name,
        id_number="0" + "".join(rng.choice("0123456789") for _ in range(11)),
        phone=rng.choice(["090", "091", "093", "097", "098", "035", "083"]) + "".join(rng.choice("0123456789") for _ in range(7)),
        address=f"{rng.randint(1, 300)} {rng.choice(STREETS)}, Thành phố Hồ Chí Minh",
    )


def _later(agency, instant: datetime.datetime, hours: float) -> datetime.datetime:
    return calendar.add_working_time(agency, instant, datetime.timedelta(hours=hours))


def _walk(dossier: Dossier, plan: str, staff: _Staff, rng: random.Random, now: datetime.datetime) -> None:
    """Drive one dossier through the services to the plan's final state, at plausible working instants."""
    agency = dossier.agency
    clock = dossier.received_at
    day = calendar.day_length(agency).total_seconds() / 3600
    # Each hand-off takes a share of the procedure's own limit (days or hours alike): early, on the due
    # day, or late, so the demo's on-time figures look like a real office's.
    start = calendar.processing_start(agency, dossier.received_at, dossier.procedure.time_unit)
    limit = calendar.working_time_between(agency, start, dossier.due_at)
    hand_offs = dossier.procedure.steps.count() + 1
    share = {"returned_late": 2.2, "returned_on_due_day": 0.985}.get(plan, 0.6)
    step_hours = limit.total_seconds() / 3600 / hand_offs * share
    spread = (0.99, 1.0) if plan == "returned_on_due_day" else (0.5, 1.0)

    def tick(hours=None):
        nonlocal clock
        clock = _later(agency, clock, hours if hours is not None else step_hours * rng.uniform(*spread))
        return min(clock, now)

    def holder():
        dossier.refresh_from_db()
        role = dossier.current_step.role
        return dossier.current_assignee or staff.one(role, rng) or staff.one(Role.LEADER, rng)

    def forward_once():
        dossier.refresh_from_db()
        nxt = dossier.procedure.steps.filter(order__gt=dossier.current_step.order).order_by("order").first()
        assignee = staff.one(nxt.role, rng) if nxt else None
        services.forward(dossier_id=dossier.pk, actor=holder().user, assignee_id=assignee.pk if assignee else None,
                         now=tick())

    if plan in ("received",):
        return
    if plan == "refused":
        return
    if plan == "withdrawn":
        services.withdraw(dossier_id=dossier.pk, actor=staff.one(Role.RECEPTION, rng).user,
                          reason="Công dân đề nghị rút hồ sơ để bổ sung giấy tờ khác.", now=tick(2))
        return
    forward_once()
    if plan == "supplement":
        services.request_supplement(dossier_id=dossier.pk, actor=holder().user, missing="Bản sao giấy khai sinh có chứng thực.",
                                    reply_by=timezone.localtime(now).date() + datetime.timedelta(days=10), now=tick(2))
        return
    if plan == "payment":
        services.await_payment(dossier_id=dossier.pk, actor=holder().user, amount=Decimal(150000),
                               description="Lệ phí cấp giấy chứng nhận", now=tick(2))
        return
    if plan == "stopped":
        services.stop(dossier_id=dossier.pk, actor=staff.one(Role.LEADER, rng).user,
                      reason="Hồ sơ có dấu hiệu giả mạo giấy tờ, chuyển cơ quan chức năng xác minh.",
                      legal_ground="Nghị định 118/2025/NĐ-CP", now=tick(3))
        return
    if plan == "rejected":
        services.reject(dossier_id=dossier.pk, actor=holder().user, now=tick(2),
                        reason="Thửa đất đang có tranh chấp, chưa đủ điều kiện giải quyết.")
        return
    if plan in ("in_progress", "in_progress_overdue"):
        return
    if plan in ("extension_pending", "extended"):
        proposed = calendar.add_working_time(agency, max(dossier.due_at, now), calendar.to_working_time(agency, Decimal(3), "days"))
        dossier.refresh_from_db()
        # No later than one working day before the appointment (services.request_extension).
        asked_at = min(now, tick(2), services.extension_deadline(dossier))
        if asked_at < dossier.received_at:
            return  # the appointment is too close for any request (a same-day procedure)
        extension = services.request_extension(
            dossier_id=dossier.pk, actor=holder().user, proposed_due_at=proposed, now=asked_at,
            reason="Cần xác minh thêm thông tin với cơ quan liên quan.",
        )
        if plan == "extended":
            services.approve_extension(extension_id=extension.pk, actor=staff.one(Role.LEADER, rng).user, now=tick(1))
        return
    # returned / processed: through every step to the result.
    if plan in ("returned", "processed") and rng.random() < 0.3:
        services.request_supplement(dossier_id=dossier.pk, actor=holder().user, missing="Bổ sung bản sao sổ hộ khẩu.",
                                    reply_by=timezone.localtime(clock).date() + datetime.timedelta(days=5), now=tick(1))
        services.fulfil_supplement(dossier_id=dossier.pk, actor=staff.one(Role.RECEPTION, rng).user, now=tick(day))
    while dossier.procedure.steps.filter(order__gt=dossier.current_step.order).exists():
        forward_once()
        dossier.refresh_from_db()
    services.mark_processed(dossier_id=dossier.pk, actor=holder().user, result_note="Đã ký kết quả.", now=tick())
    if plan.startswith("returned"):
        services.return_result(dossier_id=dossier.pk, actor=staff.one(Role.RECEPTION, rng).user, now=tick(2))


def seed_dossiers(stdout=None, *, per_agency: int | None = None, seed: int = 2026) -> int:
    """Create the demo dossiers once per agency (idempotent: agencies that have dossiers are skipped)."""
    now = timezone.now()
    created = 0
    for agency in Agency.objects.order_by("code"):
        if Dossier.objects.filter(agency=agency).exists():
            continue
        staff = _Staff(agency)
        clerk = staff.one(Role.RECEPTION, random.Random(seed))
        procedures = list(agency.procedures.filter(is_active=True).prefetch_related("steps", "required_documents"))
        procedures = [p for p in procedures if p.steps.all()]
        if clerk is None or not procedures:
            continue
        rng = random.Random(f"{seed}-{agency.code}")
        plans = PLAN if per_agency is None else (PLAN * (per_agency // len(PLAN) + 1))[:per_agency]
        for plan, days_ago in plans:
            procedure = rng.choice(procedures)
            start = now - datetime.timedelta(days=days_ago * 7 / 5 + rng.random())
            received_at = calendar.processing_start(agency, start, "days")
            if received_at > now:
                received_at = now
            received_at = min(received_at + datetime.timedelta(minutes=rng.randint(0, 90)), now)
            documents = [services.ReceivedDocument(name=d.name, required_document_id=d.pk, originals=d.originals or 1,
                                                   certified_copies=d.copies)
                         for d in procedure.required_documents.all()]
            documents = documents or [services.ReceivedDocument(name="Tờ khai", originals=1)]
            try:
                with transaction.atomic():
                    if plan == "refused":
                        services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, applicant=_applicant(rng),
                                                   documents=documents, now=received_at,
                                                   reason="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.")
                    else:
                        dossier = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=_applicant(rng),
                                                   documents=documents, now=received_at)
                        _walk(dossier, plan, staff, rng, now)
                created += 1
            except DossierActionError as error:
                if stdout is not None:
                    stdout.write(f"  skipped a demo dossier ({plan}): {error.message}")
    if stdout is not None:
        stdout.write(_("Hồ sơ trình diễn đã tạo: %(count)d") % {"count": created})
        states = Dossier.objects.values_list("state", flat=True)
        summary = {state.label: 0 for state in State}
        for value in states:
            summary[State(value).label] += 1
        stdout.write("  " + ", ".join(f"{label}: {count}" for label, count in summary.items() if count))
    return created


def seed_signing(stdout=None) -> int:
    """A demo certificate authority, trusted by the verification page, and one certificate per agency installed by
    its administrator, so `make run` prints signed forms. Idempotent: an agency that has a certificate keeps it."""
    from . import pki

    missing = [agency for agency in Agency.objects.order_by("code") if signing.active_certificate(agency.pk) is None]
    if not missing:
        return 0
    now = timezone.now()
    ca = pki.make_ca(now=now)
    services.add_trusted_root(name=pki.DEMO_CA_NAME, pem=ca.pem)
    installed = 0
    for agency in missing:
        admin = Official.objects.filter(agency=agency, is_active=True, user__groups__name=GROUP_NAMES[Role.AGENCY_ADMIN]).first()
        if admin is None:
            continue
        issued = pki.issue(ca, agency.name, not_before=now - datetime.timedelta(days=1),
                           not_after=now + datetime.timedelta(days=365 * 3))
        services.install_agency_certificate(agency_id=agency.pk, pkcs12=pki.pkcs12_bytes(issued, ca, "demo"),
                                            passphrase="demo", actor=admin.user, now=now)
        installed += 1
    if stdout is not None:
        stdout.write(f"Demo signing certificates installed: {installed}")
    return installed


def seed_audit(stdout=None) -> None:
    """Publish today's chain heads and verify each chain never verified yet, as the nightly tasks do, so the public
    statistics and the leader dashboard show both (a re-run adds nothing)."""
    services.publish_chain_heads()
    for agency in Agency.objects.order_by("code"):
        if selectors.last_audit_verification(agency.pk) is None:
            [report] = services.verify_audit_chains(agency_code=agency.code)
            if stdout is not None:
                stdout.write(f"Audit chain {agency.code}: {report.entries} entries, {'OK' if report.ok else 'BROKEN'}")
