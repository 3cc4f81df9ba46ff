"""Case work on other pages ("Open case" / "Add to case") and the timeline's sentences."""

from django import template
from django.utils.translation import gettext as _

from vigil.cases.access import visible_cases
from vigil.cases.models import CaseStatus, FeedbackKind, Outcome
from vigil.register.models import Form

register = template.Library()

OFFERED = 50  # cases offered in "Add to case", the most recently changed first


@register.inclusion_tag("cases/_actions.html", takes_context=True)
def case_actions(context, source: str, pk: int, label: str = ""):
    """The two small forms on a signal, entity, template cluster or network page, for users who work cases."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.can("cases"):
        return {"show": False}
    titles = {"signal": _("Signal %(label)s"), "entity": "%(label)s", "cluster": _("Template cluster %(label)s"),
              "network": _("Network around %(label)s")}
    cases = (visible_cases(user).exclude(status=CaseStatus.CLOSED).filter(merged_into__isnull=True)
             .order_by("-updated_at").only("pk", "reference", "title")[:OFFERED])
    return {"show": True, "source": source, "pk": pk, "title": (titles.get(source, "%(label)s") % {"label": label})[:300],
            "cases": list(cases), "next": request.get_full_path(), "id": f"{source}-{pk}"}


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value or ""))


def _items(d: dict) -> str:
    parts = []
    for key, one, many in (("signals", _("%(n)s signal"), _("%(n)s signals")),
                           ("entities", _("%(n)s entity"), _("%(n)s entities")),
                           ("ads", _("%(n)s ad"), _("%(n)s ads"))):
        n = len(d.get(key) or ())
        if n:
            parts.append((one if n == 1 else many) % {"n": n})
    return ", ".join(parts) or _("nothing new")


def _via(d: dict) -> str:
    return _(" (through %(via)s)") % {"via": d["via"]} if d.get("via") else ""


SENTENCES = {
    "opened": lambda d: _("Opened the case “%(title)s”") % d + _via(d),
    "items_added": lambda d: _("Added %(items)s") % {"items": _items(d)} + _via(d),
    "status": lambda d: _("Status %(before)s → %(after)s") % {
        "before": _label(CaseStatus.choices, d.get("before")), "after": _label(CaseStatus.choices, d.get("after"))}
        + (_(", outcome: %(outcome)s") % {"outcome": _label(Outcome.choices, d["outcome"])} if d.get("outcome")
           else "") + (f" — {d['note']}" if d.get("note") else ""),
    "member_added": lambda d: _("Added %(member)s as a member") % d,
    "assigned": lambda d: (_("Assigned to %(after)s") % d) if d.get("after") else _("No longer assigned"),
    "task_added": lambda d: _("New task: %(title)s") % d + (_(", due %(due)s") % d if d.get("due") else "")
        + (_(", for %(assignee)s") % d if d.get("assignee") else ""),
    "task_done": lambda d: _("Task done: %(title)s") % d,
    "note_added": lambda d: _("Note: %(excerpt)s") % d,
    "attachment_added": lambda d: _("Attached %(name)s") % d,
    "proposal_accepted": lambda d: (_("Proposed ad network %(ad_network)s added to the case") if d.get("ad_network")
                                    else _("Proposed signal %(ref)s added to the case")) % d,
    "proposal_rejected": lambda d: (_("Proposed ad network %(ad_network)s set aside: not for this case")
                                    if d.get("ad_network") else
                                    _("Proposed signal %(ref)s set aside: not for this case")) % d,
    "merged_from": lambda d: _("Case %(source)s (“%(title)s”) merged into this case: %(items)s items, %(tasks)s "
                               "tasks, %(notes)s notes, %(attachments)s attachments, %(referrals)s referrals and "
                               "its timeline moved") % {k: d.get(k, 0) for k in (
                                   "source", "title", "items", "tasks", "notes", "attachments", "referrals")},
    "merged_into": lambda d: _("Merged into case %(target)s (“%(title)s”)") % d,
    "referred": lambda d: _("Referred to %(organisation)s (%(referral)s)") % d,
    "referral_sent": lambda d: _("Referred to %(organisation)s (%(referral)s)") % d,
    "referral_accepted": lambda d: _("%(organisation)s accepted referral %(referral)s") % d,
    "referral_declined": lambda d: _("%(organisation)s declined referral %(referral)s: %(reason)s") % d,
    "referral_withdrawn": lambda d: _("Referral %(referral)s withdrawn") % d,
    "referral_update": lambda d: _("%(organisation)s reports on %(referral)s: %(report)s") % {
        **d, "report": _label(FeedbackKind.choices, d.get("report"))}
        + (f" ({d['count']})" if d.get("count") is not None else "") + (f" — {d['note']}" if d.get("note") else ""),
}


@register.filter
def event_text(event) -> str:
    """One readable line per timeline event; an unknown kind (or a detail it lacks) is shown as it is stored."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    sentence = SENTENCES.get(event.kind)
    if sentence is not None:
        try:
            return sentence(detail)
        except (KeyError, TypeError, ValueError):
            pass
    shown = ", ".join(f"{k}: {v}" for k, v in sorted(detail.items()) if v not in ("", None, [], {}))
    return f"{event.kind}{' — ' + shown if shown else ''}"


@register.filter
def form_labels(values) -> str:
    """The forms of exploitation, as words."""
    return ", ".join(_label(Form.choices, v) for v in values or ())
