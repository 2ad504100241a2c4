"""Throughput of the public tracking page against a trivial view, under gunicorn with production-like settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> REDIS_URL=redis://127.0.0.1:6379/<n> \\
        .venv/bin/python bench/bench_tracking.py [--seconds 10] [--rounds 2] [--clients 4] [--workers 2] \
        [--tokens 5000]

The database holds the dossiers to track (`manage.py seed_demo`, or bench/seed_city.py). The script collects the
static files, starts gunicorn (`--workers`, sync) on a free loopback port with DEBUG=0 and the given PostgreSQL and
Redis, and drives it from `--clients` processes that each open a connection per request (gunicorn's sync workers
close it anyway) and read the whole answer. It measures, in alternating rounds of `--seconds` so that both see the
same machine load:

- `/livez`, a view that returns "ok" behind the same middleware (sessions, CSRF, CSP, locale, messages, axes…);
- `/t/<token>/` for a token drawn at random for each request from a random sample of `--tokens` dossiers (every
  dossier at the demo size; at city size the sample keeps the warm-up pass short), after one warm-up pass.

Then it restarts gunicorn with TRACKING_PAGE_CACHE_SECONDS=0 and measures the tracking page rendered on every
request, for comparison. It prints requests per second, the ratio tracking / trivial (goal ≥ 0.5) and any answer
that was not 200. The load generator shares the machine with the server: run it on an otherwise quiet machine.
"""
import argparse
import multiprocessing
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL = 0.5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str) -> int:
    """One GET over a fresh connection; the status code (0 when the connection failed)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            first = conn.recv(65536)
            while conn.recv(65536):
                pass
    except OSError:
        return 0
    try:
        return int(first.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def _client(port: int, paths: list[str], seconds: float, seed: int, results) -> None:
    chooser = random.Random(seed)
    done, failed = 0, {}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        status = fetch(port, chooser.choice(paths))
        if status == 200:
            done += 1
        else:
            failed[status] = failed.get(status, 0) + 1
    results.put((done, failed))


def load(port: int, paths: list[str], seconds: float, clients: int) -> tuple[float, dict]:
    """Requests per second answered 200 by `clients` processes over `seconds`, and the other answers."""
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_client, args=(port, paths, seconds, index, results))
               for index in range(clients)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    outcomes = [results.get() for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    failed = {}
    for _done, errors in outcomes:
        for status, count in errors.items():
            failed[status] = failed.get(status, 0) + count
    return sum(done for done, _errors in outcomes) / elapsed, failed


def server_env(extra: dict) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    env.update(extra)
    return env


class Gunicorn:
    def __init__(self, workers: int, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while fetch(self.port, "/livez") != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("bench_tracking: gunicorn did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # only the server this script started
            self.process.wait(timeout=30)


def tokens(sample: int) -> list[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection

    from dossiers.models import Dossier

    if connection.vendor != "postgresql":
        raise SystemExit("bench_tracking: set DATABASE_URL to a PostgreSQL database holding dossiers")
    found = list(Dossier.objects.order_by("?").values_list("tracking_token", flat=True)[:sample])
    connection.close()
    if not found:
        raise SystemExit("bench_tracking: no dossiers (run manage.py seed_demo first)")
    return found


def dossier_count() -> int:
    from dossiers.models import Dossier

    return Dossier.objects.count()


def report_failures(label: str, failed: dict) -> None:
    if failed:
        print(f"  {label}: answers other than 200: {failed}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=5000)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("bench_tracking: set REDIS_URL (the production cache)")
    paths = [f"/t/{token}/" for token in tokens(args.tokens)]
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env=server_env({}), check=True)
    print(f"{len(paths)} dossiers of {dossier_count()}; gunicorn {args.workers} workers; {args.clients} client processes; "
          f"{args.rounds} rounds of {args.seconds:g} s each")

    server = Gunicorn(args.workers, server_env({}))
    try:
        for path in paths:  # warm-up: every page rendered once (and every worker's connections opened)
            fetch(server.port, path)
        trivial, tracking = [], []
        for _round in range(args.rounds):
            rate, failed = load(server.port, ["/livez"], args.seconds, args.clients)
            trivial.append(rate)
            report_failures("/livez", failed)
            rate, failed = load(server.port, paths, args.seconds, args.clients)
            tracking.append(rate)
            report_failures("/t/<token>/", failed)
    finally:
        server.stop()

    server = Gunicorn(args.workers, server_env({"TRACKING_PAGE_CACHE_SECONDS": "0"}))
    try:
        uncached, failed = load(server.port, paths, args.seconds, args.clients)
        report_failures("/t/<token>/ uncached", failed)
    finally:
        server.stop()

    trivial_rate, tracking_rate = statistics.median(trivial), statistics.median(tracking)
    print(f"trivial view /livez:                {trivial_rate:8.0f} req/s  (rounds: "
          f"{', '.join(f'{rate:.0f}' for rate in trivial)})")
    print(f"tracking page, cached:              {tracking_rate:8.0f} req/s  (rounds: "
          f"{', '.join(f'{rate:.0f}' for rate in tracking)})")
    print(f"tracking page, rendered every time: {uncached:8.0f} req/s")
    ratio = tracking_rate / trivial_rate
    print(f"ratio tracking / trivial: {ratio:.2f}x (goal >= {GOAL}x); uncached {uncached / trivial_rate:.2f}x")
    sys.exit(0 if ratio >= GOAL else 1)


if __name__ == "__main__":
    main()
