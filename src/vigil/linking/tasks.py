"""Background work of linking: keep the graph current with the register."""

from django_tasks import task

from vigil.linking import service


@task()
def link_pending() -> int:
    """Link every signal whose version the graph does not hold yet (after an import of signals)."""
    return service.link_stale(ad_networks=False)["signals"]


@task()
def link_ad_networks() -> int:
    """The ad networks whose phones, e-mails or accounts changed (after an import of ads)."""
    return service.link_ad_networks()


@task()
def resolve_persons() -> dict:
    """Resolve persons again after a judgement (the judgement applies to the next resolution)."""
    from vigil.linking import resolution

    return resolution.resolve_persons()


@task()
def resolve_organisations() -> dict:
    """Resolve organisations again after a judgement (the judgement applies to the next resolution)."""
    from vigil.linking import resolution

    return resolution.resolve_organisations()
