"""The search page and the top bar's suggestions (an htmx fragment): thin over `selectors.global_search`."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from orbit.common.pagination import CappedPaginator
from orbit.search import selectors

# Orbit's default: contacts per page of "all results" for contacts.
CONTACTS_PER_PAGE = 50


@login_required
def search_page(request):
    text = request.GET.get("q", "").strip()[:200]
    context = {"q": text}
    if request.GET.get("kind") == "contacts" and selectors.searchable(text):
        paginator = CappedPaginator(selectors.contact_matches(request.user, text), CONTACTS_PER_PAGE)
        context["contacts_page"] = paginator.get_page(request.GET.get("page"))
    else:
        context["results"] = selectors.global_search(request.user, text, size=selectors.PAGE_GROUP_SIZE)
    return render(request, "search/page.html", context)


@login_required
def search_suggest(request):
    text = request.GET.get("q", "")
    results = selectors.global_search(request.user, text)
    return render(request, "search/_suggest.html", {"results": results, "q": results.text})
