"""What the citizen's tracking page shows of a dossier, in one place: the page (`public_views`), the kiosk and
the public API (`api`) present exactly this, so no channel shows more. The applicant's name is masked; no phone,
ID number, address or e-mail is ever part of it."""
import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .links import tracking_path
from .masking import mask_name
from .models import Dossier, State

# One sentence per state, in the words a citizen uses.
STATE_EXPLANATIONS = {
    State.RECEIVED: _("Hồ sơ đã được tiếp nhận và đang chờ chuyển sang bước giải quyết."),
    State.IN_PROGRESS: _("Hồ sơ đang được giải quyết."),
    State.SUPPLEMENT_REQUESTED: _(
        "Hồ sơ cần bổ sung giấy tờ. Xem nội dung cần bổ sung bên dưới; thời gian chờ bổ sung không tính vào "
        "thời hạn giải quyết."
    ),
    State.AWAITING_PAYMENT: _(
        "Mời ông/bà thực hiện nghĩa vụ tài chính (phí, lệ phí, thuế) để hồ sơ được tiếp tục giải quyết."
    ),
    State.PROCESSED: _("Đã có kết quả. Mời ông/bà mang giấy hẹn đến bộ phận một cửa để nhận kết quả."),
    State.RETURNED: _("Đã trả kết quả."),
    State.REFUSED: _("Hồ sơ không được tiếp nhận. Lý do được ghi bên dưới."),
    State.REJECTED: _("Hồ sơ không đủ điều kiện giải quyết. Lý do được ghi bên dưới."),
    State.STOPPED: _("Cơ quan đã dừng giải quyết hồ sơ. Lý do được ghi bên dưới."),
    State.WITHDRAWN: _("Hồ sơ đã được rút theo đề nghị của người nộp."),
}


def context(dossier: Dossier, now: datetime.datetime | None = None) -> dict:
    """The tracking page's facts, from `selectors.dossier_by_token`'s prefetch (one query for the citizen's task)."""
    now = now or timezone.now()
    return {
        "dossier": dossier,
        "masked_name": mask_name(dossier.applicant_name, dossier.applicant_type),
        "explanation": STATE_EXPLANATIONS[State(dossier.state)],
        "steps": selectors.public_timeline(dossier, now),
        "task": selectors.citizen_task(dossier),
        "events": list(dossier.events.all()),
        "overdue": dossier.is_open and not dossier.is_paused and dossier.due_at < now,
        "timeliness": dossier.timeliness,
        "show_appointment": dossier.state != State.REFUSED,
        # satisfaction: the rating page lives at /t/<token>/danh-gia/ (links.rating_url), owned by that app.
        "rating_path": tracking_path(dossier.tracking_token) + "danh-gia/" if selectors.is_rateable(dossier) else "",
    }
