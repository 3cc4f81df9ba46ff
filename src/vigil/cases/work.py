"""The day-to-day work on a case: its assignee, tasks, notes and attachments. Plain functions (views, the demo and
the API call them); each change writes its timeline event in the same transaction and is audited. Access to the
case itself (members only) is checked before these are called (``cases/access.py``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from vigil.audit.log import record
from vigil.cases.models import Attachment, Case, Note, Task
from vigil.cases.service import CaseError, _touch, add_member, event
from vigil.organisations.models import User
from vigil.organisations.roles import CAPABILITIES
from vigil.public import attachments

MAX_ATTACHMENT_BYTES = attachments.MAX_BYTES


def workable(case: Case) -> None:
    """A merged case stays readable but takes no more work: that happens on the case it was merged into."""
    if case.merged_into_id:
        raise CaseError(_("%(ref)s was merged into %(target)s: work on that case.") % {
            "ref": case.reference, "target": case.merged_into.reference})


def colleagues(case: Case):
    """Who may be added to the case or given its tasks: active users of the owning organisation who work cases."""
    roles = [role for role, caps in CAPABILITIES.items() if "cases" in caps]
    return User.objects.filter(organisation_id=case.owner_id, role__in=roles, is_active=True).order_by(
        "last_name", "first_name", "username")


@transaction.atomic
def assign(user, case: Case, assignee: User | None) -> Case:
    """Give the case to a colleague (who becomes a member), or to nobody."""
    workable(case)
    if assignee is not None:
        add_member(user, case, assignee)  # refuses anyone outside the organisation or without case work
    before = case.assignee.get_username() if case.assignee else ""
    case.assignee = assignee
    case.updated_at = timezone.now()
    case.save(update_fields=["assignee", "updated_at"])
    event(case, user, "assigned", before=before, after=assignee.get_username() if assignee else "")
    record(user, "update", case, detail={"assignee": assignee.get_username() if assignee else ""})
    return case


@transaction.atomic
def add_task(user, case: Case, title: str, *, due: dt.date | None = None, assignee: User | None = None) -> Task:
    workable(case)
    if not title.strip():
        raise CaseError(_("Describe the task."))
    if assignee is not None and not case.members.filter(user=assignee).exists():
        raise CaseError(_("%(user)s is not a member of %(ref)s.") % {"user": assignee, "ref": case.reference})
    task = Task.objects.create(case=case, title=title.strip()[:300], due=due, assignee=assignee, created_by=user)
    event(case, user, "task_added", task=task.pk, title=task.title, due=due.isoformat() if due else "",
          assignee=assignee.get_username() if assignee else "")
    record(user, "update", case, detail={"task_added": task.pk})
    _touch(case)
    return task


@transaction.atomic
def complete_task(user, case: Case, task: Task) -> Task:
    workable(case)
    if task.case_id != case.pk:
        raise CaseError(_("Task not found."))
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        event(case, user, "task_done", task=task.pk, title=task.title)
        record(user, "update", case, detail={"task_done": task.pk})
        _touch(case)
    return task


def overdue(task: Task, today: dt.date | None = None) -> bool:
    return task.done_at is None and task.due is not None and task.due < (today or timezone.localdate())


@transaction.atomic
def add_note(user, case: Case, text: str) -> Note:
    workable(case)
    if not text.strip():
        raise CaseError(_("Write the note first."))
    note = Note.objects.create(case=case, text=text.strip(), author=user)
    event(case, user, "note_added", note=note.pk, excerpt=Truncator(note.text).chars(80))
    record(user, "update", case, detail={"note_added": note.pk})
    _touch(case)
    return note


@transaction.atomic
def attach(user, case: Case, name: str, raw: bytes) -> Attachment:
    """Keep a file with the case. Its type is read from the content as for files from the public (images, PDF
    without active parts, plain text; images re-encoded from their pixels), never from the name; the name gets the
    extension of what it is."""
    workable(case)
    try:
        clean = attachments.clean(raw)
    except attachments.Refused as exc:
        raise CaseError(str(exc)) from None
    stem = PurePath(name.replace("\\", "/")).stem.strip()[:200] or "file"
    item = Attachment.objects.create(case=case, name=f"{stem}.{clean.extension}", content_type=clean.content_type,
                                     size=len(clean.data), sha256=hashlib.sha256(clean.data).hexdigest(),
                                     data=clean.data, uploaded_by=user)
    event(case, user, "attachment_added", attachment=item.pk, name=item.name, size=item.size)
    record(user, "update", case, detail={"attachment_added": item.pk, "sha256": item.sha256})
    _touch(case)
    return item

