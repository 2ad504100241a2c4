"""Load test of a city's day: citizens scanning receipts, counter clerks receiving and acting, leaders on the dashboard.

Locust is not a dependency of the project (nor of CI); install it in a separate virtualenv on the load machine:

    python3 -m venv /tmp/locust && /tmp/locust/bin/pip install locust
    .venv/bin/python manage.py shell -c "from dossiers.models import Dossier; \\
        print('\\n'.join(Dossier.objects.values_list('tracking_token', flat=True)))" > /tmp/tokens.txt
    MOTCUA_TOKENS=/tmp/tokens.txt MOTCUA_LEADERS=lanhdao:<the secret seed_demo printed> \\
        /tmp/locust/bin/locust -f bench/locustfile.py --host https://mot-cua.example.gov.vn \\
        --headless --users 300 --spawn-rate 10 --run-time 10m --csv /tmp/motcua

against gunicorn on PostgreSQL and Redis (deploy/README.md), loaded with `seed_demo` or bench/seed_city.py (whose
officials sign in with `bench-password-2025`: set MOTCUA_PASSWORD; its leaders have no authenticator yet). The proportions (user classes' `weight`) follow the shape of a one-stop
office: for each clerk at a counter, several citizens check their dossier by QR during the day; a few leaders
open the dashboard. Every answer other than the expected one is a failure in Locust's report; the goal is 0.

Settings (environment): MOTCUA_TOKENS (file of tracking tokens, one a line; required), MOTCUA_PASSWORD (default the
demo's), MOTCUA_CLERKS (comma-separated usernames, default the demo's three counter clerks), MOTCUA_LEADERS
(comma-separated `username:secret` pairs, the secret being the leader's authenticator key in base32: leaders sign in
with two factors; default `lanhdao` without a key) and MOTCUA_VERIFY_TLS (0 for a test certificate).

bench/run_load.py does all of this on one machine: gunicorn behind Debian's nginx with a throw-away certificate
(the session and CSRF cookies are Secure in production, so the load goes over HTTPS as a browser's would).
"""
import base64
import hmac
import itertools
import os
import random
import re
import struct
import time
from html.parser import HTMLParser

from locust import HttpUser, between, task

PASSWORD = os.environ.get("MOTCUA_PASSWORD", "MotCua@2026")
CLERKS = itertools.cycle(os.environ.get("MOTCUA_CLERKS", "tiepnhan,tiepnhan.so,tiepnhan.ca").split(","))
LEADERS = itertools.cycle(
    tuple(pair.partition(":")[::2]) for pair in os.environ.get("MOTCUA_LEADERS", "lanhdao").split(",")
)
VERIFY_TLS = os.environ.get("MOTCUA_VERIFY_TLS", "1") != "0"
TWO_FACTOR_PATH = "/accounts/hai-buoc/xac-thuc/"
DOSSIER_LINK = re.compile(r'href="/ho-so/(\d+)/"')
ACTION_PATH = re.compile(r"^/ho-so/\d+/thao-tac/([a-z_-]+)/$")
# What a clerk does with a dossier from the worklist, when the page offers it (no destructive endings).
CLERK_ACTIONS = ("forward", "assign", "mark_processed", "return_result", "fulfil_supplement", "confirm_payment")


def _tokens() -> list[str]:
    path = os.environ.get("MOTCUA_TOKENS", "")
    if not path:
        raise SystemExit("locustfile: set MOTCUA_TOKENS to a file of tracking tokens (see the docstring)")
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


TOKENS = _tokens()


class Forms(HTMLParser):
    """Every <form> of a page: its action and the values a browser would send by default."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self.options: dict[str, list[str]] = {}  # every choice of each <select>, by name
        self._select = None
        self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
        elif not self.forms:
            return
        fields = self.forms[-1][1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            self.options.setdefault(self._select, []).append(attrs.get("value", ""))
            if self._select not in fields or "selected" in attrs:
                fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] += data

    def with_field(self, name: str) -> tuple[str, dict] | None:
        return next((form for form in self.forms if name in form[1]), None)


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as the authenticator apps compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Visitor(HttpUser):
    abstract = True

    def on_start(self):
        self.client.verify = VERIFY_TLS
        # Django checks the Referer of an HTTPS POST against the site, as a browser sends it.
        self.client.headers["Referer"] = self.host.rstrip("/") + "/"


def _offered(html: str) -> list:
    """The actions a dossier page offers, each with the step its form says it acts on."""
    return sorted(
        (action, tuple(value for key, value in fields.items() if key.endswith("expected_step")))
        for action, fields in Forms(html).forms if ACTION_PATH.match(action)
    )


class StaffUser(Visitor):
    abstract = True

    def sign_in(self, username: str) -> None:
        page = self.client.get("/accounts/login/", name="sign-in page")
        fields = Forms(page.text).with_field("username")[1]
        fields.update(username=username, password=PASSWORD)
        self.client.post("/accounts/login/", data=fields, name="sign in")


class Citizen(Visitor):
    """Scans the QR on the receipt: the tracking page, now and then the public statistics."""

    weight = 85
    wait_time = between(2, 10)

    @task(20)
    def track(self):
        self.client.get(f"/t/{random.choice(TOKENS)}/", name="/t/[token]/")

    @task(1)
    def statistics(self):
        self.client.get("/thong-ke/", name="/thong-ke/")


class Clerk(StaffUser):
    """At the counter: receives a citizen's dossier, then moves dossiers of the worklist on."""

    weight = 12
    wait_time = between(5, 20)

    def on_start(self):
        super().on_start()
        self.sign_in(next(CLERKS))

    @task(2)
    def receive(self):
        picker = self.client.get("/ho-so/tiep-nhan/", name="/ho-so/tiep-nhan/")
        procedures = [value for value in Forms(picker.text).options.get("procedure", []) if value]
        if not procedures:
            return
        page = self.client.get(f"/ho-so/tiep-nhan/?procedure={random.choice(procedures)}",
                               name="/ho-so/tiep-nhan/?procedure=[id]")
        found = Forms(page.text).with_field("applicant_name")
        if found is None:
            return
        _action, fields = found
        for key in [key for key in fields if key.startswith("docs-") and key.endswith("-required_document_id")]:
            if fields[key]:  # every listed document brought, as originals (the blank extra rows stay blank)
                fields[key.replace("-required_document_id", "-originals")] = "1"
        fields.update(
            applicant_name=f"Nguyễn Văn Thử {random.randint(1, 99999)}",
            applicant_id_number=f"079{random.randint(0, 999999999):09d}",
            applicant_phone=f"09{random.randint(0, 99999999):08d}",
            applicant_email=f"thu{random.randint(1, 99999)}@example.vn",
            applicant_address="12 Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
            stage="check",
        )
        checked = self.client.post("/ho-so/tiep-nhan/", data=fields, name="receive: check")
        confirm = Forms(checked.text).with_field("applicant_name")
        if confirm is None:
            return
        _action, fields = confirm
        fields["stage"] = "confirm"
        with self.client.post("/ho-so/tiep-nhan/", data=fields, name="receive: confirm", allow_redirects=False,
                              catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"reception refused: {answer.status_code}")

    @task(5)
    def act(self):
        worklist = self.client.get("/ho-so/", name="/ho-so/")
        dossiers = DOSSIER_LINK.findall(worklist.text)
        if not dossiers:
            return
        page = self.client.get(f"/ho-so/{random.choice(dossiers)}/", name="/ho-so/[id]/")
        offered = {}
        for action, fields in Forms(page.text).forms:
            match = ACTION_PATH.match(action)
            if match:
                offered[match.group(1)] = (action, fields)
        for name in CLERK_ACTIONS:
            if name in offered:
                action, fields = offered[name]
                fields.setdefault(f"{name}-confirm", "on")
                with self.client.post(action, data=fields, name=f"act: {name}", allow_redirects=False,
                                      catch_response=True) as answer:
                    if answer.status_code == 302:
                        answer.success()
                    elif answer.status_code == 400 and self.moved_meanwhile(page.url, page.text):
                        # Another clerk acted on the same dossier between our read and our post: the page refused
                        # the stale screen with its message, which is the right answer, not a fault.
                        answer.success()
                    else:
                        answer.failure(f"{name}: {answer.status_code}")
                return

    def moved_meanwhile(self, url: str, seen: str) -> bool:
        """Whether the dossier page now offers other actions or another step than the one we acted on."""
        now = self.client.get(url, name="/ho-so/[id]/ (after a refusal)")
        return _offered(now.text) != _offered(seen)


class Leader(StaffUser):
    """A leader: the dashboard, its overdue list and the register, a few times an hour."""

    weight = 3
    wait_time = between(20, 60)

    def on_start(self):
        super().on_start()
        username, secret = next(LEADERS)
        self.sign_in(username)
        if secret:
            self.second_factor(secret)

    def second_factor(self, secret: str) -> None:
        """A code is accepted once per 30-second step and account (django-otp refuses a replay), so a leader who
        signs in right after another one on the same account waits for the next code, as a person would."""
        for _attempt in range(4):
            page = self.client.get(TWO_FACTOR_PATH, name="two-factor page")
            found = Forms(page.text).with_field("token")
            if found is None:
                return
            action, fields = found
            fields["token"] = totp(secret)
            with self.client.post(action or TWO_FACTOR_PATH, data=fields, name="two-factor", allow_redirects=False,
                                  catch_response=True) as answer:
                if answer.status_code == 302:
                    return
                if answer.status_code != 400:
                    answer.failure(f"two-factor: {answer.status_code}")
                    return
                answer.success()  # the code of this step was just used on this account: refused, as it should be
            time.sleep(30 - time.time() % 30 + 1)

    @task(5)
    def dashboard(self):
        self.client.get("/thong-ke/lanh-dao/", name="/thong-ke/lanh-dao/")

    @task(1)
    def register(self):
        self.client.get("/thong-ke/so-theo-doi/", name="/thong-ke/so-theo-doi/")
