"""A `{# … #}` comment ends on its own line: one that runs on is printed on the page as text."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "orbit" / "templates"


def test_no_one_line_comment_runs_onto_the_next_line():
    unclosed = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert unclosed == []
