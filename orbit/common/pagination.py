"""Pagination that stays fast on a million rows: counting stops at a cap.

An exact COUNT(*) over every account the head may see costs more than the page itself; past the cap the
list says "more than 1,000" and the person narrows it with a search or a filter, as he would anyway.
"""

from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    def __init__(
        self,
        object_list,
        per_page,
        cap: int | None = None,
        *,
        matched: int | None = None,
        counted_to: int | None = None,
        **kwargs,
    ):
        """`matched`: the rows counted already by the caller (e.g. with a totals row): no COUNT query. `counted_to`:
        the LIMIT that count stopped at, if any; it is taken only when it answers this page's own count, exact
        (below the limit) or past the cap (a limit beyond it)."""
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap or settings.ORBIT_COUNT_CAP
        if matched is not None and (counted_to is None or matched < counted_to or counted_to > self.cap):
            self.counted(matched)

    def counted(self, matched: int) -> None:
        """The rows found, counted by the caller (up to cap + 1 is enough): no COUNT query is made."""
        self.__dict__["matched"] = min(matched, self.cap + 1)

    @cached_property
    def matched(self) -> int:
        """Rows found, up to cap + 1: COUNT(*) over a LIMITed subquery stops the scan there."""
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        # Pages cover the first `cap` rows, so a capped list ends on a full page.
        return min(self.matched, self.cap)

    @property
    def count_is_capped(self) -> bool:
        return self.matched > self.cap


def list_queries(params) -> tuple[str, str]:
    """A list page's query string without the page (for the pagination links), and without the page and the
    sort (for the column headers' sort links)."""
    query = params.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return query.urlencode(), sort_query.urlencode()
