"""The "Org model" tab: the hybrids' time split and the hunter-or-farmer what-if (inputs in the query string)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from orbit.common.forms import apply_service_error
from orbit.staffing import time_split, what_if
from orbit.staffing.forms import WhatIfForm


@login_required
def org_model(request):
    split, observed = what_if.org_model(request.user)
    initial = {"farmer_capacity": what_if.default_capacity(split)}
    form = WhatIfForm(request.GET if "hunter_salary" in request.GET else None, initial=initial)
    result = None
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                result = what_if.compute(observed, what_if.Inputs(**form.cleaned_data))
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                status = 200
    people = [
        (p, time_split.split_chart(p.months, _("%(name)s: hours a month") % {"name": p.person}))
        for p in split.people
    ]
    context = {
        "split": split,
        "observed": observed,
        "form": form,
        "result": result,
        "people": people,
        "total_chart": time_split.split_chart(split.everyone, _("All hybrids: hours a month")),
        "share_chart": time_split.share_chart(split),
    }
    return render(request, "staffing/org_model.html", context, status=status)
