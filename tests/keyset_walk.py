"""Walking a list's keyset pages (orbit/common/keyset.py) through the links a page draws, as a person would."""

import re
from html import unescape

from django.urls import reverse


def link(response, rel: str) -> str | None:
    """The query string of the page's link `rel` (first, prev, next, last), or None when the page has none."""
    match = re.search(rf'href="\?([^"]*)"[^>]*rel="{rel}"', response.content.decode())
    return unescape(match[1]) if match else None


def cursor(response, rel: str) -> str:
    found = link(response, rel)
    assert found and "page=" in found, rel
    return found.split("page=")[1].split("&")[0]


def walk(
    client, url_name: str, params: dict, start: str | None, rel: str, *, headers=None
) -> list[list[int]]:
    """The ids on each page from `start` (None: the first page; "last"), following `rel` to the end."""
    url = reverse(url_name) + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    if start:
        url += f"&page={start}"
    pages: list[list[int]] = []
    while url:
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200
        pages.append([row.pk for row in response.context["page"]])
        found = link(response, rel)
        if found and rel in ("next", "prev"):  # a cursor, not an OFFSET page number
            assert not found.split("page=")[1].isdigit(), found
        url = reverse(url_name) + "?" + found if found else None
        assert len(pages) < 20, "the links go round in a circle"
    return pages


def assert_deep_pages_cost_as_the_first(
    client, url_name: str, params: dict, assert_max_queries, *, first_max: int
):
    """Page 1 takes at most `first_max` queries; the next two pages (the second one the last) and the "Last"
    link take no more than page 1 did: a cursor seeks, it does not read the rows before it."""
    url = reverse(url_name)
    client.get(url, params)  # warm the session
    with assert_max_queries(first_max) as first:
        response = client.get(url, params)
    n = len(first.captured_queries)
    for _ in range(2):
        with assert_max_queries(n):
            response = client.get(url + "?" + link(response, "next"))
    assert response.context["page"].is_last
    with assert_max_queries(n):
        client.get(url, {**params, "page": "last"})
