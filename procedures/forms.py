"""The public catalogue's search form (GET)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm thủ tục"), required=False, max_length=200)
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"), required=False, queryset=selectors.catalogue_fields(), empty_label=_("Tất cả lĩnh vực")
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan thực hiện"), required=False, queryset=selectors.catalogue_agencies(),
        empty_label=_("Tất cả cơ quan"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The widget's own type, not an attribute: an attrs "type" would print a second type="…" on the input.
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"placeholder": _("Ví dụ: đăng ký khai sinh"), "autocomplete": "off"})
