"""Linking new and changed signals as soon as they are stored (``core.tasks.now_or_later``)."""

from vigil.core.tasks import now_or_later
from vigil.linking import service


def on_signals_written(sender, ids, background=False, **_):
    from vigil.linking.tasks import link_pending

    now_or_later(ids, service.link_signals, link_pending, background=background)
