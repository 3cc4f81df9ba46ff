"""Background work of linking: keep the graph current with the register."""

from django_tasks import task

from vigil.linking import service


@task()
def link_pending() -> int:
    """Link every signal whose version the graph does not hold yet."""
    return service.link_stale()["signals"]


@task()
def resolve_persons() -> dict:
    """Resolve persons again after a judgement (the judgement applies to the next resolution)."""
    from vigil.linking import resolution

    return resolution.resolve_persons()
