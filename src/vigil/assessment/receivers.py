"""Reading new and changed signals as soon as they are stored."""

from vigil.assessment import service

INLINE = 50  # a staff intake or a web report is read at once; an import is left to the background worker


def on_signals_written(sender, ids, **_):
    if len(ids) <= INLINE:
        service.assess_signals(list(ids))
        return
    from vigil.assessment.tasks import assess_pending

    if not _already_queued():
        assess_pending.enqueue()


def _already_queued() -> bool:
    from django.conf import settings

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith="assess_pending", status="READY").exists()
