"""The statistics dashboard and its CSV export. Thin: the counts are in ``figures``, suppression in ``tables``.

No personal data is shown, but who looked at which figures for which period is audited: small numbers are hidden in
each table, and the log shows who asked for many overlapping periods (numbers worked out as differences).
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from vigil.audit.log import record
from vigil.register.access import require
from vigil.statistics.figures import FIGURES, SECTIONS, Figures
from vigil.statistics.forms import ExportFilter, StatisticsFilter
from vigil.statistics.tables import PRIMARY, SECONDARY, THRESHOLD, suppress

CSV_HEADER = ["figure", "title", "period", "scope", "dimension", "value", "label", "breakdown", "breakdown_value",
              "breakdown_label", "count"]


def _shown(form) -> list:
    keys = [form.cleaned_data["figure"]] if form.cleaned_data.get("figure") else None
    return [suppress(t) for t in Figures(form.period(), form.scope_of()).tables(keys)]


def _detail(form, figures) -> dict:
    return {**form.terms(), "organisation": str(form.scope_of()), "figures": [f.key for f in figures]}


@login_required
def dashboard(request):
    require(request.user, "statistics")
    form = StatisticsFilter(request.GET, user=request.user)
    sections, charts, query = [], [], ""
    if form.is_valid():
        figures = _shown(form)
        for code, title in SECTIONS.items():
            sections.append({"code": code, "title": title, "figures": [f for f in figures if FIGURES[f.key] == code]})
        charts = [f.chart_data() for f in figures if not f.empty]
        query = urlencode(form.terms())
        record(request.user, "view", object_type="statistics", object_id="dashboard", detail=_detail(form, figures))
    return render(request, "statistics/dashboard.html", {
        "form": form, "sections": sections, "charts": charts, "query": query, "below": THRESHOLD - 1,
        "primary": PRIMARY, "secondary": SECONDARY,
        "period": form.period() if form.is_valid() else None, "scope": form.scope_of() if form.is_valid() else None,
    })


@login_required
def export_csv(request):
    """One long-format CSV (figure, dimension, value, breakdown, count) of all figures or one, suppressed."""
    require(request.user, "statistics")
    form = ExportFilter(request.GET, user=request.user)
    if not form.is_valid():
        lines = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
        return HttpResponseBadRequest("\n".join([_("The export was not made:"), *lines]) + "\n",
                                      content_type="text/plain; charset=utf-8")
    figures = _shown(form)
    terms = form.terms()
    period, scope = f"{terms['month_from']}..{terms['month_to']}", str(form.scope_of())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"vigil-statistics-{form.cleaned_data.get('figure') or 'all'}-{terms['month_from']}-{terms['month_to']}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    rows = 0
    for figure in figures:
        for line in figure.long_rows():
            writer.writerow([figure.key, figure.title, period, scope, *line])
            rows += 1
    record(request.user, "export", object_type="statistics", object_id=form.cleaned_data.get("figure") or "all",
           detail={**_detail(form, figures), "rows": rows})
    return response
