"""Background work of the assessment: keep every stored reading current."""

from django_tasks import task

from vigil.assessment import service


@task()
def assess_pending() -> int:
    """Assess every signal whose reading is missing or out of date (new version, new catalogue)."""
    return service.assess_stale()
