"""The benchmark's own reports tell the truth: the README's counts come from results.md, and explain.md never
says "no case missed" when one did."""

import re
from pathlib import Path

from bench.run import Case, Persona, explain_report

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _case(area, name, p95_ms, *, search=False):
    persona = Persona("lead", "team lead", 11, [11], 634)
    return Case(
        persona, area, name, ["/agenda/"], is_search=search, ours_ms=[p95_ms] * 20, bare_ms=[5.0] * 20
    )


def test_a_missed_agenda_is_reported_even_without_a_slow_query():
    cases = [_case("agenda", "my day", 38.6), _case("agenda", "my day + team table", 61.7)]
    report = "\n".join(explain_report(cases, explain=[]))
    assert "No case missed" not in report
    assert "1 case(s) missed" in report and "my day + team table" in report and "61.7" in report


def test_no_miss_says_so_and_plans_are_kept():
    assert explain_report([_case("agenda", "my day", 38.6)], explain=[]) == [
        "No case missed its time target."
    ]
    plans = ["### lead · list · all", "```", "Seq Scan", "```"]
    assert explain_report([_case("list", "all", 80.0)], explain=plans) == plans


def test_the_readme_counts_agree_with_results_md():
    results = (BENCH / "results.md").read_text()
    readme = (BENCH / "README.md").read_text()
    rows = [
        [cell.strip() for cell in line.split("|")[1:-1]]
        for line in results.splitlines()
        if re.match(r"\| \w+ \| (list|card|api) \|", line)
    ]
    met = [row for row in rows if "p95>" not in row[-1]]
    assert re.search(rf"met in\s+{len(met)} of the {len(rows)} list/card/API cases", readme)
    sizes = dict(
        (row[1], (row[2], row[3]))
        for row in ([cell.strip() for cell in line.split("|")[1:-1]] for line in results.splitlines())
        if len(row) == 4 and row[0] == "lead"
    )
    api_small, api_large = sizes["API list: limit=25 vs limit=200"]
    assert re.search(rf"the API\s+{api_small} at limit 25 and {api_large} at 200", readme)
    list_small, list_large = sizes["list page: 25 vs 200 rows (ORBIT_PAGE_SIZE)"]
    assert re.search(rf"the lead's list is {list_small} queries at 25 and at 200 rows", readme)
    assert list_small == list_large
