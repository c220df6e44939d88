"""Django's form widgets with one change: the empty choice of every select reads "—", as Orbit's own
templates write an empty value, instead of Django's "---------" (BLANK_CHOICE_DASH, ModelChoiceField)."""

from functools import cached_property
from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates


class OrbitFormRenderer(DjangoTemplates):
    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                # Orbit's few overrides first, then Django's own widget templates.
                "DIRS": [
                    Path(__file__).parent / "form_templates",
                    Path(django.forms.__file__).parent / "templates",
                ],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
