"""Demo ratings and feedback for `seed_demo`, made through the services (so attributions, limits, codes and
history are what production would write). Idempotent: agencies that already have ratings are skipped.

Call `seed_satisfaction()` after the demo dossiers exist."""
import datetime
import random

from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Agency, Official
from procedures.roles import GROUP_NAMES, Role

from . import selectors, services
from .errors import SatisfactionError
from .models import Level, Rating

LEVELS = [Level.VERY_SATISFIED] * 10 + [Level.SATISFIED] * 7 + [Level.DISSATISFIED] * 3
COMMENTS = ["", "", "Cán bộ hướng dẫn tận tình.", "Phải chờ hơi lâu.", "Thủ tục nhanh gọn."]


def _dossiers_to_rate(agency: Agency):
    rated = Rating.objects.filter(dossier__isnull=False).values("dossier_id")
    return selectors.dossier_selectors.rateable_dossiers(agency).exclude(pk__in=rated)


def seed_satisfaction(stdout=None, *, seed: int = 2026) -> int:
    now = timezone.now()
    created = 0
    for agency in Agency.objects.order_by("code"):
        if Rating.objects.filter(agency=agency).exists():
            continue
        rng = random.Random(f"{seed}-{agency.code}")
        for dossier in _dossiers_to_rate(agency):
            if rng.random() < 0.2:  # not everyone rates
                continue
            level = rng.choice(LEVELS)
            when = min((dossier.closed_at or now) + datetime.timedelta(hours=rng.randint(1, 48)), now)
            answers = services.Answers(overall=level, timeliness=rng.choice(LEVELS), attitude=level,
                                       guidance=rng.choice(LEVELS), extra_visits=rng.choice([0, 0, 0, 1, 2]),
                                       comment=rng.choice(COMMENTS))
            services.rate_dossier(token=dossier.tracking_token, answers=answers, now=when)
            created += 1
        officials = list(Official.objects.filter(agency=agency, is_active=True).order_by("pk"))
        for official in officials:
            for phone in range(3):
                level = rng.choice(LEVELS)
                services.rate_official(official_id=official.pk, device_id=f"demo-{phone}", now=now - datetime.timedelta(
                    days=rng.randint(0, 20)), answers=services.Answers(overall=level, attitude=level))
                created += 1
        _seed_feedback(agency, officials, rng, now)
    if stdout is not None:
        stdout.write(_("Đánh giá trình diễn đã tạo: %(count)d") % {"count": created})
    return created


def _seed_feedback(agency: Agency, officials: list[Official], rng: random.Random, now: datetime.datetime) -> None:
    leader = next((o for o in officials if o.user.groups.filter(name=GROUP_NAMES[Role.LEADER]).exists()), None)
    others = [o for o in officials if o != leader]
    if not others:
        return
    about = others[0]
    services.create_feedback(data=services.FeedbackInput(
        subject="official", kind="harassment", official_ids=[about.pk],
        content="Cán bộ yêu cầu nộp thêm giấy tờ không có trong danh mục."), now=now - datetime.timedelta(days=2))
    answered = services.create_feedback(data=services.FeedbackInput(
        subject="procedure", kind="wrong_guidance", agency_id=agency.pk,
        content="Thông tin niêm yết về lệ phí chưa rõ."), now=now - datetime.timedelta(days=9))
    if leader is None:
        return
    try:
        services.triage(feedback_id=answered.pk, actor=leader.user, now=now - datetime.timedelta(days=8))
        services.assign(feedback_id=answered.pk, actor=leader.user, assignee_id=about.pk)
        services.answer(feedback_id=answered.pk, actor=leader.user, upheld=True, now=now - datetime.timedelta(days=6),
                        public_answer="Cơ quan đã cập nhật bảng niêm yết lệ phí. Cảm ơn ông/bà đã góp ý.")
    except SatisfactionError:
        pass
