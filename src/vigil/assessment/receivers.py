"""Reading new and changed signals as soon as they are stored (``core.tasks.now_or_later``)."""

from vigil.assessment import service
from vigil.core.tasks import now_or_later


def on_signals_written(sender, ids, background=False, **_):
    from vigil.assessment.tasks import assess_pending

    now_or_later(ids, service.assess_signals, assess_pending, background=background)
