"""The audit trail reads as Vietnamese sentences, in Vietnam time, on the dossier page and the admin's history."""
import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers import audit_trail, services
from dossiers.models import Dossier


@pytest.mark.parametrize(("reason", "sentence"), [
    ("receive", "Tiếp nhận hồ sơ"),
    ("fulfil_supplement: paused 0:00:00", "Nhận hồ sơ bổ sung (tạm dừng 0 giờ)"),
    ("confirm_payment: paused 1 day, 2:30:00", "Xác nhận đã thực hiện nghĩa vụ tài chính (tạm dừng 26 giờ 30 phút)"),
    ("forward: Thẩm định hồ sơ", "Chuyển hồ sơ sang bước “Thẩm định hồ sơ”"),
    ("request_supplement: Bản sao sổ đỏ", "Yêu cầu bổ sung hồ sơ: Bản sao sổ đỏ"),
    ("forwarded", "Chuyển bước tiếp theo"),
    ("assign", "Phân công xử lý cho"),
    ("reject: Thửa đất đang tranh chấp", "Từ chối giải quyết hồ sơ: Thửa đất đang tranh chấp"),
    ("reject_extension: Không có căn cứ", "Không chấp thuận gia hạn: Không có căn cứ"),
    ("issue letter: 04", "Ban hành văn bản Mẫu số 04"),
    ("pause ended", "Kết thúc tạm dừng"),
    ("something new: kept", "something new: kept"),
    ("", ""),
    (None, ""),
])
def test_reasons_become_sentences(reason, sentence):
    assert audit_trail.describe(reason) == sentence


def test_the_dossier_page_and_the_admin_history_read_as_sentences(client, admin_client, clerk, build_dossier):
    dossier = build_dossier("in_progress")
    services.withdraw(dossier_id=dossier.pk, actor=clerk.user, reason="Công dân xin rút")
    client.force_login(clerk.user)
    body = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    history = body.split('id="history"')[1]
    assert "Tiếp nhận hồ sơ" in history and "Công dân rút hồ sơ: Công dân xin rút" in history
    assert ">receive<" not in history

    page = admin_client.get(reverse("admin:dossiers_dossier_history", args=[dossier.pk])).content.decode()
    assert "Lý do" in page and "Change reason" not in page
    assert "Công dân rút hồ sơ: Công dân xin rút" in page
    first = Dossier.history.filter(id=dossier.pk).earliest("history_date").history_date
    assert timezone.localtime(first).strftime("%H:%M:%S %d/%m/%Y") in page
    # Withdrawing released the assignee: the change reads "… → —", not "Deleted … (pk=None)".
    assert Dossier.objects.get(pk=dossier.pk).current_assignee is None
    assert "pk=None" not in page and "&rarr; —" in page.replace("→", "&rarr;")
