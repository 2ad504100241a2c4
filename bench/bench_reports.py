"""Time every report and dashboard query on the bench data set (bench/seed_city.py) and print a table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_reports.py [--explain]

Each query runs `--repeat` times (default 3) and the best and median wall times are printed, with the number of
SQL queries of one run. The public statistics page goes through Django's test client: cold (cache cleared) and
cached. --explain prints EXPLAIN (ANALYZE, BUFFERS) of the heavy queries.
"""
import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from dossiers.models import Dossier  # noqa: E402
from portal import reports  # noqa: E402
from procedures.models import Agency  # noqa: E402


def timed(function, repeat: int) -> tuple[float, float, int]:
    times = []
    queries = 0
    for n in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        if n == 0:
            queries = len(captured)
    return min(times), statistics.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench_reports: run it on the PostgreSQL bench database (DATABASE_URL)", file=sys.stderr)
        sys.exit(2)
    total = Dossier.objects.count()
    # The busiest agency: the worst case for per-agency pages.
    busiest = Agency.objects.get(pk=Dossier.objects.values("agency").annotate(n=Count("id")).order_by("-n")[0]["agency"])
    agency_total = Dossier.objects.filter(agency=busiest).count()
    now = timezone.now()
    year = reports.Period.last_months(now)
    month = reports.Period.month_to_date(now)
    quarter = reports.Period(first=year.last.replace(day=1) - datetime.timedelta(days=62), last=year.last)
    month_filters = reports.Filters(period=month)
    quarter_filters = reports.Filters(period=quarter)
    register_period = reports.Period(first=month.first, last=month.last)
    overdue_page = list(reports.overdue_rows(busiest, now)[: reports.OVERDUE_PAGE_SIZE])

    cases = [
        ("grouped counts, all agencies (12 months)", lambda: reports.grouped_counts(None, year, now)),
        ("grouped counts, busiest agency", lambda: reports.grouped_counts(busiest, year, now)),
        ("public report, all agencies", lambda: reports.public_report(None, now)),
        ("public report, busiest agency", lambda: reports.public_report(busiest, now)),
        ("today's figures (agency)", lambda: reports.today_figures(busiest, now)),
        ("open by step (agency)", lambda: reports.open_by_step(busiest, now)),
        ("open by official (agency)", lambda: reports.open_by_official(busiest, now)),
        ("overdue list, page 1 + days late", lambda: reports.overdue_table(
            busiest, list(reports.overdue_rows(busiest, now)[: reports.OVERDUE_PAGE_SIZE]), now)),
        ("overdue count (agency)", lambda: reports.overdue_rows(busiest, now).count()),
        ("due soon (agency)", lambda: list(reports.due_soon_rows(busiest, now)[:50])),
        ("step bottlenecks, month", lambda: reports.step_bottlenecks(busiest, month_filters)),
        ("step bottlenecks, quarter", lambda: reports.step_bottlenecks(busiest, quarter_filters)),
        ("official review, month", lambda: reports.official_review(busiest, month_filters)),
        ("official review, quarter", lambda: reports.official_review(busiest, quarter_filters)),
        ("register Mẫu 07, month (all rows)", lambda: list(reports.register_rows(busiest, register_period, reports.register_dossiers(busiest, register_period)))),
    ]
    print(f"bench: {total:,} dossiers; busiest agency {busiest.code} with {agency_total:,}; "
          f"{len(overdue_page)} overdue rows on page 1")
    print(f"{'query':44} {'best ms':>9} {'median ms':>10} {'queries':>8}")
    for name, function in cases:
        best, median, queries = timed(function, args.repeat)
        print(f"{name:44} {best * 1000:9.1f} {median * 1000:10.1f} {queries:8d}")

    client = Client()
    for label, url in (("public page /thong-ke/", reverse("dashboards:public")),
                       ("public page /thong-ke/<agency>/", reverse("dashboards:agency", kwargs={"code": busiest.code}))):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        cold = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        warm = []
        for _n in range(max(3, args.repeat)):
            started = time.perf_counter()
            client.get(url)
            warm.append(time.perf_counter() - started)
        print(f"{label + ' cold':44} {cold * 1000:9.1f}")
        print(f"{label + ' cached':44} {min(warm) * 1000:9.1f} {statistics.median(warm) * 1000:10.1f}")

    if args.explain:
        heavy = {
            **{f"{name} (all agencies)": qs for name, qs in reports.grouped_querysets(None, year, now).items()},
            **{f"{name} (agency)": qs for name, qs in reports.grouped_querysets(busiest, year, now).items()},
            "overdue (agency)": reports.overdue_rows(busiest, now)[:50],
            "register (agency, month)": reports.register_dossiers(busiest, register_period),
            "finished step records (agency, quarter)": reports.leaders._finished_records(busiest, quarter_filters)
            .values("step_id").annotate(n=Count("id")),
        }
        for name, queryset in heavy.items():
            print(f"\n--- EXPLAIN {name}")
            print(queryset.explain(analyze=True, buffers=True))


if __name__ == "__main__":
    main()
