"""The public site: information pages, the report form in steps, and follow-up with the receipt code."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from vigil.public import abuse, attachments, content, service
from vigil.public.forms import ANSWER_FIELDS, STEP_NAMES, STEPS, ReceiptForm, ReplyForm
from vigil.public.middleware import FOLLOW_UP_LIMIT, NO_POW_LIMIT, SUBMIT_LIMIT


def page(request, name: str):
    try:
        text = content.load(name, get_language())
    except KeyError:
        raise Http404 from None
    return render(request, "public/page.html", {"page": text, "name": name})


def _step_form(index: int, data=None, files=None, answers: dict | None = None):
    """A step's form: bound to what was just posted, or showing earlier answers (after going back)."""
    _name, form_class, _label = STEPS[index]
    if data is not None:
        return form_class(data, files)
    return form_class(initial={k: v for k, v in (answers or {}).items() if k in form_class.base_fields and v})


def _render_step(request, index: int, form, answers: dict, status: int = 200):
    name, form_class, label = STEPS[index]
    hidden = {k: v for k, v in answers.items() if k not in form_class.base_fields and k in ANSWER_FIELDS}
    ctx = {"form": form, "step": name, "index": index, "steps": STEPS, "label": label, "hidden": hidden,
           "danger": answers.get("danger") == "yes", "last": index == len(STEPS) - 1,
           "started": answers.get("started") or abuse.started_token(),
           "summary": _summary(answers) if index == len(STEPS) - 1 else []}
    return render(request, "public/step.html", ctx, status=status)


CONTACT = {"contact_name", "contact_email", "contact_phone", "email_follow_up"}


def _summary(answers: dict) -> list[tuple[str, str]]:
    """The answers so far, as the visitor will see them before sending."""
    out = []
    for _name, form_class, _label in STEPS[:-1]:
        for field_name, field in form_class.base_fields.items():
            value = answers.get(field_name)
            if not value or (field_name in CONTACT and answers.get("anonymous") != "no"):
                continue
            if isinstance(field, forms.BooleanField):
                value = _("yes")
            elif isinstance(field, forms.ChoiceField):
                value = dict(field.choices).get(value, value)
            out.append((field.label, value))
    return out


@csrf_exempt  # see middleware: no session and no cookie to protect; abuse is handled by vigil.public.abuse
@require_http_methods(["GET", "POST"])
def report(request):
    """Step by step without JavaScript: each POST carries every earlier answer as hidden fields."""
    if request.method == "GET":
        return _render_step(request, 0, _step_form(0), {})
    answers = {k: request.POST.get(k, "") for k in ANSWER_FIELDS}
    answers["started"] = request.POST.get("started", "")
    try:
        index = STEP_NAMES.index(request.POST.get("step", ""))
    except ValueError:
        index = 0
    if "back" in request.POST:
        back = max(index - 1, 0)
        return _render_step(request, back, _step_form(back, answers=answers), answers)
    form = _step_form(index, request.POST, request.FILES)
    if not form.is_valid():
        return _render_step(request, index, form, answers, status=400)
    if index < len(STEPS) - 1:
        nxt = index + 1
        return _render_step(request, nxt, _step_form(nxt, answers=answers), answers)
    return _send(request, form, answers)


def _send(request, send_form, answers: dict):
    last = len(STEPS) - 1
    # every earlier step again: a missing or tampered step is shown to the visitor, nothing is lost
    cleaned: dict = {}
    for index in range(last):
        form = _step_form(index, {k: v for k, v in answers.items() if k in STEPS[index][1].base_fields})
        if not form.is_valid():
            return _render_step(request, index, form, answers, status=400)
        cleaned.update(form.cleaned_data)
    if send_form.cleaned_data.get("website") or not abuse.filled_by_a_person(answers.get("started", "")):
        send_form.add_error(None, _("Your report could not be sent. Please wait a moment and try again."))
        return _render_step(request, last, send_form, answers, status=400)
    # With JavaScript the browser solved a proof of work; without it, a stricter limit applies instead.
    pow_payload = request.POST.get("altcha", "")
    if pow_payload and not abuse.POW.verify(pow_payload):
        send_form.add_error(None, _("Your report could not be sent. Please wait a moment and try again."))
        return _render_step(request, last, send_form, answers, status=400)
    if (not pow_payload and not NO_POW_LIMIT.allow(getattr(request, "no_pow_key", ""))) or (
            not SUBMIT_LIMIT.allow(getattr(request, "submit_key", ""))):
        send_form.add_error(None, _("Too many reports were sent from your connection. Please try again later, "
                                    "or call 0800-7000."))
        return _render_step(request, last, send_form, answers, status=429)
    # Public requests queue for the few lane threads of this process (vigil.public.lane); after a long wait the
    # visitor is asked to send again rather than left waiting, with every answer still in the form.
    if getattr(request, "lane_waited", 0.0) > settings.VIGIL_PUBLIC_QUEUE_SECONDS:
        send_form.add_error(None, _("It is very busy right now. Please press send again in a minute."))
        return _render_step(request, last, send_form, answers, status=503)
    files, problems = _clean_files(send_form.cleaned_data.get("files") or [])
    if problems:
        for problem in problems:
            send_form.add_error("files", problem)
        return _render_step(request, last, send_form, answers, status=400)
    cleaned["anonymous"] = answers.get("anonymous")
    report, code = service.submit(cleaned, files, get_language())
    return render(request, "public/sent.html", {"code": code, "urgent": cleaned.get("danger") == "yes",
                                                "anonymous": report.anonymous})


def _clean_files(uploads) -> tuple[list, list[str]]:
    if len(uploads) > attachments.MAX_FILES:
        return [], [_("Send at most %(n)d files.") % {"n": attachments.MAX_FILES}]
    files, problems = [], []
    for number, upload in enumerate(uploads, start=1):
        if upload.size > attachments.MAX_BYTES:
            problems.append(_("File %(n)d: the file is larger than 10 MB.") % {"n": number})
            continue
        try:
            files.append(attachments.clean(upload.read()))
        except attachments.Refused as exc:
            problems.append(_("File %(n)d: %(reason)s") % {"n": number, "reason": exc})
    return files, problems


@require_http_methods(["GET"])
def challenge(request):
    """A fresh proof-of-work challenge for the ALTCHA widget on the last step."""
    response = JsonResponse(abuse.POW.challenge())
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def follow_up(request):
    """Come back with the receipt code: read questions, answer, add information or files."""
    if request.method == "GET":
        return render(request, "public/follow_up.html", {"receipt_form": ReceiptForm()})
    receipt_form = ReceiptForm(request.POST)
    if not receipt_form.is_valid():
        return render(request, "public/follow_up.html", {"receipt_form": receipt_form}, status=400)
    if not FOLLOW_UP_LIMIT.allow(getattr(request, "follow_up_key", "")):
        receipt_form.add_error(None, _("Too many attempts. Please try again later."))
        return render(request, "public/follow_up.html", {"receipt_form": receipt_form}, status=429)
    report = service.find(receipt_form.cleaned_data["receipt"])
    if report is None:
        receipt_form.add_error("receipt", _("No report was found with this code. Check the code and try again."))
        return render(request, "public/follow_up.html", {"receipt_form": receipt_form}, status=404)
    reply_form = ReplyForm(request.POST, request.FILES) if "body" in request.POST else ReplyForm()
    sent = False
    if reply_form.is_bound and reply_form.is_valid():
        files, problems = _clean_files(reply_form.cleaned_data.get("files") or [])
        if problems:
            for problem in problems:
                reply_form.add_error("files", problem)
        else:
            service.reply(report, reply_form.cleaned_data["body"], files)
            reply_form, sent = ReplyForm(), True
    return render(request, "public/follow_up.html", {
        "receipt_form": receipt_form, "report": report, "messages_": report.messages.all(),
        "reply_form": reply_form, "sent": sent, "code": receipt_form.cleaned_data["receipt"]},
        status=400 if reply_form.is_bound and reply_form.errors else 200)
