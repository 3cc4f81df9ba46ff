"""The assessment in the workspace: the panel on the signal page, the reviews, and the catalogue page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.assessment import catalogue as catalogues
from vigil.assessment import service
from vigil.assessment.forms import IndicatorReviewForm, ReadingReviewForm
from vigil.assessment.models import Assessment, IndicatorReview, ReadingReview
from vigil.audit.log import record
from vigil.core.forms import error_line
from vigil.register.access import get_signal, require, works_on


def _tip(ind, language: str) -> str:
    return f"{ind.label_in(language)} — {ind.source['document']}, {ind.source['section']}"


def panel(user, signal) -> dict:
    """Context for the assessment panel and the signs marked in the narrative."""
    assessment = Assessment.objects.filter(pk=signal.pk).first()
    if assessment is None:
        return {"assessment": None, "signs": []}
    cat = catalogues.current()
    language = get_language() or "nl"
    verdicts, readings = service.judgements([signal.pk])
    verdicts, reading_review = verdicts.get(signal.pk, {}), readings.get(signal.pk)
    engine = assessment.reading
    current = service.effective(engine, verdicts, reading_review)
    rows = []
    engine_ids = {i["id"] for i in engine["indicators"]}
    for ind in engine["indicators"] + [i for i in current["indicators"] if i["id"] not in engine_ids]:
        known = cat.indicators.get(ind["id"])
        rows.append({"id": ind["id"], "label": known.label_in(language) if known else ind["id"],
                     "description": known.description_in(language) if known else "", "element": ind["element"],
                     "weight": ind["weight"], "source": ind["source"], "evidence": ind["evidence"],
                     "by_engine": ind["id"] in engine_ids, "verdict": verdicts.get(ind["id"])})
    signs = []
    for ind in engine["indicators"]:
        known = cat.indicators.get(ind["id"])
        review = verdicts.get(ind["id"])
        if known is None or (review and review.verdict == IndicatorReview.Verdict.REJECTED):
            continue
        for ev in ind["evidence"]:
            if ev["field"] == "narrative" and ev["start"] is not None:
                signs.append((ev["start"], ev["end"], ind["id"], _tip(known, language)))
    reviewer = works_on(user, signal, "review")
    return {
        "assessment": assessment, "engine": engine, "current": current, "rows": rows, "signs": signs,
        "set_aside": [dict(a, label=cat.indicators[a["id"]].label_in(language)) for a in engine.get("set_aside", [])
                      if a["id"] in cat.indicators],
        "outdated": assessment.catalogue_version != cat.version,
        "history": sorted([*IndicatorReview.objects.filter(signal=signal).select_related("by"),
                           *ReadingReview.objects.filter(signal=signal).select_related("by")],
                          key=lambda r: r.at, reverse=True),
        "indicator_form": IndicatorReviewForm() if reviewer else None,
        "reading_form": ReadingReviewForm() if reviewer else None,
    }


def _reviewable(request, pk: int):
    """The signal when this user may judge it; otherwise None, with the refusal audited and explained."""
    require(request.user, "review")
    signal = get_signal(request.user, pk, purpose="review")
    if works_on(request.user, signal, "review"):
        return signal
    record(request.user, "denied", signal, detail={"purpose": "review"})
    messages.error(request, _("Only the owning organisation can review a signal."))
    return None


def _saved_or_errors(request, form, save) -> None:
    if form.is_valid():
        save(form.cleaned_data)
        messages.success(request, _("Your judgement is saved."))
    else:
        messages.error(request, _("Not saved: %(errors)s") % {"errors": error_line(form)})


@login_required
@require_POST
def review_indicator(request, pk: int):
    signal = _reviewable(request, pk)
    if signal is not None:
        _saved_or_errors(request, IndicatorReviewForm(request.POST), lambda d: service.review_indicator(
            request.user, signal, d["indicator"], d["verdict"], d["reason"]))
    return redirect(f"{signal_url(pk)}#assessment")


@login_required
@require_POST
def review_reading(request, pk: int):
    signal = _reviewable(request, pk)
    if signal is not None:
        _saved_or_errors(request, ReadingReviewForm(request.POST), lambda d: service.review_reading(
            request.user, signal, None if d["keep_forms"] else d["forms"], d["urgency"], d["priority"],
            d["reason"]))
    return redirect(f"{signal_url(pk)}#assessment")


def signal_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("register:signal", args=[pk])


@login_required
def catalogue_page(request):
    """Every indicator with its element, forms, weight, source and languages: what the engine looks for, and why."""
    cat = catalogues.current()
    language = get_language() or "nl"
    families: dict[str, list] = {}
    for ind in cat.indicators.values():
        families.setdefault(ind.family, []).append({
            "id": ind.id, "label": ind.label_in(language), "description": ind.description_in(language),
            "element": ind.element, "forms": ind.forms, "weight": ind.weight, "source": ind.source,
            "urgent": ind.urgent, "smuggling": ind.smuggling, "structured": ind.structured,
            "languages": ind.languages,
            "patterns": sum(1 for p in cat.matcher.patterns if p.indicator == ind.id)})
    return render(request, "assessment/catalogue.html", {"catalogue": cat, "families": families})
