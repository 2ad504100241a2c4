"""Every section and model name of the admin is in Vietnamese, third-party ones (django-axes) included."""
from django.contrib import admin
from django.utils import translation


def test_every_admin_model_and_section_is_named_in_vietnamese():
    english = []
    with translation.override("vi"):
        for model in admin.site._registry:
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural, model._meta.app_config.verbose_name):
                if str(name).isascii():  # every Vietnamese name here carries a diacritic
                    english.append(f"{model._meta.label}: {name}")
    assert english == []
