from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from vigil.audit.forms import AuditFilter
from vigil.audit.log import record
from vigil.audit.models import AuditEntry
from vigil.core.paging import page_of
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
    paged = page_of(request, qs.order_by("-id"), PAGE_SIZE)
    return render(request, "audit/log.html", {"filters": filters, "entries": paged.pop("rows"), **paged})
