from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

# The first page that fits each capability, in order of preference.
START_PAGES = [("read_signals", "register:queue"), ("audit", "audit"), ("admin", "admin:index")]


@login_required
def home(request):
    for capability, page in START_PAGES:
        if request.user.can(capability):
            return redirect(page)
    return redirect("logout")
