"""Helpers for background tasks (django-tasks)."""

from django.conf import settings


def already_queued(task_name: str) -> bool:
    """Whether a task of this name waits in the database queue: an import of many batches enqueues it once."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith=task_name, status="READY").exists()


INLINE = 50  # a staff intake or a web report is processed at once; an import is left to the background worker


def now_or_later(ids, now, task, *, background: bool = False) -> None:
    """Signals just stored: a few stored by a person are processed at once (the page after saving shows the result);
    many, or those a partner system sends through the API (``background``), are left to the background worker,
    queued once however many batches arrive."""
    if len(ids) <= INLINE and not background:
        now(list(ids))
        return
    enqueue_once(task)


def enqueue_once(task) -> None:
    """Queue ``task`` unless it already waits: it works through everything pending when it runs."""
    if not already_queued(task.module_path.rsplit(".", 1)[-1]):
        task.enqueue()
