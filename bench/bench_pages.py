"""Server time of the pages people wait for, on the bench data set (bench/seed_city.py), and print a table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m .venv/bin/python bench/bench_pages.py [--runs 10]

Each page is requested `--runs` times through Django's test client (in process: no network, no server), logged
in as an official of the busiest agency, and the median and worst wall time of the request are printed with the
number of SQL queries of one request:

- the worklist of the busiest clerk (the reception official holding most open dossiers), default tab;
- the worklist of the busiest specialist, tab "all";
- the leader dashboard over one quarter (the last three months to today);
- the public statistics of all agencies, uncached (the cache is cleared before each request);
- the dossier page of a random dossier of the agency (a new one each run), as its leader;
- the public tracking page of a random dossier (a new one each run, cache cleared).

bench/bench_reports.py times the report queries one by one; this script times whole pages.
"""
import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from dossiers.models import OPEN_STATES, Dossier  # noqa: E402
from procedures.models import Official  # noqa: E402
from procedures.roles import GROUP_NAMES, Role  # noqa: E402


def busiest(agency_id: int, role: str) -> Official:
    """The official of `role` in the agency holding most open dossiers (the first of the role when none holds any)."""
    officials = Official.objects.filter(agency_id=agency_id, user__groups__name=GROUP_NAMES[role]).select_related("user")
    counts = dict(Dossier.objects.filter(agency_id=agency_id, state__in=OPEN_STATES, current_assignee__in=officials)
                  .values_list("current_assignee").annotate(n=Count("id")).values_list("current_assignee", "n"))
    return max(officials, key=lambda official: (counts.get(official.pk, 0), -official.pk))


def measure(client: Client, urls, before=None) -> tuple[float, float, int]:
    """Median and worst seconds over the urls (one request each), and the query count of the first."""
    times = []
    queries = 0
    for n, url in enumerate(urls):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        if n == 0:
            queries = len(captured)
    return statistics.median(times), max(times), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench_pages: run it on the PostgreSQL bench database (DATABASE_URL)", file=sys.stderr)
        sys.exit(2)
    rng = random.Random(args.seed)
    total = Dossier.objects.count()
    top = Dossier.objects.values("agency").annotate(n=Count("id")).order_by("-n")[0]
    agency_id = top["agency"]
    clerk, specialist, leader = (busiest(agency_id, role) for role in (Role.RECEPTION, Role.SPECIALIST, Role.LEADER))
    # Random dossiers by id: ids are dense (the seed numbers them), so a random id is one indexed read.
    last_id = Dossier.objects.order_by("-id").values_list("id", flat=True).first()
    picked = []
    while len(picked) < args.runs:
        row = (Dossier.objects.filter(agency_id=agency_id, id__gte=rng.randrange(1, last_id + 1))
               .order_by("id").values_list("id", "tracking_token").first())
        if row is not None:
            picked.append(row)
    today = timezone.localdate()
    quarter_first = (today.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    dashboard = f"{reverse('dashboards:leader')}?date_from={quarter_first:%d/%m/%Y}&date_to={today:%d/%m/%Y}"
    worklist = reverse("dossiers:worklist")

    def as_user(official: Official) -> Client:
        client = Client()
        client.force_login(official.user)
        return client

    runs = args.runs
    cases = [
        ("worklist, busiest clerk, default tab", as_user(clerk), [worklist] * runs, None),
        ("worklist, busiest specialist, tab all", as_user(specialist), [f"{worklist}?tab=all"] * runs, None),
        ("leader dashboard, one quarter", as_user(leader), [dashboard] * runs, None),
        ("public statistics, uncached", Client(), [reverse("dashboards:public")] * runs, cache.clear),
        ("dossier page, random dossier (leader)", as_user(leader),
         [reverse("dossiers:detail", kwargs={"pk": pk}) for pk, _token in picked], None),
        ("tracking page, random dossier, uncached", Client(),
         [reverse("tracking:track", kwargs={"token": token}) for _pk, token in picked], cache.clear),
    ]
    agency_total = top["n"]
    print(f"bench_pages: {total:,} dossiers; busiest agency id {agency_id} with {agency_total:,}; "
          f"clerk {clerk.display_name}, specialist {specialist.display_name}, leader {leader.display_name}; "
          f"{runs} runs each")
    print(f"{'page':44} {'median ms':>10} {'worst ms':>9} {'queries':>8}")
    for name, client, urls, before in cases:
        client.get(urls[0])  # warm the connection, templates and the session once
        median, worst, queries = measure(client, urls, before)
        print(f"{name:44} {median * 1000:10.1f} {worst * 1000:9.1f} {queries:8d}")


if __name__ == "__main__":
    main()
