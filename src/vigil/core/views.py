from django.shortcuts import redirect

# The first page that fits each capability, in order of preference.
START_PAGES = [("read_signals", "register:queue"), ("audit", "audit"), ("admin", "admin:index")]


def home(request):
    """Staff go to their start page; anyone else to the public site."""
    if not request.user.is_authenticated:
        return redirect("public:index")
    for capability, page in START_PAGES:
        if request.user.can(capability):
            return redirect(page)
    return redirect("logout")
