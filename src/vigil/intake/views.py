from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vigil.intake.forms import AddressFormSet, IntakeForm, PersonFormSet, lines
from vigil.intake.service import store_staff_signal
from vigil.register.access import require
from vigil.register.records import RecordError


def _grow(data, prefix: str):
    """No-JavaScript 'add another': re-render the form with one more empty block."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    data[key] = str(int(data.get(key, 0)) + 1)
    return data


def _label(form, name: str, error: str) -> str:
    """An error summary names the field it is about."""
    return f"{form.fields[name].label}: {error}" if name in form.fields else error


@login_required
def intake(request):
    require(request.user, "intake")
    data = request.POST if request.method == "POST" else None
    if data is not None and ("add_person" in data or "add_address" in data):
        data = _grow(data, "persons" if "add_person" in data else "addresses")
    form = IntakeForm(data)
    persons = PersonFormSet(data, prefix="persons")
    addresses = AddressFormSet(data, prefix="addresses")
    adding = request.method == "POST" and ("add_person" in request.POST or "add_address" in request.POST)
    if request.method == "POST" and not adding and all(f.is_valid() for f in (form, persons, addresses)):
        d = form.cleaned_data
        rec = {
            "source": d["channel"], "organisation": d["organisation"].strip() or None, "ref": d["ref"].strip() or None,
            "received_at": d["received_at"].isoformat(),
            "observed_at": d["observed_at"].isoformat() if d["observed_at"] else None,
            "narrative": d["narrative"], "language": None if d["language"] == "other" else d["language"],
            "urgent": d["urgent"], "suspected_forms": d["suspected_forms"], "phones": lines(d["phones"]),
            "vehicles": [{"plate": p} for p in lines(d["plates"])], "bank_accounts": lines(d["bank_accounts"]),
            "online": lines(d["online"]),
            "persons": [r for r in (f.record() for f in persons) if r],
            "addresses": [r for r in (f.record() for f in addresses) if r],
        }
        try:
            signal, flagged = store_staff_signal(request.user, rec)
        except RecordError as exc:
            form.add_error(None, _("Not stored: %(field)s: %(message)s") % {"field": exc.field, "message": exc.message})
        else:
            messages.success(request, _("Signal %(ref)s stored.") % {"ref": signal.ref})
            for item in flagged:
                messages.warning(request, _("Kept as given but flagged: %(item)s") % {"item": item})
            return redirect("register:signal", pk=signal.pk)
    errors = [(f"id_{name}", _label(form, name, e)) for name, errs in (form.errors.items() if form.is_bound else [])
              for e in errs if name != "__all__"]
    for fs in (persons, addresses):
        if fs.is_bound:
            for sub in fs.forms:
                errors += [(f"id_{sub.prefix}-{name}", _label(sub, name, e)) for name, errs in sub.errors.items()
                           for e in errs if name != "__all__"]
    return render(request, "intake/intake.html",
                  {"form": form, "persons": persons, "addresses": addresses, "errors": errors if not adding else []})
