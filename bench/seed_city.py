"""Seed a city-sized data set into PostgreSQL for the report benchmarks (bench/bench_reports.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/seed_city.py --yes
    … --dossiers 50000          # a quick run
    … --dossiers 1000000        # the default: 1,000,000 dossiers over 3 years, 50 agencies, 500 officials

Refuses SQLite, refuses without --yes, and refuses a database whose dossier table already holds rows unless the
database is a dedicated one (its name starts with "bench"), which is then emptied first. The catalogue, agencies
and officials go through the ORM (a few thousand rows); dossiers, step records and ratings are generated in Python
and streamed with COPY (psycopg 3), with foreign-key triggers off during the load (the generator only writes ids it
created) and the tables ANALYZEd afterwards. History tables (simple-history) stay empty: reports never read them.

The data follow the working calendar of `procedures.calendar` in a simplified form: 07:30–11:30 and 13:00–17:00,
Monday to Friday, minus the Vietnamese public holidays of the `holidays` package. Most dossiers finish before their
appointment, some on the day, some late; recent ones are open (some paused, some overdue); a small share were
refused, stopped or withdrawn; about a third of the returned ones are rated.
"""
import argparse
import bisect
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

import holidays  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from common.clock import VN  # noqa: E402
from common.text import fold  # noqa: E402
from procedures.models import Agency, AgencyLevel, Department, Field, Official, Procedure, ProcedureStep  # noqa: E402
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
              "dossiers_dossier"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE ANY(%s)",
                       [["satisfaction_%", "dossiers_%", "procedures_%", "auth_user%"]])
        existing = {row[0] for row in cursor.fetchall()}
        tables += sorted(existing - set(tables))
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables if t in existing) + " RESTART IDENTITY CASCADE")


def catalogue(rng: random.Random, agencies_n: int, officials_n: int):
    password = make_password("bench-password-2025")
    fields = Field.objects.bulk_create([Field(code=f"LV{i:02d}", name=name) for i, name in enumerate(FIELDS, 1)])
    procedures = []
    for i in range(60):
        limit = rng.choice(LIMITS)
        procedures.append(Procedure(code=f"1.{i + 1:06d}", name=f"Thủ tục {FIELDS[i % len(FIELDS)].lower()} số {i + 1}",
                                    search_text=fold(f"1.{i + 1:06d} thu tuc {i + 1}"), field=fields[i % len(fields)],
                                    level=AgencyLevel.COMMUNE, time_limit=limit))
    procedures = Procedure.objects.bulk_create(procedures)
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
    for a, agency in enumerate(agencies):
        for n in range(per_agency):
            staff.setdefault((agency.pk, plan[n]), []).append(officials[a * per_agency + n].pk)
    return agencies, offered, steps_of, staff


# --- the big tables, through COPY ------------------------------------------------------------------------------

DOSSIER_COLUMNS = ("id", "code", "tracking_token", "channel", "applicant_type", "applicant_name", "applicant_name_search",
                   "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address", "sets_count",
                   "received_at", "due_at", "state", "paused_since", "paused_working_time", "processed_at",
                   "returned_at", "closed_at", "closing_reason", "closing_legal_ground", "result_note", "agency_id",
                   "current_assignee_id", "current_step_id", "procedure_id", "received_by_id")
STEP_COLUMNS = ("id", "dossier_id", "step_id", "sender_id", "assignee_id", "started_at", "due_at", "finished_at",
                "outcome", "note")
RATING_COLUMNS = ("id", "source", "overall", "timeliness", "attitude", "guidance", "extra_visits", "comment",
                  "created_at", "device_hash", "day", "handled_at", "handling_note", "agency_id", "dossier_id",
                  "handled_by_id", "official_id", "procedure_id")


def generate(rng, clock: Clock, now: dt.datetime, total: int, agencies, offered, steps_of, staff):
    """Yield (dossier line, [step lines], rating line or None, [rating-official lines]) per dossier."""
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
    step_id = 0
    rating_id = 0
    for dossier_id, received_ord in enumerate(received, 1):
        agency = agencies[bisect.bisect_left(cumulative, rng.random() * running)]
        procedure = rng.choice(offered[agency.pk])
        steps = steps_of[procedure.pk]
        limit = int(float(procedure.time_limit) * DAY_MINUTES)
        received_at = clock.instant(received_ord)
        due_ord = received_ord + limit
        day_key = (agency.pk, received_ord // DAY_MINUTES)
        sequence = day_sequence[day_key] = day_sequence.get(day_key, 0) + 1
        code = f"{agency.code}-{received_at:%y%m%d}-{sequence:04d}"
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
                    paused_since = clock.instant(max(received_ord, now_ord - rng.randrange(60, 2400)))
            elif rng.random() < 0.06 and processed_ord + 960 > now_ord:
                state = "processed"
        processed_at = clock.instant(processed_ord) if processed_ord is not None else None
        returned_at = closed_at = None
        if state == "returned":
            returned_ord = min(now_ord, processed_ord + rng.randrange(0, 1440))
            returned_at = closed_at = clock.instant(returned_ord)
        elif state in ("stopped", "withdrawn"):
            closed_at = clock.instant(closed_ord)
        elif state == "refused":
            closed_at = received_at
        due_at = received_at if state == "refused" else clock.instant(due_ord)
        # Step records: finished ones split the actual time in proportion to the steps' durations.
        records = []
        current_step = current_assignee = None
        if state != "refused":
            shares = [float(step.duration) for step in steps]
            scale = sum(shares)
            end_ord = processed_ord if processed_ord is not None else (closed_ord if closed_ord is not None else now_ord)
            span = max(1, end_ord - received_ord)
            last_index = len(steps) - 1 if current_index is None else current_index
            if state in ("stopped", "withdrawn"):
                last_index = 0
            start_ord = received_ord
            sender = clerk
            for index in range(last_index + 1):
                step = steps[index]
                assignee = clerk if step.role == Role.RECEPTION else rng.choice(staff[(agency.pk, Role(step.role))])
                step_due = start_ord + int(float(step.duration) * DAY_MINUTES)
                is_current = current_index is not None and index == current_index
                if is_current or (state in ("stopped", "withdrawn") and index == last_index):
                    finish_ord = None if is_current else closed_ord
                    outcome = "" if is_current else "closed"
                else:
                    finish_ord = end_ord if index == last_index else start_ord + int(span * shares[index] / scale)
                    outcome = "completed" if index == len(steps) - 1 else "forwarded"
                step_id += 1
                records.append(f"{step_id}\t{dossier_id}\t{step.pk}\t{sender}\t{assignee}\t{ts(clock.instant(start_ord))}\t"
                               f"{ts(clock.instant(step_due))}\t{ts(clock.instant(finish_ord) if finish_ord is not None else None)}\t{outcome}\t\n")
                if is_current:
                    current_step, current_assignee = step.pk, assignee
                sender = assignee
                if finish_ord is not None:
                    start_ord = finish_ord
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        phone = f"09{rng.randrange(10**8):08d}"
        dossier = (f"{dossier_id}\t{code}\t{token}\tcounter\tcitizen\t{name}\t{fold(name)}\t0012{rng.randrange(10**8):08d}\t"
                   f"{phone}\t\t{rng.randrange(1, 300)} {rng.choice(STREETS)}, {agency.name}\t1\t{ts(received_at)}\t{ts(due_at)}\t"
                   f"{state}\t{ts(paused_since)}\t0\t{ts(processed_at)}\t{ts(returned_at)}\t{ts(closed_at)}\t\t\t\t"
                   f"{agency.pk}\t{nullable(current_assignee)}\t{nullable(current_step)}\t{procedure.pk}\t{clerk}\n")
        rating = None
        rating_officials = []
        if state == "returned" and rng.random() < 0.33:
            rating_id += 1
            level = rng.choices(("very_satisfied", "satisfied", "dissatisfied"), weights=(55, 38, 7))[0]
            rating = (f"{rating_id}\tdossier\t{level}\t{level}\t{level}\t{level}\t0\t\t{ts(returned_at + dt.timedelta(hours=2))}\t"
                      f"\t\\N\t\\N\t\t{agency.pk}\t{dossier_id}\t\\N\t\\N\t{procedure.pk}\n")
            handled = {clerk, *(int(line.split("\t")[4]) for line in records)}
            rating_officials = [f"{rating_id}\t{official}\n" for official in handled]
        yield dossier, records, rating, rating_officials


def copy_lines(cursor, table: str, columns, lines: list[str]) -> None:
    if not lines:
        return
    with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        copy.write("".join(lines))


def load(args) -> None:
    started = time.monotonic()
    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    if check_target(args.yes):
        empty_tables()
    now = dt.datetime.now(VN)
    first = (now - dt.timedelta(days=365 * 3)).date()
    clock = Clock(first, now.date() + dt.timedelta(days=400))
    with transaction.atomic():
        agencies, offered, steps_of, staff = catalogue(rng, args.agencies, args.officials)
    print(f"catalogue: {len(agencies)} agencies, {args.officials} officials ({time.monotonic() - started:.1f} s)")
    raw = connection.connection  # psycopg 3 connection behind Django's wrapper
    with transaction.atomic(), raw.cursor() as cursor:
        # The generator writes only ids it created: skip the per-row foreign-key triggers during the load.
        cursor.execute("SET LOCAL session_replication_role = replica")
        # Secondary indexes are rebuilt once after the load: far cheaper than maintaining them row by row.
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint)", [["dossiers_dossier", "dossiers_steprecord"]])
        secondary = cursor.fetchall()
        for name, _definition in secondary:
            cursor.execute(f'DROP INDEX "{name}"')
        batches = {"dossiers_dossier": [], "dossiers_steprecord": [], "satisfaction_rating": [],
                   "satisfaction_ratingofficial": []}
        counts = dict.fromkeys(batches, 0)

        def flush():
            for table, columns in (("dossiers_dossier", DOSSIER_COLUMNS), ("dossiers_steprecord", STEP_COLUMNS),
                                   ("satisfaction_rating", RATING_COLUMNS),
                                   ("satisfaction_ratingofficial", ("rating_id", "official_id"))):
                copy_lines(cursor, table, columns, batches[table])
                counts[table] += len(batches[table])
                batches[table].clear()

        for n, (dossier, records, rating, rating_officials) in enumerate(
                generate(rng, clock, now, args.dossiers, agencies, offered, steps_of, staff), 1):
            batches["dossiers_dossier"].append(dossier)
            batches["dossiers_steprecord"] += records
            if rating:
                batches["satisfaction_rating"].append(rating)
                batches["satisfaction_ratingofficial"] += rating_officials
            if n % CHUNK == 0:
                flush()
                if n % (CHUNK * 10) == 0:
                    print(f"  {n:,} dossiers ({time.monotonic() - started:.0f} s)", flush=True)
        flush()
        print(f"  rows loaded, rebuilding {len(secondary)} indexes ({time.monotonic() - started:.0f} s)", flush=True)
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in secondary:
            cursor.execute(definition)
        for table in ("dossiers_dossier", "dossiers_steprecord", "satisfaction_rating", "satisfaction_ratingofficial"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")
    with raw.cursor() as cursor:
        for table in batches:
            cursor.execute(f'ANALYZE "{table}"')
    print(", ".join(f"{table}: {count:,}" for table, count in counts.items()))
    print(f"seed_city: done in {time.monotonic() - started:.0f} s")


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
