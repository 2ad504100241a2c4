"""The printed forms of the one-stop counter, rendered to PDF with WeasyPrint from Django templates.

Legal basis: Thông tư 03/2025/TT-VPCP, Phụ lục I (forms of Nghị định 118/2025/NĐ-CP): Mẫu 01 Giấy tiếp nhận hồ sơ
và hẹn trả kết quả, 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, 03 Phiếu từ chối tiếp nhận hồ sơ, 04 Văn bản xin lỗi
và đề nghị gia hạn thời gian giải quyết, 05 Thông báo dừng giải quyết hồ sơ, 06 Phiếu kiểm soát quá trình giải quyết
hồ sơ (all A5), 07 Sổ theo dõi hồ sơ (A4 landscape). Where the 2025 field lists are not settled, the fields of the
Thông tư 01/2018/TT-VPCP forms are followed. The document's format (header, number, place and date, signature) follows
Nghị định 30/2020/NĐ-CP Điều 8 khoản 1 and its Phụ lục I; docs/ARCHITECTURE.md lists what each form prints.

Speed matters at the counter (a receipt prints while the citizen waits): the @font-face stylesheet is parsed
once per process and reused with its FontConfiguration, fonts come from local files, and nothing is fetched
over the network.
"""
import atexit
import datetime
import functools
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import qrcode
import qrcode.image.svg
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from common.clock import VN
from procedures import calendar
from procedures.formatting import format_duration
from procedures.models import Agency, Official, Procedure

from . import links, register, selectors, signing
from .masking import mask_name
from .models import (
    CounterGuidance,
    Dossier,
    DossierEvent,
    Extension,
    ResultDocument,
    State,
    StepRecord,
    Timeliness,
)

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)
# WeasyPrint logs every rendering step at INFO: noise in a server log that records each printed receipt.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# ARCHITECTURE.md: the tracking URL must fit a small QR (version <= 4 at error correction M).
TRACKING_QR_MAX_VERSION = 4
# (weight, style, static path): DejaVu Serif Condensed covers every Vietnamese letter and fits A5 columns.
FONT_FILES = [
    ("normal", "normal", "fonts/DejaVuSerifCondensed.ttf"),
    ("bold", "normal", "fonts/DejaVuSerifCondensed-Bold.ttf"),
    ("normal", "italic", "fonts/DejaVuSerifCondensed-Italic.ttf"),
]


class FormNotApplicable(Exception):
    """The form does not fit the dossier's state (e.g. Mẫu 05 for a dossier that was not stopped)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Form:
    number: str
    title: str
    template: str

    @property
    def label(self) -> str:
        # Not inside the f-string: xgettext does not look into f-strings, so makemessages would miss it.
        return _("Mẫu số %(number)s") % {"number": self.number}

    @property
    def log_name(self) -> str:
        """What the dossier's internal log says was printed."""
        return f"{self.label} — {self.title}"


FORMS = {
    "01": Form("01", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"), "dossiers/forms/form_01_receipt.html"),
    "02": Form("02", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"), "dossiers/forms/form_02_supplement.html"),
    "03": Form("03", _("Phiếu từ chối tiếp nhận hồ sơ"), "dossiers/forms/form_03_refusal.html"),
    "04": Form("04", _("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"), "dossiers/forms/form_04_apology.html"),
    "05": Form("05", _("Thông báo dừng giải quyết hồ sơ"), "dossiers/forms/form_05_stop.html"),
    "06": Form("06", _("Phiếu kiểm soát quá trình giải quyết hồ sơ"), "dossiers/forms/form_06_control.html"),
    "07": Form("07", _("Sổ theo dõi hồ sơ"), "dossiers/forms/form_07_register.html"),
}
PLACARD_TEMPLATE = "dossiers/forms/placard.html"
RESULT_STAMP_TEMPLATE = "dossiers/forms/result_stamp.html"


# --- who signs a letter -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """The signature block of a letter (Nghị định 30/2020/NĐ-CP, Điều 8 khoản 1 điểm g and Phụ lục I: quyền hạn,
    chức vụ, họ tên và chữ ký của người có thẩm quyền). `lines` is the authority line as printed: the head signs
    under his title ("GIÁM ĐỐC"); a deputy signs for the head: "KT. GIÁM ĐỐC" above "PHÓ GIÁM ĐỐC" (Điều 13:
    ký thay). The agency's seal goes on what its head or a deputy signs (`sealed`)."""

    lines: tuple[str, ...]
    name: str = ""
    sealed: bool = False


def signature(official: Official | None, agency: Agency, *, fallback: str) -> Signature:
    """The block for `official` signing for `agency`, from the official's title and the agency's head title
    (Agency.head_title: "Chủ tịch", "Giám đốc"). Anyone else signs under `fallback` (e.g. the receiving clerk on
    Mẫu 03); with no signer yet (a draft), the head's title is printed over an empty name."""
    head = (agency.head_title or "").strip()
    if official is None:
        return Signature((head.upper(),) if head else (fallback,), sealed=bool(head))
    title = " ".join((official.title or "").split()).casefold()
    if head and title.startswith("phó " + head.casefold()):
        return Signature((_("KT. %(head)s") % {"head": head.upper()}, _("PHÓ %(head)s") % {"head": head.upper()}),
                         official.display_name, sealed=True)
    if head and title.startswith(head.casefold()):
        return Signature((head.upper(),), official.display_name, sealed=True)
    return Signature((fallback,), official.display_name)


def _letter(dossier: Dossier, form: str, extension: Extension | None = None):
    """The issued letter (number, date, signer) of a dossier's Mẫu 03/04/05, or None before it is issued."""
    for letter in dossier.letters.all():
        if letter.form == form and (extension is None or letter.extension_id == extension.pk):
            return letter
    return None


def register_log_name(start: datetime.date, end: datetime.date, fmt: str, procedure: Procedure | None = None) -> str:
    """What the personal-data access log says of a Mẫu 07 register read (the PDF, the register page, its
    exports): the period, the format and the procedure filter."""
    text = _("%(form)s, từ %(first)s đến %(last)s (%(fmt)s)") % {
        "form": FORMS["07"].log_name, "first": f"{start:%d/%m/%Y}", "last": f"{end:%d/%m/%Y}", "fmt": fmt}
    return f"{text}, {procedure.code}" if procedure else text


# --- QR codes ------------------------------------------------------------------------------------------


class RunLengthSvgPathImage(qrcode.image.svg.SvgPathImage):
    """SvgPathImage drawing each horizontal run of dark modules as one rectangle instead of one square per
    module: the same picture with a third of the path commands, which halves WeasyPrint's drawing time."""

    needs_drawrect = False

    def process(self):
        def units(pixels: int) -> str:
            return str(self.units(pixels, text=False))  # plain numbers: the viewBox counts one unit per module

        for row_number, row in enumerate(self.modules):
            top, bottom = (row_number + self.border) * self.box_size, (row_number + self.border + 1) * self.box_size
            column = 0
            while column < len(row):
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                left, right = (start + self.border) * self.box_size, (column + self.border) * self.box_size
                self._subpaths.append(f"M{units(left)},{units(top)}H{units(right)}V{units(bottom)}H{units(left)}z")
        super().process()
        # Two QR codes share a page: the factory's fixed id="qr-path" would be repeated.
        del self.path.attrib["id"]


def qr_code(data: str, *, size_mm: float, max_version: int | None = None) -> tuple[SafeString, int]:
    """An inline SVG QR (error correction M, 4-module quiet zone) drawn `size_mm` wide, and its version.

    Vector paths print crisp on any laser printer and cost no image decoding in the renderer."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, image_factory=RunLengthSvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    if max_version is not None and qr.version > max_version:
        # Still printable, only denser: SITE_URL is too long for the small receipt QR.
        logger.warning("QR for %s needs version %s (> %s); shorten SITE_URL", data, qr.version, max_version)
    svg = qr.make_image().to_string(encoding="unicode")
    svg = re.sub(r'width="[^"]*" height="[^"]*"', f'width="{size_mm}mm" height="{size_mm}mm"', svg, count=1)
    return mark_safe(svg), qr.version  # noqa: S308 - only numbers in a path: the data itself is never in the markup


# --- rendering -----------------------------------------------------------------------------------------


def _font_path(relative: str) -> Path:
    found = finders.find(relative)
    if not found:
        raise FileNotFoundError(f"static/{relative} is missing: the forms need their bundled font")
    return Path(found).resolve()


@functools.cache
def _renderer() -> "tuple[FontConfiguration, CSS, URLFetcher]":
    """The font configuration and the parsed house stylesheet, built once per process (fonts registered once).

    WeasyPrint is imported here, not at module level: a process that never prints skips its heavy import."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    fonts = [{"weight": weight, "style": style, "url": _font_path(path).as_uri()} for weight, style, path in FONT_FILES]
    css_text = render_to_string("dossiers/forms/forms.css", {"fonts": fonts})
    font_config = FontConfiguration()
    return font_config, CSS(string=css_text, font_config=font_config, url_fetcher=fetcher), fetcher


# Drop the font configuration while the interpreter still works: its __del__ removes WeasyPrint's temp font folder.
atexit.register(_renderer.cache_clear)

# Pango's font map behind the shared FontConfiguration is not thread-safe: one render at a time per process.
_render_lock = threading.Lock()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a form template to PDF bytes, always in Vietnamese and in Vietnam time (they are legal documents)."""
    from weasyprint import HTML

    font_config, stylesheet, fetcher = _renderer()
    with translation.override("vi"), timezone.override(VN):
        html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=str(Path(__file__).resolve().parent), url_fetcher=fetcher)
    with _render_lock:
        return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)


# --- Mẫu 01 to 06: one dossier each --------------------------------------------------------------------


def _latest(items, key):
    items = list(items)
    return max(items, key=key) if items else None


# --- which forms a dossier calls for: declared once, read by the dossier page's print links and by each form --------
# Mẫu 03 and 05 are the letters the model's transitions issue (`Dossier.states_issuing`); the others follow what
# happened to the dossier (a request, an extension, a hand-off). Each rule answers why not, or "" when it applies.


def _receipt_refusal(dossier: Dossier) -> str:
    # A dossier refused at the counter was never received: its letter is Mẫu 03.
    if dossier.state == State.REFUSED:
        return _("Hồ sơ đã bị từ chối tiếp nhận: in Mẫu số 03 thay cho giấy tiếp nhận.")
    return ""


def _supplement_refusal(dossier: Dossier) -> str:
    if not dossier.supplement_requests.all():
        return _("Hồ sơ chưa có yêu cầu bổ sung nào: chưa thể in Mẫu số 02.")
    return ""


def _refusal_refusal(dossier: Dossier) -> str:
    if dossier.state not in Dossier.states_issuing("03"):
        return _("Mẫu số 03 chỉ in cho hồ sơ bị từ chối tiếp nhận hoặc từ chối giải quyết.")
    return ""


def _apology_refusal(dossier: Dossier) -> str:
    extension = _latest(dossier.extensions.all(), key=lambda item: (item.requested_at, item.pk))
    if extension is None:
        return _("Hồ sơ chưa có đề nghị gia hạn nào: chưa thể in Mẫu số 04.")
    if extension.status == Extension.Status.REJECTED:
        return _("Lãnh đạo không chấp thuận gia hạn: không in Mẫu số 04.")
    return ""


def _stop_refusal(dossier: Dossier) -> str:
    if dossier.state not in Dossier.states_issuing("05"):
        return _("Mẫu số 05 chỉ in cho hồ sơ đã dừng giải quyết.")
    return ""


def _control_refusal(dossier: Dossier) -> str:
    if not dossier.step_records.all():
        return _("Hồ sơ chưa có bước xử lý nào: chưa thể in Mẫu số 06.")
    return ""


NOT_APPLICABLE = {"01": _receipt_refusal, "02": _supplement_refusal, "03": _refusal_refusal, "04": _apology_refusal,
                  "05": _stop_refusal, "06": _control_refusal}


def applicable_forms(dossier: Dossier) -> list[Form]:
    """Mẫu 01–06 that this dossier calls for, in order (the dossier page lists them; the rest are refused)."""
    return [FORMS[number] for number, why_not in NOT_APPLICABLE.items() if not why_not(dossier)]


def _receipt_context(dossier: Dossier) -> dict:
    tracking_qr, _version = qr_code(links.tracking_url(dossier.tracking_token), size_mm=20,
                                    max_version=TRACKING_QR_MAX_VERSION)
    rating_qr, _version = qr_code(links.rating_url(dossier.tracking_token), size_mm=16)
    return {
        "documents": list(dossier.documents.all()),
        "time_limit": format_duration(dossier.procedure.time_limit, dossier.procedure.time_unit),
        "tracking_url": links.tracking_url(dossier.tracking_token),
        "tracking_qr": tracking_qr,
        "rating_qr": rating_qr,
        "dated": dossier.received_at,
        # Mẫu 01 names the dossier's line in the register (Mẫu 07): "Vào Sổ theo dõi hồ sơ, Quyển số …, Số thứ tự …".
        "register": selectors.register_entry(dossier),
    }


@dataclass(frozen=True)
class SupplementSlip:
    """What Mẫu 02 prints, for a received dossier's supplement request or for a counter guidance given to a
    citizen whose dossier was not received (then there is no address, code, reception time or reply date)."""

    applicant_name: str
    applicant_phone: str
    missing: str
    guide: Official
    applicant_address: str = ""
    received_at: datetime.datetime | None = None
    reply_by: datetime.date | None = None


def _supplement_context(dossier: Dossier) -> dict:
    request = _latest(dossier.supplement_requests.all(), key=lambda item: (item.requested_at, item.pk))
    slip = SupplementSlip(
        applicant_name=dossier.applicant_name, applicant_phone=dossier.applicant_phone, missing=request.missing,
        guide=request.requested_by, applicant_address=dossier.applicant_address, received_at=dossier.received_at,
        reply_by=request.reply_by,
    )
    return {"slip": slip, "dated": request.requested_at}


def _refusal_context(dossier: Dossier) -> dict:
    """Mẫu 03: signed by whoever refused (the receiving clerk at the counter, or the official who refused
    after appraisal, signing for the agency)."""
    letter = _letter(dossier, "03")
    signer = letter.signer if letter else dossier.received_by
    return {"letter": letter, "dated": letter.issued_at if letter else (dossier.closed_at or dossier.received_at),
            "signature": signature(signer, dossier.agency, fallback=_("NGƯỜI TIẾP NHẬN HỒ SƠ"))}


def _apology_context(dossier: Dossier) -> dict:
    extension = _latest(dossier.extensions.all(), key=lambda item: (item.requested_at, item.pk))
    approved = extension.status == Extension.Status.APPROVED
    letter = _letter(dossier, "04", extension)
    return {
        "extension": extension,
        "approved": approved,
        "letter": letter,
        "dated": letter.issued_at if letter else (extension.approved_at or extension.requested_at),
        # A pending request is a draft: the head's title over an empty name until a leader approves and signs.
        "signature": signature(extension.approved_by if approved else None, dossier.agency,
                               fallback=_("LÃNH ĐẠO CƠ QUAN")),
    }


def _stop_context(dossier: Dossier) -> dict:
    letter = _letter(dossier, "05")
    if letter:
        signer = letter.signer
    else:
        event = _latest((e for e in dossier.events.all() if e.kind == DossierEvent.Kind.STOPPED),
                        key=lambda item: (item.at, item.pk))
        signer = event.actor if event else None
    return {"letter": letter, "dated": letter.issued_at if letter else dossier.closed_at,
            "signature": signature(signer, dossier.agency, fallback=_("LÃNH ĐẠO CƠ QUAN"))}


@dataclass(frozen=True)
class ControlRow:
    """One row of Mẫu 06: a hand-off (who gave the dossier, who took it, when; each signs) and how it ended."""

    record: StepRecord
    giver: str
    receiver: str
    result: str


def _control_context(dossier: Dossier) -> dict:
    """Mẫu 06 (Phiếu kiểm soát quá trình giải quyết hồ sơ): one row per hand-off with the spaces where the one who
    gives (người giao) and the one who takes (người nhận) sign. The first row is the reception itself: the
    applicant hands the dossier to the receiving clerk; each later row is the previous holder handing it on."""
    records = sorted(dossier.step_records.all(), key=lambda item: (item.started_at, item.pk))
    labels = dict(Timeliness.choices)
    rows = []
    for index, record in enumerate(records):
        if index == 0:
            giver = dossier.applicant_name
            receiver = (record.assignee or dossier.received_by).display_name
        else:
            giver = record.sender.display_name if record.sender else ""
            receiver = record.assignee.display_name if record.assignee else str(record.step.get_role_display())
        result = labels[record.timeliness] if record.finished_at else _("Đang xử lý")
        rows.append(ControlRow(record, giver, receiver, result))
    return {"rows": rows, "dated": timezone.now()}


# The letters the agency signs and numbers (Số: …/…): refusal, apology, stop.
LETTERS = ("03", "04", "05")

CONTEXT_BUILDERS = {
    "01": _receipt_context,
    "02": _supplement_context,
    "03": _refusal_context,
    "04": _apology_context,
    "05": _stop_context,
    "06": _control_context,
}


def dossier_form_pdf(dossier: Dossier, number: str) -> bytes:
    """Mẫu `number` (01–06) of one dossier; FormNotApplicable when its state does not call for that form.

    `dossier` should come from `selectors.dossier_for_staff`, which prefetches what every form reads."""
    form = FORMS[number]
    why_not = NOT_APPLICABLE[number](dossier)
    if why_not:
        raise FormNotApplicable(why_not)
    context = {"form": form, "dossier": dossier, "agency": dossier.agency, "procedure": dossier.procedure,
               "numbered": number in LETTERS}
    context.update(CONTEXT_BUILDERS[number](dossier))
    return signing.sign_pdf(render_pdf(form.template, context), agency=dossier.agency,
                            document=f"{form.log_name} · {dossier.code}")


def dossier_form_filename(dossier: Dossier, number: str) -> str:
    return f"mau-{number}-{dossier.code}.pdf"


# --- the electronic copy of a result document -------------------------------------------------------------


@dataclass(frozen=True)
class UnnumberedForm(Form):
    """A document of our own, not one of the legal forms: no "Mẫu số" line."""

    @property
    def label(self) -> str:
        return ""


RESULT_COPY = UnnumberedForm("", _("Bản điện tử văn bản kết quả"), "dossiers/forms/result_copy.html")


def result_copy_pdf(document: ResultDocument) -> bytes:
    """The signed electronic copy of a registered result document, with the QR of its verification page."""
    dossier = document.dossier
    url = links.verification_url(document.verification_token)
    qr, _version = qr_code(url, size_mm=27)
    context = {"form": RESULT_COPY, "document": document, "dossier": dossier, "agency": dossier.agency,
               "procedure": dossier.procedure, "masked_name": mask_name(dossier.applicant_name, dossier.applicant_type),
               "verification_url": url, "verification_qr": qr, "dated": document.registered_at}
    return signing.sign_pdf(render_pdf(RESULT_COPY.template, context), agency=dossier.agency,
                            document=f"{RESULT_COPY.title} {document.number} · {dossier.code}")


# --- Mẫu 02 given at the counter, without a dossier --------------------------------------------------


def guidance_pdf(guidance: CounterGuidance) -> bytes:
    """Mẫu 02 for a dossier that was not received: the same form as a received dossier's supplement request,
    with no dossier code and no QR (nothing can be tracked). `guidance` comes from
    `selectors.counter_guidance_for_staff`."""
    slip = SupplementSlip(applicant_name=guidance.applicant_name, applicant_phone=guidance.applicant_phone,
                          missing=guidance.missing, guide=guidance.official)
    context = {"form": FORMS["02"], "agency": guidance.agency, "procedure": guidance.procedure, "slip": slip,
               "dated": guidance.given_at}
    return signing.sign_pdf(render_pdf(FORMS["02"].template, context), agency=guidance.agency,
                            document=f"{FORMS['02'].log_name} · {guidance_filename(guidance)}")


def guidance_filename(guidance: CounterGuidance) -> str:
    return f"mau-02-huong-dan-{guidance.pk}.pdf"


# --- Mẫu 07: the register ------------------------------------------------------------------------------


def register_pdf(*, agency: Agency, start: datetime.date, end: datetime.date, dossiers,
                 procedure: Procedure | None = None) -> bytes:
    """Sổ theo dõi hồ sơ (Mẫu 07) of the dossiers an agency received from `start` to `end` (inclusive), with the
    columns of `dossiers.register` (the same as the Excel/CSV export) and each line's number in its book."""
    entries = selectors.register_entries(agency_id=agency.pk, start=calendar.start_of_day(start),
                                         end=calendar.start_of_day(end + datetime.timedelta(days=1)))
    rows = [list(zip(register.COLUMNS, row, strict=True)) for row in register.rows(dossiers, entries)]
    books = sorted({entry.book for entry in entries.values()})
    context = {"form": FORMS["07"], "agency": agency, "start": start, "end": end, "procedure": procedure,
               "columns": register.COLUMNS, "rows": rows, "books": books, "dated": timezone.now(),
               "issuer_chars": 60, "title_chars": 90}  # A4 landscape: wider header columns
    return render_pdf(FORMS["07"].template, context)


def register_filename(agency: Agency, start: datetime.date, end: datetime.date) -> str:
    return f"so-theo-doi-{agency.code}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"


# --- the official's placard (A6) -----------------------------------------------------------------------


def placard_pdf(official: Official) -> bytes:
    """A desk placard: who serves here, and a QR to rate them without a dossier."""
    url = links.official_rating_url(official.pk)
    qr, _version = qr_code(url, size_mm=58)
    return render_pdf(PLACARD_TEMPLATE, {"official": official, "agency": official.agency, "rating_url": url, "qr": qr})


# --- the result document's verification stamp ---------------------------------------------------------


def result_stamp_pdf(document: ResultDocument) -> bytes:
    """A label to attach to the issued result: its number and date, and the QR of its public verification page."""
    url = links.verification_url(document.verification_token)
    qr, _version = qr_code(url, size_mm=30)
    return render_pdf(RESULT_STAMP_TEMPLATE, {"document": document, "dossier": document.dossier,
                                              "agency": document.dossier.agency, "verification_url": url, "qr": qr})


def result_stamp_filename(document: ResultDocument) -> str:
    return f"tem-xac-thuc-{document.dossier.code}-{document.pk}.pdf"
