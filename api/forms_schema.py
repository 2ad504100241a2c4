"""The request bodies of the staff actions, documented from the very forms the dossier page validates with
(`dossiers.actions.ACTIONS`), so the API and the page accept the same input and the schema cannot drift."""
from django import forms
from rest_framework import serializers

DATE_HELP = "yyyy-mm-dd hoặc dd/mm/yyyy / yyyy-mm-dd or dd/mm/yyyy"
DATETIME_HELP = "yyyy-mm-ddThh:mm hoặc dd/mm/yyyy hh:mm; chỉ ngày: 17:00 / a bare date means 17:00"


def _field(form_field: forms.Field) -> serializers.Field:
    common = {"required": form_field.required, "help_text": str(form_field.label or "")}
    if isinstance(form_field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(form_field, forms.ModelChoiceField | forms.IntegerField | forms.TypedChoiceField):
        return serializers.IntegerField(**common)
    if isinstance(form_field, forms.DateTimeField):
        common["help_text"] = f"{common['help_text']} ({DATETIME_HELP})"
        return serializers.CharField(allow_blank=not form_field.required, **common)
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(**common)
    max_length = getattr(form_field, "max_length", None)
    return serializers.CharField(allow_blank=not form_field.required, max_length=max_length, **common)


def serializer_for(name: str, form_class: type[forms.Form]) -> type[serializers.Serializer]:
    """A documentation serializer with one field per form field (the form still does the validating)."""
    attrs = {field_name: _field(field) for field_name, field in form_class.base_fields.items()}
    if "expected_step" in attrs:
        attrs["expected_step"] = serializers.IntegerField(
            required=False, allow_null=True,
            help_text="Bước hiện tại mà hệ thống gọi đã thấy; khác thì từ chối (409) / the step the caller saw; "
                      "a different current step is refused (409)")
    camel = "".join(part.title() for part in name.split("_"))
    return type(f"{camel}Request", (serializers.Serializer,), attrs)


def form_data(data) -> dict:
    """A JSON body as form data: scalars as text, as a browser would post them; nested values as their text."""
    result = {}
    for key, value in data.items():
        if isinstance(value, bool):
            result[key] = "on" if value else ""
        elif value is None:
            result[key] = ""
        else:
            result[key] = str(value)
    return result
