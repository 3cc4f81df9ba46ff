"""Audit logins and failed logins."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from vigil.audit.log import record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record(user, "login", object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    record(None, "login_failed", object_type="user", detail={"username": credentials.get("username", "")})
