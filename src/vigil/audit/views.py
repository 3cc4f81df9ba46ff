from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from vigil.audit.forms import AuditFilter
from vigil.audit.log import record
from vigil.audit.models import AuditEntry
from vigil.register.access import require

PAGE_SIZE = 100


@login_required
def audit_log(request):
    """The privacy officer's view of who read, searched, exported and changed what."""
    require(request.user, "audit")
    filters = AuditFilter(request.GET or None)
    qs = AuditEntry.objects.all()
    if filters.is_valid():
        qs = filters.apply(qs)
        terms = {k: str(v) for k, v in filters.cleaned_data.items() if v}
        if terms:
            record(request.user, "search", object_type="audit", detail={"terms": terms})
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    rows = list(qs.order_by("-id")[(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"filters": filters, "entries": rows[:PAGE_SIZE], "page": page,
                                              "has_next": len(rows) > PAGE_SIZE, "query": query.urlencode()})
