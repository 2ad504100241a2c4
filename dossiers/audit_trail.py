"""History reasons as an auditor reads them: "receive" becomes "Tiếp nhận hồ sơ", "fulfil_supplement: paused
0:00:00" becomes "Nhận hồ sơ bổ sung (tạm dừng 0 giờ)".

The services write short machine keys (`services._core._save(ctx, "forward: Thẩm định")`) so the stored history stays
stable whatever the interface language; this module is the one place that turns them into sentences. A reason it
does not know is shown as written.
"""
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import StepRecord

# key -> sentence; "%(detail)s" is what followed "key: " in the stored reason.
SENTENCES = {
    "receive": gettext_lazy("Tiếp nhận hồ sơ"),
    "refuse_at_counter": gettext_lazy("Từ chối tiếp nhận hồ sơ: %(detail)s"),
    "give_guidance": gettext_lazy("Hướng dẫn bổ sung hồ sơ, không tiếp nhận (Mẫu 02): %(detail)s"),
    "open step": gettext_lazy("Bắt đầu bước “%(detail)s”"),
    "assign": gettext_lazy("Phân công xử lý cho %(detail)s"),
    "forward": gettext_lazy("Chuyển hồ sơ sang bước “%(detail)s”"),
    "send_back": gettext_lazy("Trả hồ sơ về bước trước: %(detail)s"),
    "request_supplement": gettext_lazy("Yêu cầu bổ sung hồ sơ: %(detail)s"),
    "fulfil_supplement": gettext_lazy("Nhận hồ sơ bổ sung"),
    "await_payment": gettext_lazy("Thông báo nghĩa vụ tài chính: %(detail)s"),
    "confirm_payment": gettext_lazy("Xác nhận đã thực hiện nghĩa vụ tài chính"),
    "mark_processed": gettext_lazy("Xác nhận hồ sơ đã có kết quả"),
    "return_result": gettext_lazy("Trả kết quả cho công dân"),
    "stop": gettext_lazy("Dừng giải quyết hồ sơ: %(detail)s"),
    "withdraw": gettext_lazy("Công dân rút hồ sơ: %(detail)s"),
    "request_extension": gettext_lazy("Đề nghị gia hạn: %(detail)s"),
    "approve_extension": gettext_lazy("Phê duyệt gia hạn: %(detail)s"),
    "dossier ended before approval": gettext_lazy("Hồ sơ kết thúc trước khi đề nghị gia hạn được phê duyệt"),
    "reject": gettext_lazy("Từ chối giải quyết hồ sơ: %(detail)s"),
    "reject_extension": gettext_lazy("Không chấp thuận gia hạn: %(detail)s"),
    "issue letter": gettext_lazy("Ban hành văn bản Mẫu số %(detail)s"),
    "pause ended": gettext_lazy("Kết thúc tạm dừng"),
    "pause counted at extension approval": gettext_lazy("Tính thời gian tạm dừng khi phê duyệt gia hạn"),
    "opt_out_of_notifications": gettext_lazy("Người nộp ngừng nhận thông báo"),
    "register_result_document": gettext_lazy("Đăng ký văn bản kết quả số %(detail)s"),
    **dict(StepRecord.Outcome.choices),
}
_KEYED = re.compile(r"^(?P<key>[a-z_ ]+?)(?::\s*(?P<detail>.*))?$", re.DOTALL)
# "paused 1 day, 2:30:00" / "paused 0:00:00": str(timedelta) of the working time a pause lasted.
_PAUSED = re.compile(r"^paused (?:(?P<days>\d+) days?, )?(?P<hours>\d+):(?P<minutes>\d\d):\d\d(?:\.\d+)?$")


def _pause_text(match: re.Match) -> str:
    hours = int(match["days"] or 0) * 24 + int(match["hours"])
    minutes = int(match["minutes"])
    if minutes:
        return _("tạm dừng %(hours)d giờ %(minutes)d phút") % {"hours": hours, "minutes": minutes}
    return _("tạm dừng %(hours)d giờ") % {"hours": hours}


def describe(reason: str | None) -> str:
    """The Vietnamese sentence for a stored history reason ("" for none)."""
    text = (reason or "").strip()
    match = _KEYED.match(text)
    if not text or match is None or match["key"] not in SENTENCES:
        return text
    sentence, detail = str(SENTENCES[match["key"]]), (match["detail"] or "").strip()
    paused = _PAUSED.match(detail)
    if paused:
        return f"{sentence} ({_pause_text(paused)})"
    if "%(detail)s" in sentence:
        # A key stored without its detail (a step record's "assign") reads as the sentence's head.
        return sentence % {"detail": detail} if detail else sentence.split("%(detail)s")[0].rstrip(" :“")
    return f"{sentence}: {detail}" if detail else sentence
