"""Linking new and changed signals as soon as they are stored."""

from vigil.core.tasks import already_queued
from vigil.linking import service

INLINE = 50  # a staff intake or a web report is linked at once; an import is left to the background worker


def on_signals_written(sender, ids, **_):
    if len(ids) <= INLINE:
        service.link_signals(list(ids))
        return
    from vigil.linking.tasks import link_pending

    if not already_queued("link_pending"):
        link_pending.enqueue()
