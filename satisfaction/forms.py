"""Forms of the rating pages, the feedback form and the staff's feedback actions (radio buttons: no JavaScript)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.validators import validate_phone
from procedures.calendar import Period
from procedures.inputs import BoundedDateField
from procedures.models import Agency, Official, Procedure

from . import selectors, services
from .models import Feedback, Level, Visits


def _level_field(label, required=True):
    return forms.ChoiceField(label=label, choices=Level.choices, widget=forms.RadioSelect, required=required)


class DossierRatingForm(forms.Form):
    overall = _level_field(_("Mức độ hài lòng chung của ông/bà"))
    timeliness = _level_field(_("Thời gian giải quyết hồ sơ"))
    attitude = _level_field(_("Thái độ của cán bộ, công chức"))
    guidance = _level_field(_("Hướng dẫn của cán bộ, công chức"))
    extra_visits = forms.TypedChoiceField(
        label=_("Số lần ông/bà phải đi lại thêm để hoàn thiện hồ sơ"), choices=Visits.choices, coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Ý kiến khác (không bắt buộc)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def answers(self) -> services.Answers:
        return services.Answers(**self.cleaned_data)


class OfficialRatingForm(forms.Form):
    overall = _level_field(_("Mức độ hài lòng chung của ông/bà"))
    attitude = _level_field(_("Thái độ phục vụ"))
    guidance = _level_field(_("Hướng dẫn, giải thích (không bắt buộc)"), required=False)
    comment = forms.CharField(label=_("Ý kiến khác (không bắt buộc)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def answers(self) -> services.Answers:
        return services.Answers(**self.cleaned_data)


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, official):
        parts = [official.display_name, official.title, official.agency.name]
        return " — ".join(part for part in parts if part)


# A report the agency can act on says what happened: a word or two ("không tốt") cannot be answered.
FEEDBACK_MIN_CONTENT = 15


class FeedbackLookupForm(forms.Form):
    """A report's code plus the last 4 digits of the phone given with it, as a dossier is looked up."""

    code = forms.RegexField(
        label=_("Mã phản ánh"), regex=r"^\s*[Pp][Aa]-\d{6}-\d{4}\s*$", max_length=32,
        help_text=_("Cấp khi gửi phản ánh, ví dụ PA-260301-0001."),
        error_messages={"invalid": _("Mã phản ánh có dạng PA-yymmdd-nnnn, ví dụ PA-260301-0001.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    last_digits = forms.RegexField(
        label=_("4 số cuối số điện thoại đã để lại"), regex=r"^\d{4}$", min_length=4, max_length=4,
        error_messages={"invalid": _("Nhập đúng 4 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class FeedbackForm(forms.Form):
    """A report about a procedure, an official or a regulation. With a dossier's tracking token (from the rating
    page) the officials to choose from are those who handled it; otherwise one official may be named."""

    subject = forms.ChoiceField(label=_("Ông/bà phản ánh về"), choices=Feedback.Subject.choices,
                                widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("Nội dung phản ánh"), choices=Feedback.Kind.choices, widget=forms.RadioSelect,
                             initial=Feedback.Kind.OTHER)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan"), queryset=Agency.objects.order_by("name"), required=False,
        help_text=_("Không cần chọn khi phản ánh gắn với một hồ sơ hoặc một cán bộ."),
    )
    procedure = forms.ModelChoiceField(label=_("Thủ tục hành chính (nếu có)"),
                                       queryset=Procedure.objects.filter(is_active=True).order_by("sort_name", "code"),
                                       required=False)
    official = OfficialChoiceField(label=_("Cán bộ bị phản ánh (nếu có)"), queryset=Official.objects.none(),
                                   required=False)
    officials = forms.ModelMultipleChoiceField(label=_("Cán bộ bị phản ánh"), queryset=Official.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    content = forms.CharField(label=_("Nội dung chi tiết"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    is_anonymous = forms.BooleanField(label=_("Gửi ẩn danh (không lưu thông tin liên hệ)"), required=False)
    reporter_name = forms.CharField(label=_("Họ tên (không bắt buộc)"), max_length=255, required=False)
    reporter_phone = forms.CharField(label=_("Số điện thoại (không bắt buộc)"), max_length=16, required=False)
    reporter_email = forms.EmailField(label=_("Thư điện tử (không bắt buộc)"), required=False)
    dossier_token = forms.CharField(widget=forms.HiddenInput, required=False)
    rating_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.handlers = handlers
        if handlers is not None:
            # Linked to a dossier: choose among the officials who handled it; the agency and procedure are known.
            self.fields["officials"].queryset = Official.objects.filter(pk__in=[o.pk for o in handlers]).order_by(
                "display_name")
            for name in ("official", "agency", "procedure"):
                del self.fields[name]
        else:
            self.fields["official"].queryset = selectors.officials_for_feedback()
            del self.fields["officials"]

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if len(content) < FEEDBACK_MIN_CONTENT:
            raise forms.ValidationError(
                _("Nội dung phản ánh cần ít nhất %(count)d ký tự: cho biết việc gì, ở đâu, khi nào.")
                % {"count": FEEDBACK_MIN_CONTENT}, code="min_length")
        return content

    def clean_reporter_phone(self):
        phone = self.cleaned_data["reporter_phone"]
        return validate_phone(phone) if phone.strip() else ""

    def clean(self):
        """The choices that depend on each other, checked here so every error shows at once (the service checks
        them again, as the last gate)."""
        data = super().clean()
        if self.handlers is not None:
            if data.get("subject") == Feedback.Subject.OFFICIAL and not data.get("officials"):
                self.add_error("officials", _("Chọn cán bộ bị phản ánh."))
            return data
        if data.get("subject") == Feedback.Subject.OFFICIAL and not data.get("official"):
            self.add_error("official", _("Chọn cán bộ bị phản ánh."))
        elif not data.get("official") and not data.get("agency") and "agency" not in self.errors:
            self.add_error("agency", _("Chọn cơ quan tiếp nhận phản ánh."))
        return data

    def feedback_input(self) -> services.FeedbackInput:
        data = self.cleaned_data
        if self.handlers is not None:
            official_ids = [o.pk for o in data["officials"]]
        else:
            official_ids = [data["official"].pk] if data.get("official") else []
        return services.FeedbackInput(
            subject=data["subject"], kind=data["kind"], content=data["content"],
            agency_id=data["agency"].pk if data.get("agency") else None,
            procedure_id=data["procedure"].pk if data.get("procedure") else None,
            official_ids=official_ids, dossier_token=data.get("dossier_token") or "",
            rating_id=data.get("rating_id"), is_anonymous=data["is_anonymous"],
            reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
            reporter_email=data["reporter_email"],
        )


# --- staff ---------------------------------------------------------------------------------------------


class FeedbackFilterForm(forms.Form):
    q = forms.CharField(label=_("Mã phản ánh"), required=False, max_length=32)
    state = forms.ChoiceField(label=_("Trạng thái"), required=False,
                              choices=[("", _("Tất cả"))] + list(Feedback.State.choices))
    subject = forms.ChoiceField(label=_("Đối tượng"), required=False,
                                choices=[("", _("Tất cả"))] + list(Feedback.Subject.choices))
    kind = forms.ChoiceField(label=_("Nội dung"), required=False,
                             choices=[("", _("Tất cả"))] + list(Feedback.Kind.choices))
    overdue = forms.BooleanField(label=_("Chỉ phản ánh quá hạn trả lời"), required=False)

    def filters(self) -> selectors.FeedbackFilters:
        if not self.is_valid():
            return selectors.FeedbackFilters()
        data = self.cleaned_data
        return selectors.FeedbackFilters(state=data["state"], subject=data["subject"], kind=data["kind"],
                                         overdue=data["overdue"], query=data["q"])


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú nội bộ"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Giao cho"), queryset=Official.objects.none())

    def __init__(self, *args, feedback=None, **kwargs):
        super().__init__(*args, **kwargs)
        if feedback is not None:
            self.fields["assignee"].queryset = selectors.assignable_officials(feedback)


class AnswerForm(forms.Form):
    public_answer = forms.CharField(label=_("Nội dung trả lời (công khai)"), max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    upheld = forms.TypedChoiceField(
        label=_("Kết quả xác minh"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("Phản ánh đúng sự thật")), ("no", _("Phản ánh không đúng sự thật"))],
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Lý do không thụ lý (công khai)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class HandleRatingForm(forms.Form):
    note = forms.CharField(label=_("Nội dung đã xử lý"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PeriodForm(forms.Form):
    start = BoundedDateField(label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = BoundedDateField(label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def period(self) -> Period:
        if not self.is_valid():
            return Period()
        return Period(first=self.cleaned_data["start"], last=self.cleaned_data["end"])
