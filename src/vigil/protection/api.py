"""Victim-protection endpoints of the partner API (IND tokens only)."""

from ninja import Router

router = Router(tags=["protection"])
