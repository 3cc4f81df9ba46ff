"""Readings in words: the engine stores codes (``means``, ``immediate``, ``means.threats``); analysts read labels
in their own language."""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigil.assessment import catalogue
from vigil.assessment.models import Element, Family, PriorityPart, SmugglingReading, Trafficking, Urgency
from vigil.register.models import Form

register = template.Library()
KINDS = {"element": Element, "family": Family, "form": Form, "urgency": Urgency, "trafficking": Trafficking,
         "smuggling": SmugglingReading, "part": PriorityPart}


@register.filter
def label(code, kind: str) -> str:
    """``{{ "means"|label:"element" }}``; an unknown code is shown as it is rather than hidden."""
    try:
        return str(KINDS[kind](code).label)
    except ValueError:
        return str(code)


@register.filter
def labels(codes, kind: str) -> str:
    return ", ".join(label(c, kind) for c in codes or ())


@register.filter
def indicator_labels(ids) -> str:
    """Indicator ids (evidence of an element, urgency reasons, smuggling signs) as catalogue labels."""
    known = catalogue.current().indicators
    language = get_language() or "nl"
    out = []
    for ident in ids or ():
        if ident == "source.urgent":
            out.append(_("marked urgent by the source"))
        else:
            out.append(known[ident].label_in(language) if ident in known else ident)
    return ", ".join(out)
