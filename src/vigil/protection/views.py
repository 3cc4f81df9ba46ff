"""The deadlines dashboard, the records and their steps, and permit flags. Thin: access in ``access.py``, the rules
in the models, changes in ``service.py``, deadlines in ``deadlines.py``. Every page is audited; a record or flag of
another organisation answers 404 and is audited as denied; a role without the capability gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.audit.log import record as audit
from vigil.cases.access import visible_cases
from vigil.core.paging import page_of
from vigil.protection import deadlines as dl
from vigil.protection import service
from vigil.protection.access import get_flag, get_record, visible_flags, visible_records
from vigil.protection.forms import (
    STEP_FORMS,
    ExemptionDecisionForm,
    FlagForm,
    FlagStepForm,
    PermitDecisionForm,
    RecordForm,
    add_errors,
)
from vigil.protection.models import FLAG_STEPS, Decision, Reminder
from vigil.register.access import get_visible, require, visible_signals
from vigil.register.models import Person

PAGE_SIZE = 50


@login_required
def dashboard(request):
    """Deadlines of the organisation's records, overdue first, then by date; the open reminders beside them."""
    require(request.user, "protection")
    records = visible_records(request.user)
    current = dl.deadlines(records)
    reminders = dl.open_reminders(records, current)
    audit(request.user, "view", object_type="protection_deadlines", object_id=request.user.organisation_id,
          detail={"deadlines": len(current), "reminders": len(reminders)})
    return render(request, "protection/dashboard.html", {
        "deadlines": current, "overdue": sum(d.overdue for d in current), "reminders": reminders,
        "records": records.count()})


@login_required
def records(request):
    require(request.user, "protection")
    q = request.GET.get("q", "").strip()
    qs = visible_records(request.user).prefetch_related("permits", "exemptions")
    if q:
        qs = qs.filter(Q(display_name__icontains=q) | Q(reference__iexact=q) | Q(v_number__iexact=q))
    paged = page_of(request, qs, PAGE_SIZE)
    rows = paged.pop("rows")
    today = timezone.localdate()
    audit(request.user, "view", object_type="protection_records", object_id=request.user.organisation_id,
          detail={"terms": q, "shown": len(rows)})
    return render(request, "protection/records.html", {
        "rows": [(r, r.stage(today), min(dl.of_record(r, today), key=lambda d: d.due, default=None))
                 for r in rows],
        "q": q, **paged})


@login_required
def new(request):
    require(request.user, "protection")
    form = RecordForm(request.POST or None, user=request.user,
                      initial={k: request.GET.get(k, "") for k in ("person", "entity", "case")})
    if request.method == "POST" and form.is_valid():
        try:
            rec = service.open_record(request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Record %(ref)s opened.") % {"ref": rec.reference})
            return redirect("protection:record", pk=rec.pk)
    candidates = candidates_for(request.user)
    audit(request.user, "view", object_type="protection_candidates", object_id=request.user.organisation_id,
          detail={"persons": [p.pk for p in candidates]})
    return render(request, "protection/new.html", {"form": form, "candidates": candidates})


CANDIDATES = 30


def candidates_for(user) -> list:
    """The latest possible victims in signals the user may read that have no record in the organisation yet."""
    have = visible_records(user).filter(person__isnull=False).values("person_id")
    return list(Person.objects.filter(role=Person.PersonRole.VICTIM, signal__in=visible_signals(user))
                .exclude(pk__in=have).exclude(name="").select_related("signal")
                .order_by("-signal__received_at", "position")[:CANDIDATES])


def _initial(rec) -> dict:
    return {
        "details": {"display_name": rec.display_name, "nationality": rec.nationality, "birth_date": rec.birth_date,
                    "v_number": rec.v_number, "person": rec.person_id, "entity": rec.entity_id,
                    "case": rec.case.reference if rec.case_id else ""},
        "reflection": {"reflection_offered": {True: "yes", False: "no"}.get(rec.reflection_offered, ""),
                       **{f: getattr(rec, f) for f in service.STEPS["reflection"] if f != "reflection_offered"}},
        "cooperation": {f: getattr(rec, f) for f in service.STEPS["cooperation"]},
        "closed": {f: getattr(rec, f) for f in service.STEPS["closed"]},
    }


def _page(request, rec, bound=None):
    """The record page; ``bound`` is the step form that failed, shown with its errors."""
    today = timezone.localdate()
    initial = _initial(rec)
    forms = {}
    for step, cls in STEP_FORMS.items():
        if step.endswith("_decision"):
            continue
        kwargs = {"user": request.user} if cls is RecordForm else {}
        forms[step] = cls(initial=initial.get(step), prefix=step, **kwargs)
    if bound is not None and bound.prefix in forms:
        forms[bound.prefix] = bound
    permits = list(rec.permits.all())
    exemptions = list(rec.exemptions.all())

    def decision_form(cls, key, obj):
        if bound is not None and bound.prefix == f"{key}-{obj.pk}":
            return bound
        return cls(prefix=f"{key}-{obj.pk}") if obj.decision == Decision.PENDING else None

    current = dl.of_record(rec, today)
    return render(request, "protection/record.html", {
        "rec": rec, "stage": rec.stage(today), "age": rec.age_on(today), "forms": forms,
        "permits": [(p, decision_form(PermitDecisionForm, "permit", p)) for p in permits],
        "exemptions": [(e, decision_form(ExemptionDecisionForm, "exemption", e)) for e in exemptions],
        "deadlines": sorted(current, key=lambda d: d.due),
        "reminders": dl.open_reminders(type(rec).objects.filter(pk=rec.pk), current),
        "events": _history(rec),
        "person_visible": rec.person_id and visible_signals(request.user).filter(pk=rec.person.signal_id).exists(),
        "open_step": bound.prefix.split("-")[0] if bound is not None else "",
    })


def _label(fields: dict, name: str) -> str:
    return str(fields[name].verbose_name) if name in fields else name.replace("_", " ")


def _shown(fields: dict, name: str, value) -> str:
    if value in ("", None):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(fields.get(name), "choices", None) or ())
    return str(choices.get(value, value))


def _history(rec) -> list[tuple]:
    """Each event with its changes as (label, before, after) and its other details as (label, value), in the words
    of the forms (field and choice labels) and in the order of the fields (jsonb keeps no order)."""
    from vigil.protection.models import Exemption, Permit, ProtectionRecord

    models = {"permit": Permit, "exemption": Exemption}
    out = []
    for e in rec.events.select_related("user"):
        fields = {f.name: f for f in models.get(e.kind.split("_")[0], ProtectionRecord)._meta.get_fields()
                  if hasattr(f, "verbose_name")}
        order = {name: i for i, name in enumerate(fields)}
        detail = dict(e.detail)
        changes = sorted(detail.pop("changes", {}).items(), key=lambda kv: order.get(kv[0], len(order)))
        other = sorted(((k, v) for k, v in detail.items() if v not in ("", None, []) and k not in models),
                       key=lambda kv: order.get(kv[0], len(order)))
        out.append((e, [(_label(fields, k), _shown(fields, k, b), _shown(fields, k, a)) for k, (b, a) in changes],
                    [(_label(fields, k), _shown(fields, k, v)) for k, v in other]))
    return out


@login_required
def record_detail(request, pk: int):
    rec = get_record(request.user, pk)
    audit(request.user, "view", rec)
    return _page(request, rec)


@login_required
@require_POST
def update(request, pk: int):
    """Record one step (which one: the ``step`` field); on an error the page is shown again with it."""
    rec = get_record(request.user, pk, purpose="update")
    step = request.POST.get("step", "")
    if step not in STEP_FORMS:
        audit(request.user, "view", rec)
        messages.error(request, _("Choose a step to record."))
        return _page(request, rec)
    cls = STEP_FORMS[step]
    target = None
    prefix = step
    if step.endswith("_decision"):
        key = step.removesuffix("_decision")
        try:
            target = getattr(rec, f"{key}s").get(pk=int(request.POST.get("target", "")))
        except (ValueError, TypeError, ObjectDoesNotExist):
            raise Http404("not found") from None
        prefix = f"{key}-{target.pk}"
    form = cls(request.POST, prefix=prefix, **({"user": request.user} if cls is RecordForm else {}))
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            _save(request.user, rec, step, data, target)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Recorded."))
            return redirect("protection:record", pk=rec.pk)
    rec = get_record(request.user, pk)  # as stored: a refused change must not show as made
    audit(request.user, "view", rec)
    return _page(request, rec, bound=form)


def _save(user, rec, step, data, target) -> None:
    if step in service.STEPS:
        service.update(user, rec, step, data)
    elif step == "permit":
        service.apply_permit(user, rec, **data)
    elif step == "exemption":
        service.request_exemption(user, rec, **data)
    elif step == "permit_decision":
        service.decide_permit(user, target, **data)
    elif step == "exemption_decision":
        service.decide_exemption(user, target, **data)


@login_required
@require_POST
def dismiss(request, pk: int):
    """Mark a reminder done (and the earlier steps of the same deadline); a later step reminds again."""
    require(request.user, "protection")
    reminder = get_visible(request.user, Reminder.objects.filter(record__in=visible_records(request.user)), pk,
                           object_type="reminder", purpose="dismiss")
    Reminder.objects.filter(record_id=reminder.record_id, kind=reminder.kind, subject=reminder.subject,
                            due=reminder.due, days_before__gte=reminder.days_before,
                            dismissed_at__isnull=True).update(dismissed_at=timezone.now(), dismissed_by=request.user)
    audit(request.user, "update", reminder.record, detail={"reminder_done": reminder.pk, "kind": reminder.kind})
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else "protection:dashboard")


# --- permit actions ------------------------------------------------------------------------------------------------


@login_required
def flags(request):
    require(request.user, "permits")
    qs = visible_flags(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    paged = page_of(request, qs, PAGE_SIZE)
    rows = paged.pop("rows")
    audit(request.user, "view", object_type="permit_flags", object_id=request.user.organisation_id,
          detail={"shown": len(rows)})
    return render(request, "protection/flags.html", {"rows": rows, "status": status, **paged})


@login_required
def flag_new(request):
    require(request.user, "permits")
    form = FlagForm(request.POST or None, user=request.user,
                    initial={k: request.GET.get(k, "") for k in ("person", "company", "entity", "signals")})
    if request.method == "POST" and form.is_valid():
        try:
            f = service.flag(request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Flag %(ref)s proposed.") % {"ref": f.reference})
            return redirect("protection:flag", pk=f.pk)
    return render(request, "protection/flag_new.html", {"form": form})


def _flag_page(request, f, form=None):
    allowed = FLAG_STEPS.get(f.status, set())
    return render(request, "protection/flag.html", {
        "flag": f, "steps": f.steps.select_related("user"),
        "signals": visible_signals(request.user).filter(pk__in=f.signals.values("pk")),
        "hidden_signals": f.signals.exclude(pk__in=visible_signals(request.user).values("pk")).count(),
        "cases": visible_cases(request.user).filter(pk__in=f.cases.values("pk")),
        "hidden_cases": f.cases.exclude(pk__in=visible_cases(request.user).values("pk")).count(),
        "form": form or (FlagStepForm(allowed=allowed) if allowed else None),
    })


@login_required
def flag_detail(request, pk: int):
    f = get_flag(request.user, pk)
    audit(request.user, "view", f)
    return _flag_page(request, f)


@login_required
@require_POST
def flag_step(request, pk: int):
    f = get_flag(request.user, pk, purpose="decide")
    allowed = FLAG_STEPS.get(f.status, set())
    form = FlagStepForm(request.POST, allowed=allowed or {"-"})
    if form.is_valid():
        try:
            service.move_flag(request.user, f, form.cleaned_data["status"], form.cleaned_data["reason"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Recorded."))
            return redirect("protection:flag", pk=f.pk)
    audit(request.user, "view", f)
    return _flag_page(request, f, form)

