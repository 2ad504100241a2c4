"""The leaders' dashboard filter: a period of local days (dd/mm/yyyy), a department and a procedure."""
import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.clock import VN
from procedures.inputs import BoundedDateField
from procedures.models import Agency, Department, Procedure

from .reports import Filters, Period

# Lateness is computed in Python over the period's late records: keep the period to about three years.
MAX_PERIOD_DAYS = 1100


class DashboardFilterForm(forms.Form):
    date_from = BoundedDateField(label=_("Từ ngày"), required=False, input_formats=["%d/%m/%Y"],
                                widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}))
    date_to = BoundedDateField(label=_("Đến ngày"), required=False, input_formats=["%d/%m/%Y"],
                              widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}))
    department = forms.ModelChoiceField(label=_("Phòng, ban"), queryset=Department.objects.none(), required=False,
                                        empty_label=_("Tất cả"))
    procedure = forms.ModelChoiceField(label=_("Thủ tục"), queryset=Procedure.objects.none(), required=False,
                                       empty_label=_("Tất cả"))

    def __init__(self, *args, agency: Agency, now: datetime.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.fields["department"].queryset = Department.objects.filter(agency=agency).order_by("name")
        self.fields["procedure"].queryset = (
            Procedure.objects.filter(agencies=agency).only("id", "code", "name").order_by("sort_name", "code"))
        self.fields["procedure"].label_from_instance = lambda procedure: f"{procedure.code} — {procedure.name}"

    def clean(self):
        data = super().clean()
        today = timezone.localtime(self.now, VN).date()
        first = data.get("date_from") or today.replace(day=1)
        last = data.get("date_to") or today
        if first > last:
            raise forms.ValidationError(_("“Từ ngày” phải trước hoặc bằng “Đến ngày”."))
        if (last - first).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Kỳ báo cáo dài tối đa %(days)s ngày.") % {"days": MAX_PERIOD_DAYS})
        data["period"] = Period(first=first, last=last)
        return data

    def filters(self) -> Filters:
        """The cleaned filters; the default period (this month to date) when the form is invalid or empty."""
        if self.is_valid():
            data = self.cleaned_data
            return Filters(period=data["period"], department_id=data["department"].pk if data.get("department") else None,
                           procedure_id=data["procedure"].pk if data.get("procedure") else None)
        return Filters(period=Period.month_to_date(self.now))
