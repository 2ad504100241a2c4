"""The Locust load test of bench/locustfile.py on this machine, as production runs: gunicorn behind Debian's nginx
with TLS, on PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> REDIS_URL=redis://127.0.0.1:6379/<n> \\
        .venv/bin/python bench/run_load.py [--users 300] [--spawn-rate 10] [--run-time 10m] [--workers 2] \\
        [--locust /tmp/locust/bin/locust]

The database holds the data to load (`manage.py seed_demo`; bench/seed_city.py's officials need
MOTCUA_PASSWORD=bench-password-2025 and its leaders have no authenticator yet). Locust lives in its own virtualenv (bench/locustfile.py says how). The script collects the static
files, makes a throw-away certificate (the session and CSRF cookies are Secure in production, so the load goes over
HTTPS as a browser's does), starts gunicorn (`--workers`, sync, DEBUG=0) and nginx with deploy/nginx's proxy
settings, hands Locust the tracking tokens of the most recent dossiers (citizens follow their recent dossiers), the
counter clerks and the leaders with their authenticator keys, and prints for every request type the number of
requests, failures and the median and 95th percentile in milliseconds. It exits non-zero on any failure.
Celery tasks run in the web process (CELERY_TASK_ALWAYS_EAGER): their cost is counted in the requests.
"""
import argparse
import base64
import csv
import os
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tracking import Gunicorn, free_port, server_env  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"
TOKENS = 50_000  # the most recent dossiers' tokens; at 10 M dossiers, every one is a needle in the table


def load_parameters(workdir: Path) -> dict:
    """Tokens, clerks and leaders (with their authenticator keys) from the database, as Locust's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dossiers.models import Dossier
    from procedures.models import Official
    from procedures.roles import GROUP_NAMES, Role

    tokens = list(Dossier.objects.order_by("-received_at").values_list("tracking_token", flat=True)[:TOKENS])
    (workdir / "tokens.txt").write_text("\n".join(tokens) + "\n")
    busiest = (Dossier.objects.order_by().values("agency_id").annotate(n=django.db.models.Count("id"))
               .order_by("-n").values_list("agency_id", flat=True)[:3])
    clerks = list(Official.objects.filter(agency_id__in=list(busiest), is_active=True,
                                          user__groups__name=GROUP_NAMES[Role.RECEPTION])
                  .values_list("user__username", flat=True).distinct()[:12])
    leaders = []
    for official in Official.objects.filter(agency_id__in=list(busiest), is_active=True,
                                            user__groups__name=GROUP_NAMES[Role.LEADER]).select_related("user")[:6]:
        device = TOTPDevice.objects.filter(user=official.user, confirmed=True).first()
        secret = base64.b32encode(device.bin_key).decode().rstrip("=") if device else ""
        leaders.append(f"{official.user.username}:{secret}")
    print(f"{len(tokens)} tokens, clerks {', '.join(clerks)}, leaders "
          f"{', '.join(leader.split(':')[0] for leader in leaders)}")
    return {"MOTCUA_TOKENS": str(workdir / "tokens.txt"), "MOTCUA_CLERKS": ",".join(clerks),
            "MOTCUA_LEADERS": ",".join(leaders), "MOTCUA_VERIFY_TLS": "0",
            # The throw-away certificate is not verified, on purpose: one warning per request would drown the report.
            "PYTHONWARNINGS": "ignore:Unverified HTTPS request"}


def start_nginx(workdir: Path, upstream_port: int, port: int) -> subprocess.Popen:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
                   check=True, capture_output=True)
    temp_paths = "\n".join(f"    {kind}_temp_path {workdir}/{kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (workdir / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp_paths}
    upstream mot_cua {{ server 127.0.0.1:{upstream_port}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {workdir}/cert.pem;
        ssl_certificate_key {workdir}/key.pem;
        client_max_body_size 20m;
        location / {{
            include {ROOT}/deploy/nginx/mot-cua-proxy.conf;
            proxy_pass http://mot_cua;
        }}
    }}
}}
""")
    return subprocess.Popen([NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_tls(port: int, process: subprocess.Popen) -> None:
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"https://127.0.0.1:{port}/livez", context=insecure, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("run_load: nginx did not answer")
        time.sleep(0.2)


def report(prefix: Path) -> int:
    """The per-request-type table from Locust's CSV; the number of failed requests."""
    failures = 0
    print(f"{'request':40} {'count':>8} {'failed':>7} {'median ms':>10} {'p95 ms':>8}")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label = f"{row['Type']} {row['Name']}" if row["Name"] != "Aggregated" else "all requests"
            print(f"{label[:40]:40} {row['Request Count']:>8} {row['Failure Count']:>7} "
                  f"{float(row['Median Response Time']):>10.0f} {row['95%']:>8}")
            if row["Name"] != "Aggregated":
                failures += int(row["Failure Count"])
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="10m")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--locust", default="/tmp/locust/bin/locust")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("run_load: set DATABASE_URL (PostgreSQL) and REDIS_URL, as production runs")
    if not shutil.which(args.locust):
        raise SystemExit(f"run_load: Locust not found at {args.locust} (bench/locustfile.py says how to install)")
    workdir = Path(tempfile.mkdtemp(prefix="motcua-load-"))
    locust_env = load_parameters(workdir)
    port = free_port()
    env = server_env({"SECRET_KEY": secrets.token_urlsafe(40), "RATELIMIT_TRUSTED_PROXIES": "1",
                      "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}"})
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    server = Gunicorn(args.workers, env)
    proxy = start_nginx(workdir, server.port, port)
    try:
        wait_for_tls(port, proxy)
        prefix = workdir / "locust"
        subprocess.run([args.locust, "-f", str(ROOT / "bench/locustfile.py"), "--host", f"https://127.0.0.1:{port}",
                        "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
                        "--run-time", args.run_time, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                       env={**os.environ, **locust_env}, cwd=ROOT, check=False)
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)
        server.stop()
    failures = report(prefix)
    print(f"gunicorn {args.workers} workers, {args.users} users, {args.run_time}: {failures} failed requests "
          f"(goal 0); Locust's files in {workdir}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
