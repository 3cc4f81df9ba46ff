"""Background work of the public channel."""

from django_tasks import task

from vigil.public import service


@task()
def build_signal(report_id: int) -> int:
    """Turn a stored report into a signal in the receiving organisation's queue; returns the signal's id."""
    return service.build_signal(report_id)
