"""Every select's empty choice reads "—", whether Django made it (ModelChoiceField, a model field's choices) or not."""

from django import forms

from orbit.org.models import Team


class _Form(forms.Form):
    team = forms.ModelChoiceField(Team.objects.none(), required=False)
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
    named = forms.ModelChoiceField(Team.objects.none(), required=False, empty_label="All teams")


def test_the_empty_choice_is_a_dash(db):
    html = str(_Form())
    assert "---------" not in html
    assert html.count('<option value="" selected>—</option>') == 2
    assert '<option value="" selected>All teams</option>' in html
