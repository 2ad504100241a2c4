"""Forms and formsets of the procedures admin (the public catalogue's forms live in `forms.py`)."""
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import Official, ProcedureStep
from .roles import Role


class StepInlineFormSet(BaseInlineFormSet):
    """The procedure's steps must add up to its legal time limit (Procedure.steps_error), or nothing is saved."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return  # a broken row has its own message; a sum over half the rows would only confuse
        procedure = self.instance
        if procedure.time_limit is None or not procedure.time_unit:
            return  # the procedure form reports its own missing limit
        durations: list[Decimal] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("duration") is None:
                continue
            durations.append(data["duration"])
        error = procedure.steps_error(durations)
        if error:
            raise ValidationError(error, code="steps_total")


class ProcedureStepAdminForm(forms.ModelForm):
    """Editing one step on its own page still has to keep the procedure's total equal to its limit."""

    class Meta:
        model = ProcedureStep
        fields = ["procedure", "order", "name", "role", "duration"]

    def clean(self):
        data = super().clean()
        procedure, duration = data.get("procedure"), data.get("duration")
        if procedure is None or duration is None:
            return data
        others = procedure.steps.exclude(pk=self.instance.pk) if self.instance.pk else procedure.steps.all()
        error = procedure.steps_error([step.duration for step in others] + [duration])
        if error:
            raise ValidationError(error, code="steps_total")
        return data


class OfficialAdminForm(forms.ModelForm):
    """An official with their roles; on the add page a new login can be created in the same step.

    `OfficialAdmin.get_form` sets `admin_agency_id` (None for a superuser) and `editing_self`: an agency admin may
    not grant or take away the agency-admin role, and cannot change their own roles or agency at all."""

    admin_agency_id: int | None = None
    editing_self = False

    roles = forms.MultipleChoiceField(
        label=_("Vai trò"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Vai trò được lưu thành nhóm người dùng của tài khoản."),
    )
    new_username = forms.CharField(
        label=_("Tên đăng nhập mới"), required=False, max_length=150,
        help_text=_("Để trống nếu đã chọn tài khoản có sẵn ở trên."),
    )
    new_password = forms.CharField(
        label=_("Mật khẩu"), required=False, strip=False, widget=forms.PasswordInput(render_value=False),
    )

    class Meta:
        model = Official
        fields = ["user", "agency", "department", "title", "display_name", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_roles = set(self.instance.roles) if self.instance.pk else set()
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.held_roles)
            # The login of an existing official is fixed; a new one is only offered while adding.
            self.fields.pop("new_username", None)
            self.fields.pop("new_password", None)
        elif "user" in self.fields:
            self.fields["user"].required = False
        if self.admin_agency_id is not None:
            if self.editing_self:
                # Disabled fields keep their saved value whatever is posted.
                for name in ("roles", "agency"):
                    if name in self.fields:
                        self.fields[name].disabled = True
            else:
                self.fields["roles"].choices = [(value, label) for value, label in Role.choices
                                                if value != Role.AGENCY_ADMIN]

    def roles_to_save(self) -> list[str]:
        """The roles to store: what was ticked, plus an agency-admin role held before that the editor may not
        touch (only a superuser grants or takes it away)."""
        roles = set(self.cleaned_data.get("roles", []))
        if self.admin_agency_id is not None and Role.AGENCY_ADMIN in self.held_roles:
            roles.add(Role.AGENCY_ADMIN)
        return sorted(roles)

    def clean(self):
        data = super().clean()
        agency, department = data.get("agency"), data.get("department")
        if agency and department and department.agency_id != agency.pk:
            self.add_error("department", _("Phòng, ban này không thuộc cơ quan đã chọn."))
        if self.instance.pk:
            return data
        username, password = data.get("new_username", "").strip(), data.get("new_password", "")
        if data.get("user") and username:
            raise ValidationError(_("Chọn tài khoản có sẵn hoặc nhập tên đăng nhập mới, không cả hai."))
        if not data.get("user"):
            if not username:
                self.add_error("new_username", _("Chọn một tài khoản hoặc nhập tên đăng nhập mới."))
            elif get_user_model().objects.filter(username__iexact=username).exists():
                self.add_error("new_username", _("Tên đăng nhập này đã được dùng."))
            elif not password:
                self.add_error("new_password", _("Nhập mật khẩu cho tài khoản mới."))
            else:
                try:
                    validate_password(password, get_user_model()(username=username))
                except ValidationError as error:
                    self.add_error("new_password", error)
        return data
