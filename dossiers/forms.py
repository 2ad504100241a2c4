"""Forms of the counter and back office: worklist filters, reception and one small form per dossier action.

Forms only validate and normalise input; the views hand the cleaned data to one service each.
Dates are typed dd/mm/yyyy (Vietnamese convention) whatever the interface language.
"""
import datetime
import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import NotificationChannel
from procedures import inputs
from procedures.inputs import BoundedDateField, is_ascii_number, validate_date_in_range
from procedures.models import Official, ProcedureStep

from . import cccd, selectors, services
from .models import ApplicantType, Channel, State
from .validators import validate_id_number, validate_phone

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _date_widget(**attrs):
    return forms.DateInput(
        format="%d/%m/%Y",
        attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", "size": 10, **attrs},
    )


class TelInput(forms.TextInput):
    input_type = "tel"  # as the widget's type: a "type" in attrs would print the attribute twice


class SearchInput(forms.TextInput):
    input_type = "search"


class DayInput:
    """dd/mm/yyyy typed or picked, with the same message for a date that cannot be read."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("widget", _date_widget())
        kwargs["error_messages"] = {"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2026."),
                                    **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)


class DateField(DayInput, BoundedDateField):
    """A date an office means (a deadline, a filter): 2000–2099."""


class BirthDateField(DayInput, inputs.BirthDateField):
    """A date of birth, from 1900."""


class AppointmentField(forms.DateTimeField):
    """A new appointment: "dd/mm/yyyy HH:MM", or a bare date meaning the end of that working day (17:00)."""

    END_OF_DAY = datetime.time(17, 0)
    default_validators = [validate_date_in_range]

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        kwargs.setdefault("widget", forms.DateTimeInput(
            format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"}))
        kwargs["error_messages"] = {"invalid": _("Nhập ngày giờ theo dạng dd/mm/yyyy hh:mm, ví dụ 05/03/2026 16:30."),
                                    **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def to_python(self, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if isinstance(text, str):
            for fmt in DATE_FORMATS:
                try:
                    day = datetime.datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
                return timezone.make_aware(datetime.datetime.combine(day, self.END_OF_DAY))
        return super().to_python(value)


class AmountField(forms.Field):
    """An amount in đồng as typed at a counter: "1.250.000", "1 250 000" or "1250000"."""

    widget = forms.TextInput

    def to_python(self, value):
        text = re.sub(r"[\s.,]|đồng$|đ$", "", str(value or "").strip().lower())
        if not text:
            return None
        if not is_ascii_number(text):
            raise ValidationError(_("Nhập số tiền bằng chữ số, ví dụ 1.250.000."), code="invalid")
        if len(text) > 14:  # the model stores at most 14 digits
            raise ValidationError(_("Số tiền quá lớn."), code="max_digits")
        return Decimal(text)

    def validate(self, value):
        super().validate(value)
        if value is not None and value <= 0:
            raise ValidationError(_("Số tiền phải lớn hơn 0."), code="min_value")


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, official: Official) -> str:
        return f"{official.display_name} — {official.title}" if official.title else official.display_name


# --- the worklist ---------------------------------------------------------------------------------------


class WorklistFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=selectors.WorklistTab.choices, required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Tìm hồ sơ"), required=False, max_length=200,
        widget=SearchInput(attrs={
            "autocomplete": "off",
            "placeholder": _("Mã hồ sơ, tên, số điện thoại, số CCCD hoặc quét mã QR"),
        }),
    )
    procedure = forms.ModelChoiceField(label=_("Thủ tục"), queryset=None, required=False, empty_label=_("Tất cả thủ tục"))
    field = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=None, required=False, empty_label=_("Tất cả lĩnh vực"))
    state = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=[("", _("Mọi trạng thái")), *State.choices])
    received_from = DateField(label=_("Tiếp nhận từ ngày"), required=False)
    received_to = DateField(label=_("đến ngày"), required=False)
    # The "all" tab's keyset cursor (selectors.worklist_all_page): a dossier id, and the page number it shows.
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, official: Official, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = selectors.worklist_procedures(official)
        self.fields["field"].queryset = selectors.worklist_fields(official)

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def cursor(self) -> dict:
        """The valid keyset cursor of the "all" tab: after, before (dossier ids) and the page number to show."""
        data = self.cleaned_data if self.is_bound else {}
        return {"after": data.get("after"), "before": data.get("before"), "number": data.get("page") or 1}

    def filters(self) -> selectors.WorklistFilters:
        """The valid filters (an invalid one is dropped, and the form shows its error)."""
        data = self.cleaned_data if self.is_bound else {}
        return selectors.WorklistFilters(
            query=data.get("q") or "",
            procedure_id=data["procedure"].pk if data.get("procedure") else None,
            field_id=data["field"].pk if data.get("field") else None,
            state=data.get("state") or "",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )


# --- reception --------------------------------------------------------------------------------------------


class CccdScanForm(forms.Form):
    """What a scanner typed from the back of a chip ID card; cleaned into the card's fields (`cccd.parse`)."""

    cccd_scan = forms.CharField(
        label=_("Quét mã QR trên thẻ căn cước"), required=False, max_length=1000, strip=False,
        help_text=_("Đưa mã QR mặt sau thẻ căn cước vào máy quét: họ tên, số định danh, ngày sinh và địa chỉ "
                    "được điền sẵn."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-cccd-scan": ""}),
    )

    def clean_cccd_scan(self):
        text = self.cleaned_data["cccd_scan"]
        return cccd.parse(text) if text.strip() else None

    @staticmethod
    def card_fields(card: cccd.CccdCard) -> dict[str, str]:
        """The reception form's fields a card fills, as the form shows them."""
        return {"applicant_type": ApplicantType.CITIZEN, "applicant_name": card.name,
                "applicant_id_number": card.id_number, "applicant_address": card.address,
                "applicant_birth_date": card.birth_date.strftime("%d/%m/%Y")}


class ReceiveForm(CccdScanForm):
    """The applicant and the dossier's envelope; the documents come in `DocumentFormSet`.

    A card's QR typed into the scan field, or into the name field by a scanner aimed at the wrong box, fills the
    applicant from the card (without JavaScript on the next "Kiểm tra"; with it at once, see static/js/staff.js)."""

    procedure = forms.IntegerField(widget=forms.HiddenInput)
    applicant_type = forms.ChoiceField(label=_("Loại người nộp"), choices=ApplicantType.choices,
                                       initial=ApplicantType.CITIZEN)
    applicant_name = forms.CharField(label=_("Họ tên người nộp / tên tổ chức"), max_length=255,
                                     widget=forms.TextInput(attrs={"autocomplete": "off"}))
    applicant_id_number = forms.CharField(
        label=_("Số CCCD / mã số thuế"), max_length=20, required=False,
        help_text=_("Công dân: CCCD 12 chữ số. Doanh nghiệp: mã số thuế."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    applicant_birth_date = BirthDateField(label=_("Ngày sinh"), required=False)
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=20,
                                      widget=TelInput(attrs={"autocomplete": "off"}))
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False,
                                       error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")})
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500,
                                        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    notify_channels = forms.MultipleChoiceField(
        label=_("Nhận thông báo về hồ sơ qua"), choices=NotificationChannel.choices, required=False,
        initial=[NotificationChannel.EMAIL], widget=forms.CheckboxSelectMultiple,
        help_text=_("Tin nhắn và Zalo gửi tới số điện thoại trên; thư điện tử chỉ gửi khi có địa chỉ."),
    )
    notify_language = forms.ChoiceField(label=_("Ngôn ngữ thông báo"), choices=settings.LANGUAGES,
                                        initial=settings.LANGUAGE_CODE, required=False)
    sets_count = forms.IntegerField(label=_("Số bộ hồ sơ"), min_value=1, max_value=99, initial=1)
    channel = forms.ChoiceField(label=_("Kênh nộp"), choices=Channel.choices, initial=Channel.COUNTER)
    refuse_reason = forms.CharField(
        label=_("Lý do từ chối tiếp nhận"), required=False, max_length=2000,
        help_text=_("Chỉ điền khi từ chối tiếp nhận hồ sơ (in Mẫu 03)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    guidance_missing = forms.CharField(
        label=_("Nội dung cần bổ sung, hoàn thiện"), required=False, max_length=4000,
        help_text=_("Chỉ điền khi hướng dẫn công dân bổ sung hồ sơ chưa đầy đủ (in Mẫu 02, không tiếp nhận)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    REQUIRED_MESSAGES = {
        "applicant_name": _("Nhập họ tên người nộp hồ sơ."),
        "applicant_phone": _("Nhập số điện thoại người nộp hồ sơ."),
        "applicant_address": _("Nhập địa chỉ người nộp hồ sơ."),
    }

    # The guidance slip (Mẫu 02 for a dossier not received) prints only these: the reception rules do not apply.
    GUIDANCE_FIELDS = frozenset({"procedure", "applicant_name", "applicant_phone", "guidance_missing"})

    field_order = ["cccd_scan"]

    def __init__(self, *args, refusing: bool = False, guiding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusing = refusing
        self.guiding = guiding
        if self.is_bound:
            self._fill_from_card()
        for name, message in self.REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        if guiding:
            self.fields["applicant_phone"].required = False
        # Keyboard-first: the clerk starts typing the applicant at once (the preview focuses "Tiếp nhận" instead).
        self.fields["applicant_name"].widget.attrs["autofocus"] = True

    def _fill_from_card(self):
        """The card's values replace what was typed (a fresh scan is the newer truth); the scan is then spent, so a
        later correction by the clerk is not overwritten on the next submit. A malformed scan stays for its error."""
        data = self.data.copy()
        if not data.get("cccd_scan", "").strip() and cccd.looks_like_scan(data.get("applicant_name", "")):
            data["cccd_scan"], data["applicant_name"] = data["applicant_name"], ""
        try:
            card = cccd.parse(data["cccd_scan"]) if data.get("cccd_scan", "").strip() else None
        except ValidationError:
            card = None
        if card is not None:
            data.update(self.card_fields(card))
            data["cccd_scan"] = ""
        self.data = data

    def clean_applicant_name(self):
        return " ".join(self.cleaned_data["applicant_name"].split())

    def clean_applicant_birth_date(self):
        day = self.cleaned_data["applicant_birth_date"]
        if day is not None and day > timezone.localdate():
            raise ValidationError(_("Ngày sinh không thể sau hôm nay."), code="future")
        return day

    def clean_applicant_phone(self):
        if self.guiding:
            return " ".join(self.cleaned_data["applicant_phone"].split())
        return validate_phone(self.cleaned_data["applicant_phone"])

    def clean(self):
        data = super().clean()
        if self.guiding:
            if not (data.get("guidance_missing") or "").strip():
                self.add_error("guidance_missing", _("Nhập nội dung cần bổ sung."))
            return data
        if "applicant_type" in data:
            try:
                data["applicant_id_number"] = validate_id_number(data["applicant_type"], data.get("applicant_id_number", ""))
            except ValidationError as error:
                self.add_error("applicant_id_number", error)
        if self.refusing and not (data.get("refuse_reason") or "").strip():
            self.add_error("refuse_reason", _("Nhập lý do từ chối tiếp nhận hồ sơ."))
        return data

    def full_clean(self):
        super().full_clean()
        if self.guiding and self.is_bound:
            # A citizen turned away with a slip is not held up by a mistyped e-mail or a missing address.
            for name in [name for name in self._errors if name not in self.GUIDANCE_FIELDS]:
                del self._errors[name]

    def guidance(self) -> dict:
        """The service's arguments for the guidance slip (`services.give_guidance`)."""
        data = self.cleaned_data
        return {"applicant_name": data["applicant_name"], "applicant_phone": data.get("applicant_phone", ""),
                "missing": data["guidance_missing"]}

    def applicant(self) -> services.Applicant:
        data = self.cleaned_data
        return services.Applicant(
            name=data["applicant_name"], id_number=data["applicant_id_number"], phone=data["applicant_phone"],
            address=data["applicant_address"], type=data["applicant_type"], email=data.get("applicant_email", ""),
            # E-mail is ticked by default: without an address it simply does not apply.
            notify_channels=tuple(channel for channel in data.get("notify_channels") or ()
                                  if channel != NotificationChannel.EMAIL or data.get("applicant_email")),
            language=data.get("notify_language") or settings.LANGUAGE_CODE,
            birth_date=data.get("applicant_birth_date"),
        )


class DocumentForm(forms.Form):
    """One line of the checklist: a catalogue document (hidden id) or an extra one typed by the clerk."""

    required_document_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Tên giấy tờ"), max_length=500, required=False)
    originals = forms.IntegerField(label=_("Bản chính"), min_value=0, max_value=99, initial=0)
    certified_copies = forms.IntegerField(label=_("Bản sao chứng thực"), min_value=0, max_value=99, initial=0)
    photocopies = forms.IntegerField(label=_("Bản photo"), min_value=0, max_value=99, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("originals", "certified_copies", "photocopies"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "count"})
            self.fields[name].error_messages["required"] = _("Nhập số bản (0 nếu không có).")

    def count(self) -> int:
        data = getattr(self, "cleaned_data", {})
        return sum(data.get(name) or 0 for name in ("originals", "certified_copies", "photocopies"))

    def clean(self):
        data = super().clean()
        if self.count() and not data.get("required_document_id") and not (data.get("name") or "").strip():
            self.add_error("name", _("Nhập tên giấy tờ đã nhận."))
        return data


class BaseDocumentFormSet(forms.BaseFormSet):
    """The checklist of one procedure: its required documents first, then free lines."""

    def __init__(self, *args, procedure=None, refusing: bool = False, **kwargs):
        self.procedure = procedure
        self.refusing = refusing
        self.catalogue = {doc.pk: doc for doc in procedure.required_documents.all()} if procedure else {}
        if "initial" not in kwargs and procedure is not None:
            kwargs["initial"] = [
                # An optional document starts at 0: nothing prints on the receipt that the citizen did not hand in.
                {"required_document_id": doc.pk, "name": doc.name, "originals": doc.originals if doc.mandatory else 0,
                 "certified_copies": doc.copies if doc.mandatory else 0, "photocopies": 0}
                for doc in self.catalogue.values()
            ]
        super().__init__(*args, **kwargs)
        for form in self.forms:
            raw = form["required_document_id"].value()
            form.required_document = self.catalogue.get(int(raw)) if is_ascii_number(str(raw or "")) else None
            if form.required_document is not None:
                form.fields["name"].widget = forms.HiddenInput()

    def _uncounted_mandatory(self) -> list[str]:
        received = {form.cleaned_data.get("required_document_id") for form in self.forms if form.count()}
        return [doc.name for doc in self.catalogue.values() if doc.mandatory and doc.pk not in received]

    def missing_mandatory(self) -> list[str]:
        """The catalogue's mandatory documents the clerk has not ticked (none before the checklist is posted)."""
        if not self.is_bound:
            return []
        self.errors  # noqa: B018  validate every line, so each one's counts are read even if another is invalid
        return self._uncounted_mandatory()

    def clean(self):
        if any(self.errors) or self.refusing:
            return
        counted = [form for form in self.forms if form.count()]
        if not counted:
            raise ValidationError(_("Đánh dấu số bản của ít nhất một giấy tờ đã nhận."))
        missing = self._uncounted_mandatory()
        if missing:
            raise ValidationError(
                _("Thiếu giấy tờ bắt buộc: %(names)s. Hướng dẫn công dân bổ sung hoặc từ chối tiếp nhận.")
                % {"names": "; ".join(missing)}
            )

    def documents(self) -> list[services.ReceivedDocument]:
        return [
            services.ReceivedDocument(
                name=(form.cleaned_data.get("name") or "").strip(),
                required_document_id=form.cleaned_data.get("required_document_id"),
                originals=form.cleaned_data.get("originals") or 0,
                certified_copies=form.cleaned_data.get("certified_copies") or 0,
                photocopies=form.cleaned_data.get("photocopies") or 0,
            )
            for form in self.forms
            if form.count()
        ]


DocumentFormSet = forms.formset_factory(DocumentForm, formset=BaseDocumentFormSet, extra=2, max_num=60,
                                        validate_max=True)


# --- one form per dossier action ---------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of the dossier page's action forms; `expected_step` guards against acting on a stale screen."""

    expected_step = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, dossier=None, official: Official | None = None, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.official = official
        self.steps = list(steps)
        if dossier is not None and not self.is_bound:
            self.fields["expected_step"].initial = dossier.current_step_id

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("expected_step", None)
        data.pop("confirm", None)
        return data

    def next_step(self) -> ProcedureStep | None:
        current = self.dossier.current_step if self.dossier else None
        if current is None:
            return None
        return next((step for step in self.steps if step.order > current.order), None)


class AssignForm(ActionForm):
    assignee = OfficialChoiceField(label=_("Giao cho"), queryset=Official.objects.none(),
                                   empty_label=_("— Chọn cán bộ —"))
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.dossier is not None and self.dossier.current_step is not None:
            self.fields["assignee"].queryset = selectors.officials_for_step(
                agency_id=self.dossier.agency_id, step=self.dossier.current_step)

    def service_kwargs(self):
        return {"assignee_id": self.cleaned_data["assignee"].pk, "note": self.cleaned_data["note"],
                "expected_step_id": self.cleaned_data.get("expected_step")}


class ForwardForm(ActionForm):
    assignee = OfficialChoiceField(label=_("Người nhận ở bước tiếp theo"), queryset=Official.objects.none(),
                                   required=False, empty_label=_("— Chưa giao (ai có vai trò đều nhận được) —"))
    note = forms.CharField(label=_("Ý kiến xử lý"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        step = self.next_step() if self.dossier is not None else None
        if step is not None:
            self.fields["assignee"].queryset = selectors.officials_for_step(agency_id=self.dossier.agency_id, step=step)
            self.fields["assignee"].label = _("Người nhận ở bước “%(step)s”") % {"step": step.name}

    def service_kwargs(self):
        assignee = self.cleaned_data.get("assignee")
        return {"assignee_id": assignee.pk if assignee else None, "note": self.cleaned_data["note"],
                "expected_step_id": self.cleaned_data.get("expected_step")}


class SendBackForm(ActionForm):
    to_step = forms.TypedChoiceField(label=_("Trả về bước"), coerce=int, choices=())
    reason = forms.CharField(label=_("Lý do trả lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Nhập lý do trả lại.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.dossier.current_step if self.dossier else None
        earlier = [step for step in self.steps if current is not None and step.order < current.order]
        self.fields["to_step"].choices = [(step.pk, str(step)) for step in reversed(earlier)]

    def service_kwargs(self):
        return {"to_step_id": self.cleaned_data["to_step"], "reason": self.cleaned_data["reason"],
                "expected_step_id": self.cleaned_data.get("expected_step")}


class SupplementForm(ActionForm):
    missing = forms.CharField(label=_("Nội dung cần bổ sung, hoàn thiện"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("Nhập nội dung cần bổ sung.")})
    reply_by = DateField(label=_("Hạn bổ sung"), error_messages={"required": _("Nhập hạn bổ sung (dd/mm/yyyy).")})


class FulfilSupplementForm(ActionForm):
    note = forms.CharField(label=_("Giấy tờ đã nhận bổ sung"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(ActionForm):
    amount = AmountField(label=_("Số tiền (đồng)"),
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                         error_messages={"required": _("Nhập số tiền.")})
    description = forms.CharField(label=_("Nội dung nghĩa vụ tài chính"), max_length=500,
                                  error_messages={"required": _("Nhập nội dung nghĩa vụ tài chính.")})


class ConfirmPaymentForm(ActionForm):
    receipt_number = forms.CharField(label=_("Số biên lai"), required=False, max_length=64)


class ProcessedForm(ActionForm):
    result_note = forms.CharField(label=_("Ghi chú kết quả"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def service_kwargs(self):
        return {"result_note": self.cleaned_data["result_note"], "expected_step_id": self.cleaned_data.get("expected_step")}


class ReturnResultForm(ActionForm):
    note = forms.CharField(label=_("Ghi chú khi trả kết quả"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmMixin(forms.Form):
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận thao tác này không thể hoàn tác."),
        error_messages={"required": _("Đánh dấu ô xác nhận để tiếp tục.")},
    )


class StopForm(ActionForm, ConfirmMixin):
    reason = forms.CharField(label=_("Lý do dừng giải quyết"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Nhập lý do dừng giải quyết.")})
    legal_ground = forms.CharField(label=_("Căn cứ pháp lý"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                   error_messages={"required": _("Nhập căn cứ pháp lý.")})
    field_order = ["reason", "legal_ground", "confirm"]


class RejectForm(ActionForm, ConfirmMixin):
    reason = forms.CharField(label=_("Lý do từ chối giải quyết (in trên Mẫu 03)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Nhập lý do từ chối giải quyết hồ sơ.")})
    legal_ground = forms.CharField(label=_("Căn cứ pháp lý"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["reason", "legal_ground", "confirm"]


class WithdrawForm(ActionForm, ConfirmMixin):
    reason = forms.CharField(label=_("Lý do rút hồ sơ (theo đề nghị của công dân)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Nhập lý do rút hồ sơ.")})
    field_order = ["reason", "confirm"]


class ExtensionForm(ActionForm):
    reason = forms.CharField(label=_("Lý do quá hạn (nội dung xin lỗi)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Nhập lý do quá hạn.")})
    proposed_due_at = AppointmentField(label=_("Đề nghị hẹn trả mới"),
                                       help_text=_("dd/mm/yyyy hh:mm; chỉ nhập ngày thì hẹn lúc 17:00."),
                                       error_messages={"required": _("Nhập ngày hẹn trả mới.")})


class ApproveExtensionForm(forms.Form):
    """The leader approves the proposed date, or types a different one."""

    due_at = AppointmentField(label=_("Phê duyệt ngày hẹn khác (để trống: ngày đề nghị)"), required=False,
                              help_text=_("dd/mm/yyyy hh:mm; chỉ nhập ngày thì hẹn lúc 17:00."))


class RejectExtensionForm(forms.Form):
    reason = forms.CharField(label=_("Lý do không chấp thuận"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Nhập lý do không chấp thuận gia hạn.")})


class ResultDocumentForm(ActionForm):
    number = forms.CharField(label=_("Số văn bản"), max_length=64, error_messages={"required": _("Nhập số văn bản.")})
    issued_on = DateField(label=_("Ngày ban hành"), error_messages={"required": _("Nhập ngày ban hành.")})
    signer = forms.CharField(label=_("Người ký"), max_length=255, error_messages={"required": _("Nhập người ký.")})
    title = forms.CharField(label=_("Trích yếu"), required=False, max_length=500)
