"""Reception at the counter through the API: the JSON body is handed to the counter page's own forms
(`dossiers.forms.ReceiveForm` and `DocumentFormSet`), so the API accepts exactly what the reception page accepts,
with the same messages, and the page's services do the rest."""
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers

from dossiers import forms as dossier_forms
from dossiers import selectors as dossier_selectors
from dossiers.models import ApplicantType, Channel
from notifications.models import NotificationChannel
from procedures.models import Procedure

from .forms_schema import DATE_HELP, form_data

PREFIX = "docs"  # the page's formset prefix
SCALARS = ("applicant_type", "applicant_name", "applicant_id_number", "applicant_birth_date", "applicant_phone",
           "applicant_email", "applicant_address", "notify_language", "sets_count", "channel")
DOCUMENT_FIELDS = ("required_document_id", "name", "originals", "certified_copies", "photocopies")


class ReceivedDocumentRequest(serializers.Serializer):
    required_document_id = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="Mã giấy tờ trong danh mục của thủ tục (required_documents); bỏ trống với giấy tờ khác / the "
                  "catalogue document's id; empty for another document")
    name = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                 help_text="Tên giấy tờ (bắt buộc với giấy tờ ngoài danh mục) / the document's name")
    originals = serializers.IntegerField(min_value=0, max_value=99, help_text="Bản chính / originals")
    certified_copies = serializers.IntegerField(min_value=0, max_value=99, help_text="Bản sao chứng thực / certified")
    photocopies = serializers.IntegerField(min_value=0, max_value=99, help_text="Bản photo / photocopies")


class ReceiveRequest(serializers.Serializer):
    """Documentation of the body; the counter's forms validate it."""

    procedure = serializers.CharField(max_length=64, help_text="Mã thủ tục (danh mục) / the procedure's code")
    applicant_type = serializers.ChoiceField(choices=ApplicantType.choices, required=False,
                                             help_text="Mặc định: công dân / default: citizen")
    applicant_name = serializers.CharField(max_length=255, help_text="Họ tên người nộp / tên tổ chức")
    applicant_id_number = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                                help_text="CCCD 12 chữ số hoặc mã số thuế / ID card or tax number")
    applicant_birth_date = serializers.CharField(required=False, allow_blank=True, help_text=DATE_HELP)
    applicant_phone = serializers.CharField(max_length=20, help_text="Số điện thoại / phone")
    applicant_email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    applicant_address = serializers.CharField(max_length=500, help_text="Địa chỉ / address")
    notify_channels = serializers.ListField(child=serializers.ChoiceField(choices=NotificationChannel.choices),
                                            required=False, help_text="Kênh nhận thông báo / notification channels")
    notify_language = serializers.ChoiceField(choices=["vi", "en"], required=False)
    sets_count = serializers.IntegerField(required=False, min_value=1, max_value=99, help_text="Số bộ / sets")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, help_text="Mặc định: trực tiếp")
    documents = ReceivedDocumentRequest(many=True, help_text="Giấy tờ đã nhận (tối đa 60 dòng) / documents received")


class RefuseRequest(ReceiveRequest):
    reason = serializers.CharField(max_length=2000, help_text="Lý do từ chối tiếp nhận (Mẫu 03) / the reason")
    documents = ReceivedDocumentRequest(many=True, required=False, help_text="Giấy tờ công dân xuất trình")


class ReceivedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="Mã hồ sơ / the dossier's code")
    state = serializers.CharField()
    tracking_url = serializers.URLField(help_text="Trang theo dõi công khai / the public tracking page")
    due_at = serializers.DateTimeField(allow_null=True,
                                       help_text="Hẹn trả kết quả; không có khi từ chối / the appointment")


def _text(value) -> str:
    return form_data({"value": value})["value"]


def _procedure(official, body: dict) -> Procedure:
    """The official's agency's active procedure named by its code; otherwise the page's message, on the field."""
    code = body.get("procedure")
    procedure = None
    # PostgreSQL refuses a NUL in a text parameter (a 500); no procedure code has one.
    if isinstance(code, str) and code.strip() and "\x00" not in code and len(code) <= 64:
        pk = Procedure.objects.filter(code=code.strip()).values_list("pk", flat=True).first()
        procedure = dossier_selectors.procedure_for_reception(official, pk) if pk else None
    if procedure is None:
        raise exceptions.ValidationError(
            {"procedure": [_("Thủ tục không tồn tại hoặc cơ quan không thực hiện thủ tục này.")]})
    return procedure


def _documents(body: dict, required: bool) -> list[dict]:
    documents = body.get("documents", None if required else [])
    if not isinstance(documents, list) or not all(isinstance(line, dict) for line in documents):
        raise exceptions.ValidationError({"documents": [_("Danh sách giấy tờ phải là một mảng các đối tượng.")]})
    return documents


def _as_post(body: dict, procedure: Procedure, documents: list[dict], reason: str | None) -> QueryDict:
    """The body as the reception page would post it."""
    data = QueryDict(mutable=True)
    fields = dossier_forms.ReceiveForm.base_fields
    for name in SCALARS:
        if name in body:
            data[name] = _text(body[name])
        elif fields[name].initial is not None:  # what the page's form starts with (citizen, 1 set, at the counter)
            data[name] = _text(fields[name].initial)
    channels = body.get("notify_channels", fields["notify_channels"].initial)
    data.setlist("notify_channels", [_text(item) for item in (channels if isinstance(channels, list) else [channels])])
    data["procedure"] = str(procedure.pk)
    if reason is not None:
        data["refuse_reason"] = reason
    # Every line counts as an initial form: validated even when it repeats the catalogue's defaults.
    data.update({f"{PREFIX}-TOTAL_FORMS": str(len(documents)), f"{PREFIX}-INITIAL_FORMS": str(len(documents))})
    for index, line in enumerate(documents):
        for name in DOCUMENT_FIELDS:
            data[f"{PREFIX}-{index}-{name}"] = _text(line.get(name, 0 if name not in ("name", "required_document_id")
                                                                else ""))
    return data


def _errors(form, formset) -> dict:
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    for index, line in enumerate(formset.forms):
        for name, messages in line.errors.items():
            errors[f"documents[{index}].{name}"] = [str(message) for message in messages]
    general = [str(message) for message in formset.non_form_errors()]
    if general:
        errors["documents"] = general
    return errors


def validated(official, body: dict, *, refusing: bool):
    """The counter's forms, bound and valid, for `body` (ValidationError with the forms' messages otherwise)."""
    procedure = _procedure(official, body)
    reason = _text(body.get("reason")) if refusing else None
    data = _as_post(body, procedure, _documents(body, required=not refusing), reason)
    form = dossier_forms.ReceiveForm(data, refusing=refusing)
    formset = dossier_forms.DocumentFormSet(data, procedure=procedure, refusing=refusing, prefix=PREFIX)
    if not (form.is_valid() and formset.is_valid()):
        errors = _errors(form, formset)
        if "refuse_reason" in errors:
            errors["reason"] = errors.pop("refuse_reason")
        raise exceptions.ValidationError(errors)
    return procedure, form, formset
