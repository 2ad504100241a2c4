"""Forms of the citizen's pages: lookup by code and 4 digits, the kiosk's scanner field, result verification."""
import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from procedures.inputs import ascii_digits, is_ascii_number

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,32}")
# <agency code>-<yymmdd>-<NNNN> (Thông tư 01/2018/TT-VPCP Điều 19); agency codes are upper case.
CODE_RE = re.compile(r"[0-9A-Z.]+-\d{6}-\d{4}", re.ASCII)
TRACKING_PATH_RE = re.compile(r"/t/([A-Za-z0-9_-]{8,32})/?")
VERIFICATION_PATH_RE = re.compile(r"/xac-thuc/([A-Za-z0-9_-]{8,32})/?")


def _token_from(value: str, path_re: re.Pattern) -> str | None:
    """A token typed bare, or read from a full URL (what a QR scanner types), or from a path."""
    value = value.strip()
    if "/" in value:
        match = path_re.fullmatch(urlsplit(value).path)
        return match.group(1) if match else None
    return value if TOKEN_RE.fullmatch(value) else None


def parse_scan(value: str) -> tuple[str, str] | None:
    """What a kiosk's scanner or keyboard produced: ("token", …) for a QR URL or a bare token, ("code", …) for a
    dossier code, None for anything else. Codes are checked first: a token never contains a dot, a code is longer."""
    value = (value or "").strip()
    if CODE_RE.fullmatch(value.upper()):
        return ("code", value.upper())
    token = _token_from(value, TRACKING_PATH_RE)
    return ("token", token) if token else None


class LookupForm(forms.Form):
    """Dossier code plus the last 4 digits of the applicant's phone or ID number: a code alone shows nothing."""

    code = forms.CharField(
        label=_("Mã hồ sơ"), max_length=64,
        help_text=_("In trên giấy tiếp nhận hồ sơ và hẹn trả kết quả, ví dụ 000.00.06.H56-250701-0001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    last_digits = forms.CharField(
        label=_("4 số cuối điện thoại hoặc số CCCD / mã số thuế"), max_length=8,
        help_text=_("Của người đứng tên nộp hồ sơ."),
        error_messages={"invalid": _("Nhập đúng 4 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"[0-9]{4}"}),
    )

    def clean_code(self) -> str:
        return ascii_digits(self.cleaned_data["code"]).strip().upper()

    def clean_last_digits(self) -> str:
        # Full-width digits are the same digits (NFKC); any other script's digits are not 4 ASCII digits.
        digits = ascii_digits(self.cleaned_data["last_digits"]).strip()
        if len(digits) != 4 or not is_ascii_number(digits):
            raise forms.ValidationError(self.fields["last_digits"].error_messages["invalid"], code="invalid")
        return digits


class KioskScanForm(forms.Form):
    scan = forms.CharField(
        label=_("Quét mã QR trên giấy hẹn hoặc nhập mã hồ sơ"), max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autofocus": True}),
    )

    def clean_scan(self) -> tuple[str, str]:
        parsed = parse_scan(self.cleaned_data["scan"])
        if parsed is None:
            raise forms.ValidationError(
                _("Không đọc được mã. Hãy quét mã QR trên giấy hẹn, hoặc nhập mã hồ sơ in trên giấy hẹn."),
                code="unreadable",
            )
        return parsed


class VerificationForm(forms.Form):
    ma = forms.CharField(
        label=_("Mã xác thực văn bản"), max_length=300,
        help_text=_("In cạnh mã QR trên văn bản kết quả; có thể dán cả đường dẫn của mã QR."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_ma(self) -> str:
        token = _token_from(self.cleaned_data["ma"], VERIFICATION_PATH_RE)
        if token is None:
            raise forms.ValidationError(_("Mã xác thực không đúng định dạng."), code="format")
        return token


class SignedPdfForm(forms.Form):
    """A PDF to check on the public verification page; its size is capped (SIGNED_PDF_MAX_BYTES)."""

    tep = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"), allow_empty_file=False,
        help_text=_("Biên nhận, phiếu hoặc văn bản kết quả dạng PDF có chữ ký số của cơ quan."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_tep(self) -> bytes:
        upload = self.cleaned_data["tep"]
        limit = settings.SIGNED_PDF_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
                                        code="too_large")
        data = upload.read(limit + 1)
        if not data.startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
            raise forms.ValidationError(_("Tệp này không phải PDF."), code="not_pdf")
        return data
