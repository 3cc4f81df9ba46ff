"""Helpers for background tasks (django-tasks)."""

from django.conf import settings


def already_queued(task_name: str) -> bool:
    """Whether a task of this name waits in the database queue: an import of many batches enqueues it once."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith=task_name, status="READY").exists()
