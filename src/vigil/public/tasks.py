"""Background work of the public channel."""

from django_tasks import task

from vigil.public import service


@task()
def build_pending_signals() -> int:
    """Turn every stored report that has no signal yet into one; returns how many.

    The task takes no arguments, and finished task rows are removed, so the queue never ties a
    report to the moment it was sent (reports themselves keep only the day).
    """
    from django_tasks_db.models import DBTaskResult

    built = service.build_pending_signals()
    DBTaskResult.objects.filter(task_path__endswith="build_pending_signals", finished_at__isnull=False).delete()
    return built
