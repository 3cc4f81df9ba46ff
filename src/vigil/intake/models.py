from django.db import models


class ImportRun(models.Model):
    """Checkpoint of one import of a file, so an interrupted import resumes where it stopped."""

    class State(models.TextChoices):
        RUNNING = "running"
        FINISHED = "finished"

    kind = models.CharField(max_length=20, default="signals")
    path = models.CharField(max_length=1000)
    fingerprint = models.CharField(max_length=64, db_index=True, help_text="sha256 of the file's content")
    size = models.BigIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    bytes_done = models.BigIntegerField(default=0)
    lines_done = models.BigIntegerField(default=0)
    created = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    errors = models.JSONField(default=list, help_text="[{line, field, message}], at most the first 10,000")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.kind} import of {self.path} ({self.state})"
