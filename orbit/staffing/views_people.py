"""The "People" tab: profiles and span of control. Thin views over selectors, profiles (writes) and span."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.common import idempotency
from orbit.common.forms import apply_service_error, save_form
from orbit.org.models import User
from orbit.staffing import permissions, profiles, selectors, span
from orbit.staffing.forms import AssessmentForm, CompetencyForm, LeadAssessmentForm, TrainingForm
from orbit.staffing.models import Competency, CompetencyAssessment, LeadAssessment, Training


@login_required
def people(request):
    user = request.user
    head = permissions.sees_all_profiles(user)
    leads = None if head else {user.pk}
    spans = span.lead_spans(leads)
    return render(
        request,
        "staffing/people.html",
        {
            "people": selectors.profile_list(user),
            "spans": spans,
            "head": head,
            "span_max": settings.ORBIT_SPAN_OF_CONTROL,
            "span_min": settings.ORBIT_SPAN_OF_CONTROL_MIN,
        },
    )


def _profile_page(request, person: User, *, status: int = 200, **forms):
    today = timezone.localdate()
    context = {
        "profile": selectors.profile(request.user, person),
        "scale": settings.ORBIT_COMPETENCY_SCALE,
        "assess_form": forms.get("assess_form") or AssessmentForm(initial={"assessed_on": today}),
        "note_form": forms.get("note_form") or LeadAssessmentForm(initial={"written_on": today}),
        "training_form": forms.get("training_form") or TrainingForm(),
    }
    return render(request, "staffing/profile.html", context, status=status)


@login_required
def profile(request, person_id: int):
    return _profile_page(request, selectors.person_get(request.user, person_id))


def _writable_person(request, person_id: int) -> User:
    person = selectors.person_get(request.user, person_id)  # 404 for whoever may not read it
    if not permissions.may_write_profile(request.user, person.pk):
        raise PermissionDenied(_("Your own assessment is written by your lead: you read your profile only."))
    return person


def _create(request, person, form, form_name: str, scope: str, model, write, done: str):
    if form.is_valid():
        try:
            idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope=scope,
                model=model,
                write=lambda: write(form.cleaned_data),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("staffing:profile", person_id=person.pk)
    return _profile_page(request, person, status=400, **{form_name: form})


@login_required
@require_POST
def assess(request, person_id: int):
    person = _writable_person(request, person_id)
    return _create(
        request,
        person,
        AssessmentForm(request.POST),
        "assess_form",
        "staffing_assess",
        CompetencyAssessment,
        lambda data: profiles.assessment_add(by=request.user, person=person, **data),
        _("Assessment saved."),
    )


@login_required
@require_POST
def lead_assessment(request, person_id: int):
    person = _writable_person(request, person_id)
    return _create(
        request,
        person,
        LeadAssessmentForm(request.POST),
        "note_form",
        "staffing_lead_assessment",
        LeadAssessment,
        lambda data: profiles.lead_assessment_add(by=request.user, person=person, **data),
        _("Assessment saved."),
    )


@login_required
@require_POST
def training_add(request, person_id: int):
    person = _writable_person(request, person_id)

    def write(data):
        fields = {k: v for k, v in data.items() if k != "version"}
        return profiles.training_add(by=request.user, person=person, **fields)

    return _create(
        request,
        person,
        TrainingForm(request.POST),
        "training_form",
        "staffing_training",
        Training,
        write,
        _("Training saved."),
    )


@login_required
def training_edit(request, pk: int):
    training = get_object_or_404(Training, pk=pk, person__in=_readable(request.user))
    person = _writable_person(request, training.person_id)
    initial = {name: getattr(training, name) for name in profiles.TRAINING_FIELDS}
    form = TrainingForm(request.POST or None, initial={**initial, "version": training.version})
    status = 200
    if request.method == "POST":
        status = save_form(
            form,
            lambda data: profiles.training_update(
                by=request.user,
                training=training,
                version=data["version"],
                **{name: data[name] for name in profiles.TRAINING_FIELDS},
            ),
        )
        if status is None:
            messages.success(request, _("Training saved."))
            return redirect("staffing:profile", person_id=person.pk)
    return render(
        request,
        "staffing/training_edit.html",
        {"form": form, "person": person, "training": training},
        status=status,
    )


def _readable(user: User):
    people = permissions.profile_people(user)
    return User.objects.all() if people is None else User.objects.filter(pk__in=people)


def _require_head(request) -> None:
    if not permissions.sees_all_profiles(request.user):
        raise PermissionDenied(_("Only the head edits the list of competencies."))


@login_required
def competencies(request):
    _require_head(request)
    form = CompetencyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                idempotency.once(
                    user=request.user,
                    key=idempotency.key_of(request),
                    scope="staffing_competency",
                    model=Competency,
                    write=lambda: profiles.competency_create(by=request.user, **data),
                )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Competency saved."))
                return redirect("staffing:competencies")
    return render(
        request,
        "staffing/competencies.html",
        {"form": form, "items": Competency.objects.all()},
        status=status,
    )


@login_required
def competency_edit(request, pk: int):
    _require_head(request)
    item = Competency.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    initial = {name: getattr(item, name) for name in profiles.COMPETENCY_FIELDS}
    form = CompetencyForm(request.POST or None, initial={**initial, "version": item.version})
    status = 200
    if request.method == "POST":
        status = save_form(
            form,
            lambda data: profiles.competency_update(
                by=request.user,
                competency=item,
                version=data["version"],
                **{name: data[name] for name in profiles.COMPETENCY_FIELDS},
            ),
        )
        if status is None:
            messages.success(request, _("Competency saved."))
            return redirect("staffing:competencies")
    return render(request, "staffing/competency_edit.html", {"form": form, "item": item}, status=status)
