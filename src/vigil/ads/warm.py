"""Imported by the import's fork server before it forks the workers (``Kind.preload``): Django, the assessment
catalogue, the extraction tables and the language model are loaded once there and every worker starts with them
(each worker built them itself before: about 5 s of CPU per worker and per import)."""

try:
    import django

    django.setup()
    from vigil.ads import pipeline

    pipeline.warm()
except Exception:  # noqa: BLE001 - nothing is lost: a worker then builds what it needs itself
    pass
