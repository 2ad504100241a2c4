"""Forms of the online channel: the citizen's filing (one upload per required document, several files each), the
one-time code, completion and supplement uploads, the delivery choice; the clerk's decisions.

Files are checked here (`online.files`: type by content, sizes, PDF bombs) before any service runs, so nothing
unchecked reaches storage; the services check the rest (limits, states) in their transaction.
"""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dossiers.models import ApplicantType
from notifications.models import NotificationChannel

from . import files
from .models import ResultDelivery
from .services import ApplicantDetails, Upload

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (a paper photographed page by page)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class _DocumentUploadsMixin:
    """One file field per required document of the procedure (`doc_<id>`), checked together."""

    def _add_document_fields(self, procedure, *, require_mandatory: bool):
        self.document_fields = []
        for document in procedure.required_documents.all():
            name = f"doc_{document.pk}"
            self.fields[name] = MultipleFileField(
                label=document.name, required=require_mandatory and document.mandatory,
                help_text=_("PDF, JPEG hoặc PNG; có thể chọn nhiều tệp (ảnh chụp từng trang)."),
                error_messages={"required": _("Tải lên tệp của giấy tờ này.")},
            )
            self.document_fields.append((name, document))

    def _check_files(self) -> list[Upload]:
        uploads = []
        for name, document in self.document_fields:
            for upload in self.cleaned_data.get(name) or []:
                try:
                    uploads.append(Upload(checked=files.check_upload(upload), required_document_id=document.pk))
                except ValidationError as error:
                    self.add_error(name, error)
        if not self.errors:
            try:
                files.check_totals([upload.checked for upload in uploads])
            except ValidationError as error:
                self.add_error(None, error)
        return uploads


class SubmissionForm(_DocumentUploadsMixin, forms.Form):
    agency = forms.TypedChoiceField(label=_("Nộp tại cơ quan"), coerce=int)
    applicant_type = forms.ChoiceField(label=_("Người nộp là"), choices=ApplicantType.choices,
                                       initial=ApplicantType.CITIZEN)
    applicant_name = forms.CharField(label=_("Họ tên người nộp / tên tổ chức"), max_length=255,
                                     widget=forms.TextInput(attrs={"autocomplete": "name"}))
    applicant_id_number = forms.CharField(
        label=_("Số CCCD / mã số thuế"), max_length=20, required=False,
        help_text=_("Công dân: CCCD 12 chữ số. Doanh nghiệp: mã số thuế."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=20,
                                      widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False,
                                       widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500,
                                        widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    contact_channel = forms.ChoiceField(
        label=_("Nhận mã xác nhận và thông báo qua"), widget=forms.RadioSelect,
        choices=[(NotificationChannel.EMAIL, _("Thư điện tử")), (NotificationChannel.SMS, _("Tin nhắn SMS"))],
        initial=NotificationChannel.EMAIL)
    result_delivery = forms.ChoiceField(label=_("Nhận kết quả bản giấy"), widget=forms.RadioSelect,
                                        choices=ResultDelivery.choices, initial=ResultDelivery.COUNTER)
    delivery_address = forms.CharField(label=_("Địa chỉ nhận qua bưu chính"), max_length=500, required=False)

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        agencies = list(procedure.agencies.all())
        self.fields["agency"].choices = [(agency.pk, agency.name) for agency in agencies]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
            self.fields["agency"].widget = forms.HiddenInput()
        self._add_document_fields(procedure, require_mandatory=True)
        self.uploads: list[Upload] = []

    def clean(self):
        data = super().clean()
        if data.get("contact_channel") == NotificationChannel.EMAIL and not data.get("applicant_email") \
                and "applicant_email" not in self.errors:
            self.add_error("applicant_email", _("Nhập thư điện tử để nhận mã xác nhận qua thư điện tử."))
        if data.get("result_delivery") == ResultDelivery.POSTAL and not (data.get("delivery_address") or "").strip():
            self.add_error("delivery_address", _("Nhập địa chỉ nhận kết quả qua bưu chính."))
        self.uploads = self._check_files()
        return data

    def applicant(self) -> ApplicantDetails:
        data = self.cleaned_data
        return ApplicantDetails(name=data["applicant_name"], id_number=data["applicant_id_number"],
                                phone=data["applicant_phone"], address=data["applicant_address"],
                                type=data["applicant_type"], email=data.get("applicant_email") or "")


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Mã xác nhận"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class MoreFilesForm(_DocumentUploadsMixin, forms.Form):
    """Completion (before reception) or supplement (after a request): any documents, at least one file."""

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_document_fields(procedure, require_mandatory=False)
        self.uploads: list[Upload] = []

    def clean(self):
        data = super().clean()
        self.uploads = self._check_files()
        if not self.uploads and not self.errors:
            raise ValidationError(_("Tải lên ít nhất một tệp."))
        return data


class DeliveryForm(forms.Form):
    result_delivery = forms.ChoiceField(label=_("Nhận kết quả bản giấy"), widget=forms.RadioSelect,
                                        choices=ResultDelivery.choices)
    delivery_address = forms.CharField(label=_("Địa chỉ nhận qua bưu chính"), max_length=500, required=False)


class ReturnForm(forms.Form):
    missing = forms.CharField(label=_("Nội dung cần bổ sung, hoàn thiện"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do từ chối tiếp nhận"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class PostalForm(forms.Form):
    tracking_number = forms.CharField(label=_("Số hiệu bưu gửi"), max_length=64)


class AcceptSupplementForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú"), max_length=2000, required=False)
