"""A report from the public web form: the signal it became, how to reach the reporter back, and the thread.

Nothing here identifies an anonymous reporter: no IP address, no user agent, times
rounded to the day, attachment names replaced, only a slow hash of the receipt code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil.register.models import Signal


class Relation(models.TextChoices):
    CLIENT = "client", _("Client")
    NEIGHBOUR = "neighbour", _("Neighbour")
    FRIEND_FAMILY = "friend_family", _("Friend or family")
    COLLEAGUE = "colleague", _("Colleague")
    SELF = "self", _("It happens to me")
    OTHER = "other", _("Other")


class Report(models.Model):
    """Stored at once when the reporter presses send; the signal is built from ``answers`` in the background
    (vigil.public.tasks), so a flood of reports costs the web servers little."""

    signal = models.OneToOneField(Signal, on_delete=models.CASCADE, related_name="report", null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True, help_text="the form's answers until the signal is built")
    receipt_hash = models.CharField(max_length=64, unique=True, help_text="Argon2id of the receipt code, hex")
    anonymous = models.BooleanField(default=True)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.CharField(_("e-mail"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True)
    email_follow_up = models.BooleanField(default=False, help_text="named reporter prefers e-mail to the receipt code")
    language = models.CharField(max_length=8)
    spam = models.BooleanField(_("spam"), default=False)
    day = models.DateField(help_text="day of submission; no time is kept")

    def __str__(self):
        return f"report {self.pk} ({self.signal.ref})"


class Message(models.Model):
    """One message in the thread between the reporter and the analysts."""

    class Author(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        STAFF = "staff", _("Analyst")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    staff_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    body = models.TextField()
    day = models.DateField()

    class Meta:
        ordering = ["report", "id"]

    def __str__(self):
        return f"{self.author} message {self.pk}"


class Attachment(models.Model):
    """A file from the reporter, stored only after its type was read from its content and it was cleaned."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=100, help_text="a neutral name; the original file name is not kept")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300, help_text="relative to VIGIL_DATA_DIR/attachments")

    def __str__(self):
        return self.name
