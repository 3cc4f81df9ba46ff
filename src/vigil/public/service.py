"""Turning a public report into a signal, and the follow-up thread (plain Python, no request needed)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vigil.audit.log import record as audit
from vigil.public import attachments, receipts
from vigil.public.models import Attachment, Message, Relation, Report
from vigil.register.models import Channel
from vigil.register.records import prepare
from vigil.register.writer import OwnerResolver, write_one

SENDER = "Vigil webformulier"


def _lines(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", "\n").replace(",", "\n").splitlines() if part.strip()]


def signal_record(answers: dict, language: str, ref: str, day: dt.datetime) -> dict:
    """The report in the signal interchange format, so it passes the same gate as every other signal."""
    parts = [answers["what"]]
    labels = [("where", "address"), ("where", "city"), ("online", "online"), ("who", "people"),
              ("names", "names"), ("when", "when")]
    for label, key in labels:
        if answers.get(key):
            parts.append(f"[{label}] {answers[key]}")
    if answers.get("ongoing"):
        parts.append("[ongoing] yes")
    parts.append(f"[relation] {Relation(answers['relation']).value}")
    persons = []
    if answers.get("people") or answers.get("names"):
        persons.append({"role": "other", "name": None, "aliases": _lines(answers.get("names", "")),
                        "description": answers.get("people") or None})
    if answers.get("anonymous") == "no":
        persons.append({"role": "reporter", "name": answers.get("contact_name") or None,
                        "phones": _lines(answers.get("contact_phone", "")),
                        "emails": [answers["contact_email"]] if answers.get("contact_email") else []})
    online = answers.get("online", "").strip()
    return {
        "source": "other", "channel": Channel.PUBLIC_WEB.value, "ref": ref, "organisation": SENDER,
        "owner": settings.VIGIL_PUBLIC_OWNER, "received_at": day.isoformat(),
        "narrative": "\n\n".join(parts), "language": language, "urgent": answers.get("danger") == "yes",
        "persons": persons,
        "addresses": [{"full": answers.get("address") or None, "city": answers.get("city") or None}]
        if answers.get("address") or answers.get("city") else [],
        "phones": _lines(answers.get("phones", "")),
        "vehicles": [{"plate": p} for p in _lines(answers.get("vehicles", ""))],
        "online": [online] if online and not any(c.isspace() for c in online) else [],
    }


def _store_files(report: Report, files: list, message: Message | None = None) -> None:
    if not files:
        return
    start = report.attachments.count()
    for i, cleaned in enumerate(files, start=start + 1):
        path, sha = attachments.store(cleaned)
        Attachment.objects.create(report=report, message=message, name=f"bijlage-{i}.{cleaned.extension}",
                                  content_type=cleaned.content_type, size=len(cleaned.data), sha256=sha, path=path)


def submit(answers: dict, files: list[attachments.Clean], language: str, code: str = "") -> tuple[Report, str]:
    """Store a report and queue the building of its signal; returns it with its receipt code, which exists
    only in this return value. (``code`` is for the demo world only, so its logins can be printed.)"""
    from vigil.public.tasks import build_pending_signals

    code = code or receipts.new_code()
    with transaction.atomic():
        report = Report.objects.create(
            receipt_hash=receipts.digest(code), anonymous=answers.get("anonymous") != "no",
            relation=answers["relation"], contact_name=answers.get("contact_name", ""),
            contact_email=answers.get("contact_email", ""), contact_phone=answers.get("contact_phone", ""),
            email_follow_up=bool(answers.get("email_follow_up")), language=language, day=timezone.localdate(),
            answers=answers)
        _store_files(report, files)
        build_pending_signals.enqueue()  # the task row commits together with the report
    return report, code


def build_pending_signals(limit: int = 500) -> int:
    """Build signals for waiting reports; several workers may run this at once (rows are locked, not shared)."""
    built = 0
    while True:
        with transaction.atomic():
            ids = list(Report.objects.select_for_update(skip_locked=True).filter(signal__isnull=True)
                       .order_by("id").values_list("id", flat=True)[:limit])
            for report_id in ids:
                build_signal(report_id)
        built += len(ids)
        if len(ids) < limit:
            return built


def build_signal(report_id: int) -> int:
    """The report's answers become a signal (the same gate as every other signal); the answers are then dropped."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.signal_id:
            return report.signal_id
        day = timezone.make_aware(dt.datetime.combine(report.day, dt.time.min))
        ref = f"WEB-{day:%Y}-{secrets.token_hex(4).upper()}"
        prep = prepare(signal_record(report.answers, report.language, ref, day))
        prep.signal.created_at = prep.signal.updated_at = day
        report.signal = write_one(prep, OwnerResolver(), recorded_by="web form", recorded_at=day)
        report.answers = {}
        report.save(update_fields=["signal", "answers"])
        return report.signal_id


def find(code: str) -> Report | None:
    digest = receipts.digest(code)
    return Report.objects.select_related("signal").filter(receipt_hash=digest).first() if digest else None


def reply(report: Report, body: str, files: list[attachments.Clean]) -> Message:
    with transaction.atomic():
        message = Message.objects.create(report=report, author=Message.Author.REPORTER, body=body,
                                         day=timezone.localdate())
        _store_files(report, files, message)
    return message


def ask(user, report: Report, body: str) -> Message:
    """An analyst's question to the reporter, shown when they come back with the receipt code."""
    message = Message.objects.create(report=report, author=Message.Author.STAFF, staff_user=user, body=body,
                                     day=timezone.localdate())
    audit(user, "create", report.signal, detail={"question": message.pk})
    return message


def mark_spam(user, report: Report, spam: bool = True) -> None:
    report.spam = spam
    report.save(update_fields=["spam"])
    if spam:
        report.signal.status, report.signal.updated_at = "closed", timezone.now()
        report.signal.save(update_fields=["status", "updated_at"])
    audit(user, "update", report.signal, detail={"spam": spam})
