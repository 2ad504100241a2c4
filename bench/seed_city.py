"""Seed a city-sized data set into PostgreSQL for the benchmarks (bench/bench_pages.py, bench/bench_reports.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/seed_city.py --yes
    … --dossiers 50000          # a quick run
    … --dossiers 1000000        # the default: 1,000,000 dossiers over 3 years, 50 agencies, 500 officials

Refuses SQLite, refuses without --yes, and refuses a database whose dossier table already holds rows unless the
database is a dedicated one (its name starts with "bench"), which is then emptied first. About 8.5 GB per million
dossiers, indexes included.

Each dossier carries the rows the services write for the same life (tests/dossiers/test_seed_city.py compares a
seeded dossier with one taken through the services):
- generated in Python and streamed with COPY (psycopg 3, preformatted lines): dossiers, step records (with their
  `agency_id` when the column exists), ratings and the officials they name;
- derived in PostgreSQL (INSERT … SELECT over each batch's primary-key range, on a second connection while Python
  generates the next batch): the events (reception, the receipt Mẫu 01 printed — private —, one forward per step,
  pause, processed, returned, or the closing event), one simple-history row per audited save of the dossier, the
  step records' history (opened, closed), the documents checked off at the counter and their history, the
  ratings' history; the notification and national-sync outbox rows, delivered, for events of the last
  OUTBOX_DAYS only (the full outbox of three years would double the data without any page reading it);
- once at the end: the code counters (per agency and day, the highest sequence: the next reception of a seeded
  day gets a code of its own), the paused dossiers' supplement and payment requests, the refusal letters (Mẫu 03)
  and their yearly counters.
Seeded events stay outside the audit chain (chain_seq empty, as rows imported from a legacy system): hashing 60
million entries one after the other would cost more than the whole load; the chain starts at the first real event.

Foreign-key triggers are off during the load (the generator only writes ids it created), secondary indexes are
dropped before and rebuilt after (two connections), the tables ANALYZEd, then POST_SEED_COMMANDS run when the
project has them. Timings per phase and row counts are printed.

The data follow the working calendar of `procedures.calendar` in a simplified form: 07:30–11:30 and 13:00–17:00,
Monday to Friday, minus the Vietnamese public holidays of the `holidays` package. Most dossiers finish before their
appointment, some on the day, some late; recent ones are open (some paused, some overdue); a small share were
refused, stopped or withdrawn; about a third of the returned ones are rated.
"""
import argparse
import bisect
import datetime as dt
import os
import queue
import random
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

import holidays  # noqa: E402
import psycopg  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from common.clock import VN  # noqa: E402
from common.text import fold  # noqa: E402
from dossiers.models import Dossier  # noqa: E402
from procedures.models import (  # noqa: E402
    Agency,
    AgencyLevel,
    Department,
    Field,
    Official,
    Procedure,
    ProcedureStep,
    RequiredDocument,
)
from procedures.roles import GROUP_NAMES, Role  # noqa: E402

DAY_MINUTES = 480  # 8 working hours
SESSIONS = ((7 * 60 + 30, 11 * 60 + 30), (13 * 60, 17 * 60))
CHUNK = 20000

FIELDS = ["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Đăng ký kinh doanh", "Lao động", "Bảo trợ xã hội",
          "Giáo dục", "Y tế", "Văn hóa", "Tư pháp", "Giao thông", "Môi trường", "Nông nghiệp", "Thuế"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Đức", "Kim"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam",
         "Phong", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]
STREETS = ["Trần Phú", "Lê Lợi", "Hai Bà Trưng", "Nguyễn Trãi", "Quang Trung", "Lý Thường Kiệt", "Hùng Vương"]
LIMITS = [1, 2, 3, 5, 5, 7, 10, 10, 15, 20]


def refuse(message: str) -> None:
    print(f"seed_city: {message}", file=sys.stderr)
    sys.exit(2)


def check_target(yes: bool) -> bool:
    """True when existing data must be emptied first (a dedicated bench database)."""
    if connection.vendor != "postgresql":
        refuse("needs PostgreSQL (set DATABASE_URL=postgres://…/bench); SQLite is refused.")
    if not yes:
        refuse("this writes a million rows: pass --yes to confirm.")
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('dossiers_dossier') IS NOT NULL")
        exists = cursor.fetchone()[0]
        has_rows = False
        if exists:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM dossiers_dossier)")
            has_rows = cursor.fetchone()[0]
    if has_rows and not name.startswith("bench"):
        refuse(f"database {name!r} already holds dossiers; use an empty or dedicated database (name starting 'bench').")
    return has_rows or name.startswith("bench")


# --- the simplified working calendar ---------------------------------------------------------------------------


class Clock:
    """Working minutes as one ordinal: day index × 480 + minute of the working day."""

    def __init__(self, first: dt.date, last: dt.date):
        days_off = holidays.country_holidays("VN", years=range(first.year, last.year + 1))
        self.days = [first + dt.timedelta(n) for n in range((last - first).days + 1)]
        self.days = [day for day in self.days if day.weekday() < 5 and day not in days_off]
        self.index = {day: i for i, day in enumerate(self.days)}
        self.texts: dict[int, str] = {}

    def text(self, ordinal: int) -> str:
        """The COPY spelling of an instant; about 400,000 distinct minutes repeat millions of times, so cached."""
        value = self.texts.get(ordinal)
        if value is None:
            value = self.texts[ordinal] = self.instant(ordinal).isoformat()
        return value

    def instant(self, ordinal: int) -> dt.datetime:
        day_index, minute = divmod(ordinal, DAY_MINUTES)
        if day_index >= len(self.days):
            day_index, minute = len(self.days) - 1, DAY_MINUTES
        clock_minute = SESSIONS[0][0] + minute if minute <= 240 else SESSIONS[1][0] + minute - 240
        day = self.days[day_index]
        return dt.datetime(day.year, day.month, day.day, clock_minute // 60, clock_minute % 60, tzinfo=VN)

    def ordinal_at(self, instant: dt.datetime) -> int:
        local = instant.astimezone(VN)
        i = bisect.bisect_left(self.days, local.date())
        if i < len(self.days) and self.days[i] == local.date():
            minutes = local.hour * 60 + local.minute
            if minutes <= SESSIONS[0][0]:
                return i * DAY_MINUTES
            if minutes <= SESSIONS[0][1]:
                return i * DAY_MINUTES + minutes - SESSIONS[0][0]
            if minutes <= SESSIONS[1][0]:
                return i * DAY_MINUTES + 240
            return i * DAY_MINUTES + min(DAY_MINUTES, 240 + minutes - SESSIONS[1][0])
        return i * DAY_MINUTES


def ts(value: dt.datetime | None) -> str:
    return value.isoformat() if value is not None else "\\N"


def nullable(value) -> str:
    return "\\N" if value is None else str(value)


# --- the small tables, through the ORM -------------------------------------------------------------------------


def empty_tables() -> None:
    tables = ["satisfaction_ratingofficial", "satisfaction_rating", "dossiers_steprecord", "dossiers_dossierevent",
              "dossiers_dossier", "notifications_notification", "national_sync_syncmessage"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE ANY(%s)",
                       [["satisfaction_%", "dossiers_%", "procedures_%", "auth_user%", "national_sync_%", "notifications_notification"]])
        existing = {row[0] for row in cursor.fetchall()}
        tables += sorted(existing - set(tables))
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables if t in existing) + " RESTART IDENTITY CASCADE")


def catalogue(rng: random.Random, agencies_n: int, officials_n: int):
    password = make_password("bench-password-2025")
    fields = Field.objects.bulk_create([Field(code=f"LV{i:02d}", name=name) for i, name in enumerate(FIELDS, 1)])
    procedures = []
    # Codes in the 2.xxxxxx series: the test factories' procedures use 1.xxxxxx and get-or-create by code.
    for i in range(60):
        limit = rng.choice(LIMITS)
        procedures.append(Procedure(code=f"2.{i + 1:06d}", name=f"Thủ tục {FIELDS[i % len(FIELDS)].lower()} số {i + 1}",
                                    search_text=fold(f"2.{i + 1:06d} thu tuc {i + 1}"), field=fields[i % len(fields)],
                                    level=AgencyLevel.COMMUNE, time_limit=limit))
    procedures = Procedure.objects.bulk_create(procedures)
    # What the counter checks off at reception: each received dossier holds one DossierDocument per line.
    RequiredDocument.objects.bulk_create([
        RequiredDocument(procedure=procedure, order=n, name=name, originals=1, copies=copies)
        for procedure in procedures
        for n, (name, copies) in enumerate((("Tờ khai theo mẫu", 0), ("Bản sao giấy tờ tùy thân", 1)), 1)
    ])
    steps = []
    for procedure in procedures:
        limit = procedure.time_limit
        plan = ([("Tiếp nhận hồ sơ", Role.RECEPTION, 0.5), ("Thẩm định hồ sơ", Role.SPECIALIST, float(limit) - 1.5),
                 ("Phê duyệt kết quả", Role.LEADER, 0.5), ("Trả kết quả", Role.RECEPTION, 0.5)]
                if limit >= 2 else [("Tiếp nhận hồ sơ", Role.RECEPTION, 0.5), ("Thẩm định hồ sơ", Role.SPECIALIST, 0.5)])
        steps += [ProcedureStep(procedure=procedure, order=n, name=name, role=role, duration=duration)
                  for n, (name, role, duration) in enumerate(plan, 1)]
    steps = ProcedureStep.objects.bulk_create(steps)
    steps_of = {}
    for step in steps:
        steps_of.setdefault(step.procedure_id, []).append(step)
    agencies = Agency.objects.bulk_create([
        Agency(code=f"000.{i // 100:02d}.{i % 100:02d}.H99", name=f"UBND phường Thử Tải {i + 1}") for i in range(agencies_n)
    ])
    through = Procedure.agencies.through
    offered = {}
    links = []
    for agency in agencies:
        offered[agency.pk] = rng.sample(procedures, 20)
        links += [through(procedure_id=p.pk, agency_id=agency.pk) for p in offered[agency.pk]]
    through.objects.bulk_create(links)
    departments = Department.objects.bulk_create([
        Department(agency=agency, name=name) for agency in agencies for name in ("Văn phòng", "Phòng Tư pháp", "Phòng Kinh tế")
    ])
    departments_of = {}
    for department in departments:
        departments_of.setdefault(department.agency_id, []).append(department)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    groups = {role: Group.objects.get_or_create(name=GROUP_NAMES[role])[0] for role in Role}
    per_agency = officials_n // agencies_n
    plan = [Role.RECEPTION] * 3 + [Role.SPECIALIST] * (per_agency - 6) + [Role.LEADER] * 2 + [Role.AGENCY_ADMIN]
    users = get_user_model().objects.bulk_create([
        get_user_model()(username=f"bench{a:02d}{n:02d}", password=password, first_name="", last_name=f"Cán bộ {a}-{n}")
        for a in range(agencies_n) for n in range(per_agency)
    ])
    officials = Official.objects.bulk_create([
        Official(user=users[a * per_agency + n], agency=agencies[a], department=rng.choice(departments_of[agencies[a].pk]),
                 display_name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} ({a + 1}.{n + 1})")
        for a in range(agencies_n) for n in range(per_agency)
    ])
    memberships = get_user_model().groups.through
    memberships.objects.bulk_create([
        memberships(user_id=users[a * per_agency + n].pk, group_id=groups[plan[n]].pk)
        for a in range(agencies_n) for n in range(per_agency)
    ])
    staff = {}
    people = []
    for a, agency in enumerate(agencies):
        for n in range(per_agency):
            official = officials[a * per_agency + n]
            staff.setdefault((agency.pk, plan[n]), []).append(official.pk)
            people.append((official.pk, official.user_id, str(plan[n]), agency.pk))
    return agencies, offered, steps_of, staff, people


# --- the big tables, through COPY ------------------------------------------------------------------------------

DOSSIER_COLUMNS = ("id", "code", "tracking_token", "channel", "applicant_type", "applicant_name", "applicant_name_search",
                   "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address", "sets_count",
                   "received_at", "due_at", "state", "paused_since", "paused_working_time", "processed_at",
                   "returned_at", "closed_at", "closing_reason", "closing_legal_ground", "result_note", "agency_id",
                   "current_assignee_id", "current_step_id", "procedure_id", "received_by_id",
                   "supplement_notice_due_at", "notify_channels", "notify_language", "notify_opted_out_at",
                   "applicant_birth_date")
STEP_COLUMNS = ("id", "dossier_id", "step_id", "sender_id", "assignee_id", "started_at", "due_at", "finished_at",
                "outcome", "note")
RATING_COLUMNS = ("id", "source", "overall", "timeliness", "attitude", "guidance", "extra_visits", "comment",
                  "created_at", "device_hash", "day", "handled_at", "handling_note", "agency_id", "dossier_id",
                  "handled_by_id", "official_id", "procedure_id")
CLOSING = {"refused": ("Hồ sơ chưa đủ thành phần theo quy định", ""),
           "stopped": ("Có tranh chấp về quyền sử dụng đất", "Điều 18 Nghị định 118/2025/NĐ-CP"),
           "withdrawn": ("Công dân xin rút hồ sơ", "")}


def generate(rng, clock: Clock, now: dt.datetime, total: int, agencies, offered, steps_of, staff, with_agency: bool):
    """Yield (dossier line, [step lines], rating line or None, [rating-official lines]) per dossier."""
    # Plain attributes: a model's .pk is a property, read millions of times here.
    agencies = [SimpleNamespace(pk=a.pk, code=a.code, name=a.name) for a in agencies]
    offered = {pk: [SimpleNamespace(pk=p.pk, time_limit=float(p.time_limit)) for p in procedures]
               for pk, procedures in offered.items()}
    steps_of = {pk: [SimpleNamespace(pk=s.pk, role=s.role, duration=float(s.duration)) for s in steps]
                for pk, steps in steps_of.items()}
    now_ord = clock.ordinal_at(now)
    first_ord = 0
    weights = [rng.uniform(0.3, 2.5) for _agency in agencies]
    cumulative = []
    running = 0.0
    for weight in weights:
        running += weight
        cumulative.append(running)
    received = sorted(rng.randrange(first_ord, now_ord - 30) for _ in range(total))
    day_sequence: dict[tuple[int, int], int] = {}
    folded: dict[str, str] = {}
    step_id = 0
    rating_id = 0
    text = clock.text
    for dossier_id, received_ord in enumerate(received, 1):
        agency = agencies[bisect.bisect_left(cumulative, rng.random() * running)]
        procedure = rng.choice(offered[agency.pk])
        steps = steps_of[procedure.pk]
        limit = int(procedure.time_limit * DAY_MINUTES)
        due_ord = received_ord + limit
        day_key = (agency.pk, received_ord // DAY_MINUTES)
        sequence = day_sequence[day_key] = day_sequence.get(day_key, 0) + 1
        received_text = text(received_ord)
        # received_text starts "YYYY-MM-DD": the code's day is the working day's local date.
        code = f"{agency.code}-{received_text[2:4]}{received_text[5:7]}{received_text[8:10]}-{sequence:04d}"
        token = f"b{dossier_id:09x}{rng.getrandbits(40):010x}"
        clerk = rng.choice(staff[(agency.pk, Role.RECEPTION)])
        roll = rng.random()
        state, processed_ord, closed_ord, current_index = "returned", None, None, None
        paused_since = None
        if roll < 0.02:
            state = "refused"
        elif roll < 0.035:
            state = rng.choice(("stopped", "withdrawn"))
            closed_ord = min(now_ord, received_ord + rng.randrange(60, max(61, limit)))
        else:
            speed = rng.random()
            fraction = rng.uniform(0.3, 0.95) if speed < 0.78 else (rng.uniform(0.95, 1.0) if speed < 0.88 else rng.uniform(1.02, 1.9))
            processed_ord = received_ord + int(limit * fraction)
            stuck = rng.random() < 0.002  # a few forgotten dossiers stay open for months
            if processed_ord >= now_ord or stuck:
                processed_ord = None
                elapsed = max(0, now_ord - received_ord)
                current_index = min(len(steps) - 1, int(elapsed / max(1, limit) * len(steps)))
                state = "in_progress" if current_index > 0 else "received"
                if current_index > 0 and rng.random() < 0.06:
                    state = rng.choice(("supplement_requested", "awaiting_payment"))
                    paused_since = text(max(received_ord, now_ord - rng.randrange(60, 2400)))
            elif rng.random() < 0.06 and processed_ord + 960 > now_ord:
                state = "processed"
        processed_at = text(processed_ord) if processed_ord is not None else "\\N"
        returned_at = closed_at = "\\N"
        if state == "returned":
            returned_ord = min(now_ord, processed_ord + rng.randrange(0, 1440))
            returned_at = closed_at = text(returned_ord)
        elif state in ("stopped", "withdrawn"):
            closed_at = text(closed_ord)
        elif state == "refused":
            closed_at = received_text
        due_at = received_text if state == "refused" else text(due_ord)
        # Step records: finished ones split the actual time in proportion to the steps' durations.
        records = []
        handled = {clerk}
        current_step = current_assignee = "\\N"
        if state != "refused":
            shares = [step.duration for step in steps]
            scale = sum(shares)
            end_ord = processed_ord if processed_ord is not None else (closed_ord if closed_ord is not None else now_ord)
            span = max(1, end_ord - received_ord)
            last_index = len(steps) - 1 if current_index is None else current_index
            if state in ("stopped", "withdrawn"):
                last_index = 0
            start_ord = received_ord
            sender = clerk
            agency_column = f"\t{agency.pk}" if with_agency else ""
            for index in range(last_index + 1):
                step = steps[index]
                assignee = clerk if step.role == Role.RECEPTION else rng.choice(staff[(agency.pk, Role(step.role))])
                handled.add(assignee)
                step_due = start_ord + int(step.duration * DAY_MINUTES)
                is_current = current_index is not None and index == current_index
                if is_current or (state in ("stopped", "withdrawn") and index == last_index):
                    finish_ord = None if is_current else closed_ord
                    outcome = "" if is_current else "closed"
                else:
                    finish_ord = end_ord if index == last_index else start_ord + int(span * shares[index] / scale)
                    outcome = "completed" if index == len(steps) - 1 else "forwarded"
                step_id += 1
                records.append(f"{step_id}\t{dossier_id}\t{step.pk}\t{sender}\t{assignee}\t{text(start_ord)}\t"
                               f"{text(step_due)}\t{text(finish_ord) if finish_ord is not None else chr(92) + 'N'}\t"
                               f"{outcome}\t{agency_column}\n")
                if is_current:
                    current_step, current_assignee = step.pk, assignee
                sender = assignee
                if finish_ord is not None:
                    start_ord = finish_ord
            if state in ("processed", "returned"):
                current_step = steps[-1].pk  # the services leave a finished dossier at its last step, unassigned
        reason, ground = CLOSING.get(state, ("", ""))
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        name_search = folded.get(name)
        if name_search is None:
            name_search = folded[name] = fold(name)
        phone = f"09{rng.randrange(10**8):08d}"
        result_note = "Đã ký" if state in ("processed", "returned") else ""
        dossier = (f"{dossier_id}\t{code}\t{token}\tcounter\tcitizen\t{name}\t{name_search}\t0012{rng.randrange(10**8):08d}\t"
                   f"{phone}\t\t{rng.randrange(1, 300)} {rng.choice(STREETS)}, {agency.name}\t1\t{received_text}\t{due_at}\t"
                   f"{state}\t{paused_since or chr(92) + 'N'}\t0\t{processed_at}\t{returned_at}\t{closed_at}\t{reason}\t{ground}\t"
                   f"{result_note}\t{agency.pk}\t{current_assignee}\t{current_step}\t{procedure.pk}\t{clerk}\t\\N\tsms\tvi\t\\N\t\\N\n")
        rating = None
        rating_officials = []
        if state == "returned" and rng.random() < 0.33:
            rating_id += 1
            level = rng.choices(("very_satisfied", "satisfied", "dissatisfied"), weights=(55, 38, 7))[0]
            rated_at = (dt.datetime.fromisoformat(returned_at) + dt.timedelta(hours=2)).isoformat()
            rating = (f"{rating_id}\tdossier\t{level}\t{level}\t{level}\t{level}\t0\t\t{rated_at}\t"
                      f"\t\\N\t\\N\t\t{agency.pk}\t{dossier_id}\t\\N\t\\N\t{procedure.pk}\n")
            rating_officials = [f"{rating_id}\t{official}\n" for official in handled]
        yield dossier, records, rating, rating_officials


def copy_lines(cursor, table: str, columns, lines: list[str]) -> None:
    if not lines:
        return
    with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        copy.write("".join(lines))


# --- the rows the services write around each dossier, derived in PostgreSQL ------------------------------------
# Each statement reads one batch of dossiers (ids d_lo..d_hi) and their step records (r_lo..r_hi), which the
# generator numbered consecutively, so every read is a primary-key range. They run on a second connection while
# Python generates the next batch: the two cores work at once.

# The saves and events of a dossier's life, in the order the services write them (dossiers/services): reception
# ("received", then the receipt Mẫu 01 printed: a private "form_printed"), one "forwarded" per later step,
# a pause, "processed", "returned"; or one closing event. Every event but form_printed is one audited save
# of the dossier, i.e. one simple-history row.
LIFE_SQL = """
WITH life AS MATERIALIZED (
    SELECT r.dossier_id, r.started_at AS at, 1 AS sub,
           CASE WHEN s.is_first THEN 'received' ELSE 'forwarded' END AS kind,
           r.sender_id AS actor_id, r.step_id, r.assignee_id, s.name AS step_name
      FROM dossiers_steprecord r JOIN seed_step s ON s.id = r.step_id
     WHERE r.id BETWEEN %(r_lo)s AND %(r_hi)s
    UNION ALL
    SELECT d.id, d.received_at + interval '1 minute', 2, 'form_printed', d.received_by_id, p.first_step_id, NULL, NULL
      FROM dossiers_dossier d JOIN seed_procedure p ON p.id = d.procedure_id
     WHERE d.id BETWEEN %(d_lo)s AND %(d_hi)s AND d.state <> 'refused'
    UNION ALL
    SELECT d.id, d.paused_since, 3,
           CASE d.state WHEN 'supplement_requested' THEN 'supplement_requested' ELSE 'payment_requested' END,
           d.current_assignee_id, d.current_step_id, d.current_assignee_id, NULL
      FROM dossiers_dossier d
     WHERE d.id BETWEEN %(d_lo)s AND %(d_hi)s AND d.state IN ('supplement_requested', 'awaiting_payment')
    UNION ALL
    SELECT d.id, d.processed_at, 4, 'processed', d.received_by_id, d.current_step_id, NULL, NULL
      FROM dossiers_dossier d WHERE d.id BETWEEN %(d_lo)s AND %(d_hi)s AND d.processed_at IS NOT NULL
    UNION ALL
    SELECT d.id, d.returned_at, 5, 'returned', d.received_by_id, d.current_step_id, NULL, NULL
      FROM dossiers_dossier d WHERE d.id BETWEEN %(d_lo)s AND %(d_hi)s AND d.returned_at IS NOT NULL
    UNION ALL
    SELECT d.id, d.closed_at, 6, d.state, CASE d.state WHEN 'stopped' THEN l.official_id ELSE d.received_by_id END,
           d.current_step_id, NULL, NULL
      FROM dossiers_dossier d JOIN seed_leader l ON l.agency_id = d.agency_id
     WHERE d.id BETWEEN %(d_lo)s AND %(d_hi)s AND d.state IN ('refused', 'stopped', 'withdrawn')
), events AS (
    INSERT INTO dossiers_dossierevent (dossier_id, kind, at, actor_id, actor_role, step_id, public_note,
                                       internal_note, is_public, chain_hash)
    SELECT l.dossier_id, l.kind, l.at, l.actor_id, o.role, l.step_id,
           CASE WHEN l.kind IN ('refused', 'stopped', 'withdrawn') THEN d.closing_reason
                WHEN l.kind = 'supplement_requested' THEN 'Bản sao giấy chứng nhận quyền sử dụng đất' ELSE '' END,
           CASE WHEN l.kind = 'form_printed' THEN %(form_name)s ELSE '' END,
           l.kind <> 'form_printed', ''
      FROM life l JOIN seed_official o ON o.id = l.actor_id
      JOIN dossiers_dossier d ON d.id = l.dossier_id AND d.id BETWEEN %(d_lo)s AND %(d_hi)s
     ORDER BY l.dossier_id, l.at, l.sub
    RETURNING id, dossier_id, kind, at, step_id
), history AS (
    INSERT INTO dossiers_historicaldossier (
        id, code, tracking_token, channel, applicant_type, applicant_name, applicant_id_number, applicant_phone,
        applicant_email, applicant_address, sets_count, received_at, due_at, state, paused_since,
        paused_working_time, processed_at, returned_at, closed_at, closing_reason, closing_legal_ground, result_note,
        agency_id, current_assignee_id, current_step_id, procedure_id, received_by_id, supplement_notice_due_at,
        notify_channels, notify_language, notify_opted_out_at, applicant_birth_date,
        history_date, history_change_reason, history_type, history_user_id)
    SELECT d.id, d.code, d.tracking_token, d.channel, d.applicant_type, d.applicant_name, d.applicant_id_number,
           d.applicant_phone, d.applicant_email, d.applicant_address, d.sets_count, d.received_at, d.due_at,
           CASE l.kind WHEN 'received' THEN 'received' WHEN 'forwarded' THEN 'in_progress'
                       WHEN 'processed' THEN 'processed' ELSE d.state END,
           CASE WHEN l.sub = 3 THEN d.paused_since END, d.paused_working_time,
           CASE WHEN l.sub >= 4 THEN d.processed_at END,
           CASE WHEN l.sub >= 5 THEN d.returned_at END,
           CASE WHEN l.sub >= 5 THEN d.closed_at END,
           d.closing_reason, d.closing_legal_ground,
           CASE WHEN l.sub >= 4 THEN d.result_note ELSE '' END,
           d.agency_id,
           CASE WHEN l.sub = 1 THEN l.assignee_id ELSE d.current_assignee_id END,
           CASE WHEN l.sub = 1 THEN l.step_id ELSE d.current_step_id END,
           d.procedure_id, d.received_by_id, d.supplement_notice_due_at, d.notify_channels, d.notify_language,
           d.notify_opted_out_at, d.applicant_birth_date,
           l.at,
           left(CASE l.kind WHEN 'received' THEN 'receive' WHEN 'forwarded' THEN 'forward: ' || l.step_name
                            WHEN 'processed' THEN 'mark_processed' WHEN 'returned' THEN 'return_result'
                            WHEN 'refused' THEN 'refuse_at_counter: ' || d.closing_reason
                            WHEN 'stopped' THEN 'stop: ' || d.closing_reason || ' (' || d.closing_legal_ground || ')'
                            WHEN 'withdrawn' THEN 'withdraw: ' || d.closing_reason
                            WHEN 'supplement_requested' THEN 'request_supplement'
                            ELSE 'await_payment' END, 100),
           CASE WHEN l.kind IN ('received', 'refused') THEN '+' ELSE '~' END,
           o.user_id
      FROM life l JOIN dossiers_dossier d ON d.id = l.dossier_id AND d.id BETWEEN %(d_lo)s AND %(d_hi)s
      JOIN seed_official o ON o.id = l.actor_id
     WHERE l.kind <> 'form_printed'
), recent AS (
    SELECT e.*, d.agency_id, d.code, d.applicant_phone, d.tracking_token, d.due_at, d.received_at,
           d.processed_at, d.returned_at, d.closed_at, p.code AS procedure_code, p.name AS procedure_name,
           r.assignee_id
      FROM events e JOIN dossiers_dossier d ON d.id = e.dossier_id AND d.id BETWEEN %(d_lo)s AND %(d_hi)s
      JOIN seed_procedure p ON p.id = d.procedure_id
      LEFT JOIN dossiers_steprecord r ON e.kind = 'forwarded' AND r.dossier_id = e.dossier_id AND r.started_at = e.at
                                     AND r.id BETWEEN %(r_lo)s AND %(r_hi)s
     WHERE e.at >= %(cutoff)s
), notified AS (
    INSERT INTO notifications_notification (dossier_id, audience, channel, recipient, template, language, subject,
        body, params, state, attempts, next_attempt_at, last_error, provider_message_id, idempotency_key,
        created_at, expires_at, sent_at, agency_id)
    SELECT n.dossier_id, n.audience, n.channel, n.recipient, n.kind, 'vi', '',
           n.body, n.params, 'sent', 1, n.at, '', 'bench-' || n.id, n.key, n.at, n.at + interval '3 days',
           n.at + interval '5 seconds', n.agency_id
      FROM (SELECT e.id, e.dossier_id, 'citizen' AS audience, 'sms' AS channel, e.applicant_phone AS recipient,
                   e.kind, e.at, e.agency_id, 'dossier:' || e.dossier_id || ':event:' || e.id || ':sms' AS key,
                   'Ho so ' || e.code || ': ' || e.kind || '. Tra cuu: /t/' || e.tracking_token || '/' AS body,
                   jsonb_build_object('code', e.code, 'date', to_char(e.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY'),
                                      'link', '/t/' || e.tracking_token || '/') AS params
              FROM recent e WHERE e.kind IN ('received', 'processed', 'returned', 'refused', 'stopped', 'withdrawn',
                                             'supplement_requested', 'payment_requested')
            UNION ALL
            SELECT e.id, e.dossier_id, 'official', 'email', 'canbo' || e.assignee_id || '@example.gov.vn',
                   'step_assigned', e.at, e.agency_id,
                   'dossier:' || e.dossier_id || ':event:' || e.id || ':assignee:' || e.assignee_id || ':email',
                   'Hồ sơ ' || e.code || ' được giao cho bạn.', '{}'::jsonb
              FROM recent e WHERE e.kind = 'forwarded' AND e.assignee_id IS NOT NULL) n
), synced AS (
    -- The national portal's outbox: one message per change of national status (dossiers/national.py).
    INSERT INTO national_sync_syncmessage (dossier_id, dossier_code, seq, event_id, national_status, payload,
        idempotency_key, state, attempts, next_attempt_at, last_error, receipt, created_at, sent_at, agency_id)
    SELECT s.dossier_id, s.code, s.seq, s.id, s.status,
           jsonb_build_object('MaHoSo', s.code, 'MaTTHC', s.procedure_code, 'TenTTHC', s.procedure_name,
                              'TrangThaiHoSo', s.status, 'SoThuTuDongBo', s.seq,
                              'MaDongBo', 'dossier:' || s.dossier_id || ':sync:' || s.seq,
                              'NgayTiepNhan', to_char(s.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MISS'),
                              'NgayHenTra', to_char(s.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MISS')),
           'dossier:' || s.dossier_id || ':sync:' || s.seq, 'sent', 1, s.at, '', 'QG-' || s.id, s.at,
           s.at + interval '10 seconds', s.agency_id
      FROM (SELECT e.*, row_number() OVER (PARTITION BY e.dossier_id ORDER BY e.at, e.id) AS seq
              FROM (SELECT e.*, CASE e.kind WHEN 'received' THEN 2 WHEN 'forwarded' THEN 4 WHEN 'processed' THEN 9
                                            WHEN 'returned' THEN 10 WHEN 'refused' THEN 3 WHEN 'stopped' THEN 8
                                            WHEN 'withdrawn' THEN 7 WHEN 'supplement_requested' THEN 5
                                            WHEN 'payment_requested' THEN 6 END AS status,
                           lag(e.kind) OVER (PARTITION BY e.dossier_id ORDER BY e.at, e.id) AS previous
                      FROM recent e WHERE e.kind <> 'form_printed') e
             WHERE NOT (e.kind = 'forwarded' AND e.previous = 'forwarded')) s
)
SELECT (SELECT count(*) FROM life)
"""

# The step records' history: "open step: …" when opened ('+', by the sender), the outcome when closed ('~').
STEP_HISTORY_SQL = """
INSERT INTO dossiers_historicalsteprecord (id, started_at, due_at, finished_at, outcome, note, history_date,
    history_change_reason, history_type, assignee_id, dossier_id, history_user_id, sender_id, step_id{agency})
SELECT r.id, r.started_at, r.due_at, NULL, '', '', r.started_at, left('open step: ' || s.name, 100), '+',
       r.assignee_id, r.dossier_id, o.user_id, r.sender_id, r.step_id{r_agency}
  FROM dossiers_steprecord r JOIN seed_step s ON s.id = r.step_id JOIN seed_official o ON o.id = r.sender_id
 WHERE r.id BETWEEN %(r_lo)s AND %(r_hi)s
UNION ALL
SELECT r.id, r.started_at, r.due_at, r.finished_at, r.outcome, r.note, r.finished_at, r.outcome, '~',
       r.assignee_id, r.dossier_id, o.user_id, r.sender_id, r.step_id{r_agency}
  FROM dossiers_steprecord r JOIN seed_official o ON o.id = coalesce(r.assignee_id, r.sender_id)
 WHERE r.id BETWEEN %(r_lo)s AND %(r_hi)s AND r.finished_at IS NOT NULL
"""

# The documents checked off at the counter (reception and counter refusal write them), with their history.
DOCUMENTS_SQL = """
WITH src AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('dossiers_dossierdocument', 'id')) AS id, q.name, q.originals, q.copies,
           d.id AS dossier_id, q.id AS required_id, d.received_at, o.user_id
      FROM dossiers_dossier d JOIN procedures_requireddocument q ON q.procedure_id = d.procedure_id
      JOIN seed_official o ON o.id = d.received_by_id
     WHERE d.id BETWEEN %(d_lo)s AND %(d_hi)s
), docs AS (
    INSERT INTO dossiers_dossierdocument (id, name, originals, certified_copies, photocopies, scan, dossier_id,
                                          required_document_id)
    SELECT id, name, originals, copies, 0, '', dossier_id, required_id FROM src
)
INSERT INTO dossiers_historicaldossierdocument (id, name, originals, certified_copies, photocopies, scan,
    history_date, history_change_reason, history_type, dossier_id, history_user_id, required_document_id)
SELECT id, name, originals, copies, 0, '', received_at, 'receive', '+', dossier_id, user_id, required_id FROM src
"""

RATING_HISTORY_SQL = """
INSERT INTO satisfaction_historicalrating (id, source, overall, timeliness, attitude, guidance, extra_visits, comment,
    created_at, day, handled_at, handling_note, history_date, history_change_reason, history_type, agency_id,
    dossier_id, handled_by_id, history_user_id, official_id, procedure_id)
SELECT id, source, overall, timeliness, attitude, guidance, extra_visits, comment, created_at, day, handled_at,
       handling_note, created_at, 'rate_dossier', '+', agency_id, dossier_id, handled_by_id, NULL, official_id,
       procedure_id
  FROM satisfaction_rating WHERE id BETWEEN %(g_lo)s AND %(g_hi)s
"""

# Once, at the end: the code counters (per agency and day, the highest sequence handed out), the requests of the
# paused dossiers (supplement, payment), and the refusal letters (Mẫu 03, numbered per agency and year) with
# their counters.
FINAL_SQL = [
    ("code counters", """
INSERT INTO dossiers_dossiercodecounter (agency_id, day, last_value)
SELECT agency_id, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, max(right(code, 4)::int)
  FROM dossiers_dossier GROUP BY 1, 2
"""),
    ("pause requests", """
WITH paused AS MATERIALIZED (
    SELECT d.id AS dossier_id, d.state, d.paused_since, d.current_assignee_id AS official_id, o.user_id,
           nextval(pg_get_serial_sequence(CASE d.state WHEN 'supplement_requested' THEN 'dossiers_supplementrequest'
                                          ELSE 'dossiers_paymentrequest' END, 'id')) AS id
      FROM dossiers_dossier d JOIN seed_official o ON o.id = d.current_assignee_id
     WHERE d.state IN ('supplement_requested', 'awaiting_payment')
), supplements AS (
    INSERT INTO dossiers_supplementrequest (id, dossier_id, missing, requested_at, reply_by, requested_by_id,
                                            notice_late)
    SELECT id, dossier_id, 'Bản sao giấy chứng nhận quyền sử dụng đất', paused_since,
           (paused_since AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 15, official_id, false
      FROM paused WHERE state = 'supplement_requested'
), supplement_history AS (
    INSERT INTO dossiers_historicalsupplementrequest (id, dossier_id, missing, requested_at, reply_by,
        requested_by_id, notice_late, history_date, history_change_reason, history_type, history_user_id)
    SELECT id, dossier_id, 'Bản sao giấy chứng nhận quyền sử dụng đất', paused_since,
           (paused_since AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 15, official_id, false, paused_since,
           'request_supplement', '+', user_id
      FROM paused WHERE state = 'supplement_requested'
), payments AS (
    INSERT INTO dossiers_paymentrequest (id, dossier_id, amount, description, requested_at, requested_by_id,
                                         receipt_number)
    SELECT id, dossier_id, 50000, 'Lệ phí cấp giấy', paused_since, official_id, ''
      FROM paused WHERE state = 'awaiting_payment'
)
INSERT INTO dossiers_historicalpaymentrequest (id, dossier_id, amount, description, requested_at, requested_by_id,
    receipt_number, history_date, history_change_reason, history_type, history_user_id)
SELECT id, dossier_id, 50000, 'Lệ phí cấp giấy', paused_since, official_id, '', paused_since, 'await_payment', '+',
       user_id
  FROM paused WHERE state = 'awaiting_payment'
"""),
    ("refusal letters", """
WITH letters AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('dossiers_issuedletter', 'id')) AS id, d.id AS dossier_id, d.agency_id,
           extract(year FROM d.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int AS year, d.closed_at,
           d.received_by_id, o.user_id,
           row_number() OVER (PARTITION BY d.agency_id, extract(year FROM d.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')
                              ORDER BY d.closed_at, d.id) AS sequence
      FROM dossiers_dossier d JOIN seed_official o ON o.id = d.received_by_id WHERE d.state = 'refused'
), issued AS (
    INSERT INTO dossiers_issuedletter (id, dossier_id, form, agency_id, year, sequence, number, issued_at, signer_id)
    SELECT id, dossier_id, '03', agency_id, year, sequence, lpad(sequence::text, 2, '0') || '/UBND', closed_at,
           received_by_id FROM letters
), history AS (
    INSERT INTO dossiers_historicalissuedletter (id, dossier_id, form, agency_id, year, sequence, number, issued_at,
        signer_id, history_date, history_change_reason, history_type, history_user_id)
    SELECT id, dossier_id, '03', agency_id, year, sequence, lpad(sequence::text, 2, '0') || '/UBND', closed_at,
           received_by_id, closed_at, 'issue letter: 03', '+', user_id FROM letters
)
INSERT INTO dossiers_letternumbercounter (agency_id, year, last_value)
SELECT agency_id, year, max(sequence) FROM letters GROUP BY 1, 2
"""),
]

BIG_TABLES = ("dossiers_dossier", "dossiers_steprecord", "dossiers_dossierevent", "dossiers_historicaldossier",
              "dossiers_historicalsteprecord", "dossiers_dossierdocument", "dossiers_historicaldossierdocument",
              "satisfaction_rating", "satisfaction_ratingofficial", "satisfaction_historicalrating",
              "notifications_notification", "national_sync_syncmessage", "dossiers_issuedletter",
              "dossiers_historicalissuedletter")
BATCH = 100_000  # dossiers per derivation batch (and per commit)
OUTBOX_DAYS = 30  # delivered notifications and national-sync messages are kept for the last month only
# Management commands run after the load: tables derived from the seeded rows. The precomputed working calendar
# must reach back to the first seeded day (its default starts at the earliest holiday on record), and the daily
# roll-ups cover every seeded day.
POST_SEED_COMMANDS = ("rebuild_working_calendar", "rollup_reports")


def post_seed_options(command: str, first_day: dt.date) -> dict:
    return {"rebuild_working_calendar": {"first_year": first_day.year},
            "rollup_reports": {"since": first_day}}.get(command, {})


class Phases:
    """Wall time per phase, printed as it goes and as a table at the end."""

    def __init__(self):
        self.started = self.mark = time.monotonic()
        self.rows: list[tuple[str, float]] = []

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.rows.append((name, now - self.mark))
        print(f"  {name}: {now - self.mark:.1f} s (total {now - self.started:.0f} s)", flush=True)
        self.mark = now


def column_exists(cursor, table: str, column: str) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s)",
                   [table, column])
    return cursor.fetchone()[0]


def helper_tables(cursor, steps_of, people) -> None:
    """Small lookup tables for the derivation SQL (officials' users and roles, steps' order), dropped at the end."""
    cursor.execute("DROP TABLE IF EXISTS seed_official, seed_step, seed_procedure, seed_leader")
    cursor.execute("CREATE UNLOGGED TABLE seed_official (id int PRIMARY KEY, user_id int, role text, agency_id int)")
    cursor.executemany("INSERT INTO seed_official VALUES (%s, %s, %s, %s)", people)
    cursor.execute("CREATE UNLOGGED TABLE seed_leader AS SELECT DISTINCT ON (agency_id) agency_id, id AS official_id "
                   "FROM seed_official WHERE role = 'leader' ORDER BY agency_id, id")
    cursor.execute("CREATE UNLOGGED TABLE seed_step (id int PRIMARY KEY, name text, is_first bool)")
    cursor.executemany("INSERT INTO seed_step VALUES (%s, %s, %s)",
                       [(step.pk, step.name, n == 0) for steps in steps_of.values() for n, step in enumerate(steps)])
    cursor.execute("CREATE UNLOGGED TABLE seed_procedure (id int PRIMARY KEY, first_step_id int, code text, name text)")
    procedures = {p.pk: p for p in Procedure.objects.filter(pk__in=list(steps_of))}
    cursor.executemany("INSERT INTO seed_procedure VALUES (%s, %s, %s, %s)",
                       [(pk, steps[0].pk, procedures[pk].code, procedures[pk].name) for pk, steps in steps_of.items()])
    cursor.execute("ANALYZE seed_official; ANALYZE seed_leader; ANALYZE seed_step; ANALYZE seed_procedure")


class Deriver(threading.Thread):
    """Runs the derivation of finished batches on its own connection while the main thread generates the next
    (psycopg releases the GIL while PostgreSQL works)."""

    def __init__(self, dsn: str, params: dict, step_history_sql: str):
        super().__init__(daemon=True)
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET work_mem = '256MB'")
        self.params = params
        self.step_history_sql = step_history_sql
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.busy = 0.0
        self.spent: dict[str, float] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        while (ranges := self.queue.get()) is not None:
            if self.error is not None:
                continue
            started = time.monotonic()
            try:
                with self.conn.transaction(), self.conn.cursor() as cursor:
                    values = {**self.params, **ranges}
                    for name, sql in (("events, dossier history, outbox", LIFE_SQL),
                                      ("step record history", self.step_history_sql),
                                      ("documents", DOCUMENTS_SQL), ("rating history", RATING_HISTORY_SQL)):
                        mark = time.monotonic()
                        cursor.execute(sql, values)
                        self.spent[name] = self.spent.get(name, 0.0) + time.monotonic() - mark
            except BaseException as error:  # reported by the main thread
                self.error = error
            self.busy += time.monotonic() - started

    def submit(self, ranges: dict) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(ranges)

    def finish(self) -> None:
        self.queue.put(None)
        self.join()
        self.conn.close()
        if self.error is not None:
            raise self.error


def rebuild_indexes(dsn: str, definitions: list[str], connections: int = 2) -> None:
    """CREATE INDEX on two connections at once (one per core); each build reads its table once."""
    pending = queue.Queue()
    for definition in definitions:
        pending.put(definition)
    errors = []

    def work():
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")  # the other connection has the other core
            while True:
                try:
                    definition = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    conn.execute(definition)
                except psycopg.Error as error:
                    errors.append(error)
                    return

    workers = [threading.Thread(target=work) for _n in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


def load(args) -> None:
    phases = Phases()
    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    if check_target(args.yes):
        empty_tables()
    now = dt.datetime.now(VN)
    first = (now - dt.timedelta(days=365 * 3)).date()
    clock = Clock(first, now.date() + dt.timedelta(days=400))
    with transaction.atomic():
        agencies, offered, steps_of, staff, people = catalogue(rng, args.agencies, args.officials)
    phases.done(f"catalogue ({len(agencies)} agencies, {args.officials} officials)")
    raw = connection.connection  # psycopg 3 connection behind Django's wrapper (autocommit outside atomic blocks)
    with raw.cursor() as cursor:
        helper_tables(cursor, steps_of, people)
        with_agency = column_exists(cursor, "dossiers_steprecord", "agency_id")
        history_agency = column_exists(cursor, "dossiers_historicalsteprecord", "agency_id")
        # Secondary indexes are rebuilt once after the load: far cheaper than maintaining them row by row.
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint)", [list(BIG_TABLES)])
        secondary = cursor.fetchall()
        for name, _definition in secondary:
            cursor.execute(f'DROP INDEX "{name}"')
        # The generator writes only ids it created: skip the per-row foreign-key triggers during the load.
        cursor.execute("SET session_replication_role = replica")
    phases.done(f"helper tables, {len(secondary)} secondary indexes dropped")
    step_columns = STEP_COLUMNS + (("agency_id",) if with_agency else ())
    step_history_sql = STEP_HISTORY_SQL.format(agency=", agency_id" if history_agency else "",
                                               r_agency=", r.agency_id" if history_agency else "")
    if history_agency and not with_agency:
        step_history_sql = step_history_sql.replace("r.agency_id", "NULL")
    from dossiers.pdf import FORMS

    deriver = Deriver(raw.info.dsn, {"cutoff": now - dt.timedelta(days=OUTBOX_DAYS),
                                     "form_name": str(FORMS["01"].log_name)}, step_history_sql)
    deriver.start()
    tables = {"dossiers_dossier": DOSSIER_COLUMNS, "dossiers_steprecord": step_columns,
              "satisfaction_rating": RATING_COLUMNS, "satisfaction_ratingofficial": ("rating_id", "official_id")}
    batches = {table: [] for table in tables}
    counts = dict.fromkeys(tables, 0)
    marks = {"d": 0, "r": 0, "g": 0}  # the last dossier, step record and rating id already handed to the deriver

    def flush(cursor):
        for table, columns in tables.items():
            copy_lines(cursor, table, columns, batches[table])
            counts[table] += len(batches[table])
            batches[table].clear()

    def hand_over():
        ranges = {"d_lo": marks["d"] + 1, "d_hi": counts["dossiers_dossier"],
                  "r_lo": marks["r"] + 1, "r_hi": counts["dossiers_steprecord"],
                  "g_lo": marks["g"] + 1, "g_hi": counts["satisfaction_rating"]}
        deriver.submit(ranges)
        marks.update(d=ranges["d_hi"], r=ranges["r_hi"], g=ranges["g_hi"])

    generated = generate(rng, clock, now, args.dossiers, agencies, offered, steps_of, staff, with_agency)
    with raw.cursor() as cursor:
        transaction_ = raw.transaction()
        transaction_.__enter__()
        for n, (dossier, records, rating, rating_officials) in enumerate(generated, 1):
            batches["dossiers_dossier"].append(dossier)
            batches["dossiers_steprecord"] += records
            if rating:
                batches["satisfaction_rating"].append(rating)
                batches["satisfaction_ratingofficial"] += rating_officials
            if n % CHUNK == 0:
                flush(cursor)
            if n % BATCH == 0:
                transaction_.__exit__(None, None, None)  # committed: the deriver's connection sees the batch
                hand_over()
                transaction_ = raw.transaction()
                transaction_.__enter__()
                if n % (BATCH * 5) == 0:
                    print(f"  {n:,} dossiers ({time.monotonic() - phases.started:.0f} s; "
                          f"deriver busy {deriver.busy:.0f} s)", flush=True)
        flush(cursor)
        transaction_.__exit__(None, None, None)
    if counts["dossiers_dossier"] > marks["d"]:
        hand_over()
    phases.done(f"generate + COPY {counts['dossiers_dossier']:,} dossiers (Python)")
    deriver.finish()
    phases.done(f"derivation tail (deriver busy {deriver.busy:.0f} s in all, overlapping the generation)")
    print("  deriver: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in deriver.spent.items()))
    with raw.cursor() as cursor:
        for name, sql in FINAL_SQL:
            cursor.execute(sql)
            phases.done(name)
        rebuild_indexes(raw.info.dsn, [definition for _name, definition in secondary])
        phases.done(f"{len(secondary)} secondary indexes rebuilt")
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("dossiers_dossier", "dossiers_steprecord", "satisfaction_rating", "dossiers_dossierdocument"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")
        cursor.execute("DROP TABLE seed_official, seed_step, seed_procedure, seed_leader")
        for table in BIG_TABLES + ("dossiers_dossiercodecounter", "dossiers_letternumbercounter"):
            cursor.execute(f'ANALYZE "{table}"')
        phases.done("ANALYZE")
    available = get_commands()
    first_day = Dossier.objects.order_by("received_at").values_list("received_at", flat=True).first()
    for command in POST_SEED_COMMANDS:
        if command in available:
            call_command(command, **(post_seed_options(command, first_day.astimezone(VN).date()) if first_day else {}))
            phases.done(f"manage.py {command}")
    with raw.cursor() as cursor:
        # After ANALYZE the planner's row estimates are close; exact counts of 10^8 rows would cost minutes.
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
                       [[*BIG_TABLES, "dossiers_dossiercodecounter", "dossiers_letternumbercounter"]])
        print("rows (estimates after ANALYZE):")
        for table, rows in cursor.fetchall():
            print(f"  {table:40} {max(rows, 0):>14,}")
    print(f"{'phase':70} {'seconds':>8}")
    for name, seconds in phases.rows:
        print(f"{name:70} {seconds:8.1f}")
    print(f"seed_city: done in {time.monotonic() - phases.started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument("--officials", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--yes", action="store_true", help="confirm writing into the database of DATABASE_URL")
    load(parser.parse_args())


if __name__ == "__main__":
    main()
