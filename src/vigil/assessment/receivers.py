"""Reading new and changed signals as soon as they are stored."""

from vigil.assessment import service
from vigil.core.tasks import already_queued

INLINE = 50  # a staff intake or a web report is read at once; an import is left to the background worker


def on_signals_written(sender, ids, **_):
    if len(ids) <= INLINE:
        service.assess_signals(list(ids))
        return
    from vigil.assessment.tasks import assess_pending

    if not already_queued("assess_pending"):
        assess_pending.enqueue()
