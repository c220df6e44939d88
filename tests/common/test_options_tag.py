"""{% options %}: a filter's <option>s written in one pass, escaped, with the chosen values selected."""

from django.template import Context, Template


def _render(choices, selected) -> str:
    template = Template("{% load orbit_forms %}{% options choices selected %}")
    return template.render(Context({"choices": choices, "selected": selected}))


def test_selects_one_value_or_several_and_escapes_labels_and_values():
    choices = [(1, "Иванов <b>"), (2, 'ООО "Ромашка" & сыновья'), ("x'y", "Петров")]
    assert _render(choices, [2, "x'y"]) == (
        '<option value="1">Иванов &lt;b&gt;</option>'
        '<option value="2" selected>ООО &quot;Ромашка&quot; &amp; сыновья</option>'
        '<option value="x&#x27;y" selected>Петров</option>'
    )
    assert _render(choices, 1).count(" selected") == 1
    assert " selected" not in _render(choices, [])
    assert _render([], [1]) == ""
