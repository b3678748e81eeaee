"""“Hade du nytta av innehållet på denna sida?”: receiving, cleaning and reporting answers.

Feedback becomes a public record, so nothing here stores who sent it: no IP address, no
cookie, no user agent. The rate limit counts a keyed hash of the client's address in the
database (raise_site/limits.py), for the length of its window only.

With JavaScript the widget posts in place and gets JSON back. Without it, or when the
in-place request fails, the form is posted as usual: after an answer is saved the visitor is
redirected back to the page; when it is not valid (an expired form, a comment too long), the
page they were on is shown again with the widget saying why and keeping their answer and
comment, as a form with errors is. Posts over the rate limit (429), and all posts while the
database is down (503 with Retry-After), get a plain page that says why, keeps the answer
ready to send again and links back to the page; nothing is stored.
"""

import logging
import re
import smtplib
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core import signing
from django.db import Error as DatabaseLibraryError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from raise_site import limits, mail
from raise_site.clients import client_network

from .forms import CommentForm, FeedbackForm
from .models import LANGUAGE_CODES, Feedback, Page
from .scrub import scrub

logger = logging.getLogger(__name__)

# A field people never see or fill in; form-filling robots do.
HONEYPOT = "website"
TOKEN_SALT = "pages.feedback.comment"  # noqa: S105 (a namespace, not a secret)
TOKEN_MAX_AGE = 60 * 60
# Seconds a visitor is asked to wait while the database is down.
RETRY_AFTER = 30
PAGE_ID_RE = re.compile(r"\d{1,12}")
RETURN_PATH_MAX_LENGTH = 1100


def over_rate_limit(request) -> bool:
    return limits.hit(
        "feedback",
        client_network(request),
        settings.FEEDBACK_RATE_LIMIT,
        settings.FEEDBACK_RATE_WINDOW,
    )


def is_same_origin(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    if origin is None:
        # Browsers before 2020 send neither header on a same-site form post.
        return True
    return origin == f"{request.scheme}://{request.get_host()}"


def is_valid_form_body(body: bytes) -> bool:
    """Whether an urlencoded body decodes to UTF-8 text throughout."""
    try:
        for pair in body.split(b"&"):
            for part in pair.split(b"=", 1):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def comment_token(feedback: Feedback) -> str:
    return signing.dumps(feedback.pk, salt=TOKEN_SALT)


def _commentable(pk):
    # A comment can be added once, to an answer whose page is still public.
    return (
        Feedback.objects.filter(pk=pk, comment="", page__in=Page.objects.published())
        .select_related("page__owner")
        .first()
    )


def feedback_from_token(token: str, *, expired_too=False) -> Feedback | None:
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=None if expired_too else TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return _commentable(pk)


def widget_context(page, state, token="", problem="", answer="", comment=""):
    """The feedback widget's template context. `problem`, `answer` and `comment` are set
    when a post without JavaScript failed: what went wrong, and what the visitor sent."""
    return {
        "page": page,
        "feedback_state": state,
        "feedback_token": token,
        "feedback_problem": problem,
        "feedback_answer": answer,
        "feedback_comment": comment,
        "feedback_max_comment": CommentForm.base_fields["comment"].max_length,
        "feedback_honeypot": HONEYPOT,
        "personal_data_url": settings.PERSONAL_DATA_URL,
    }


def state_from_query(request) -> tuple:
    """The widget's state: after a failed post, the one `receive` chose; after a redirect,
    read from the query ("feedback=comment&token=…" or "feedback=thanks")."""
    if hasattr(request, "feedback_widget"):
        return request.feedback_widget
    step = request.GET.get("feedback")
    if step == "thanks":
        return "thanks", ""
    token = request.GET.get("token", "")
    if step == "comment" and token:
        try:
            signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            return "question", ""
        return "comment", token
    return "question", ""


@csrf_exempt
@require_POST
def receive(request):
    # Public pages set no cookies so that any proxy can cache them; without a cookie there is
    # no CSRF token to check. What a forged post could do is small (add one anonymous answer)
    # and browsers tell us where a post comes from: Sec-Fetch-Site, or Origin in older ones.
    # Posts another site makes a visitor's browser send are refused on those headers, and the
    # rate limit, honeypot and size limit below deal with scripts that send posts directly.
    if not _small_enough(request):
        return _error(request, 413, _("Your answer is too long."))
    if request.content_type != "application/x-www-form-urlencoded":
        return _error(request, 415, _("The answer could not be saved."))
    if not is_valid_form_body(request.body):
        return _error(request, 400, _("The answer could not be saved."))
    # Everything from here on is shown in the language of the page the visitor answered on.
    language = request.POST.get("language")
    translation.activate(language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE)
    if request.POST.get(HONEYPOT):
        return _error(request, 400, _("The answer could not be saved."))
    if not is_same_origin(request):
        return _error(request, 403, _("The answer must be sent from this website."))
    try:
        return _receive(request)
    except DatabaseLibraryError:
        logger.warning("Feedback refused: the database is unavailable.", exc_info=True)
        return _unavailable(request)


def _receive(request):
    if over_rate_limit(request):
        # A plain page, not the page the visitor was on: refusing must stay cheap.
        message = _("You have sent many answers in a short time. Wait a while.")
        return _refused(request, 429, message)
    if request.POST.get("token"):
        return _receive_comment(request)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _failed(request, 400, _form_message(form))
    page = _answerable(form.cleaned_data["page"])
    if page is None:
        return _error(request, 400, _("The page you answered about does not exist."))
    feedback = Feedback.objects.create(
        page=page,
        language=form.cleaned_data["language"],
        helpful=form.cleaned_data["answer"] == "yes",
    )
    # After “No” visitors are asked what they missed; after “Yes” they are thanked.
    state = "thanks" if feedback.helpful else "comment"
    return _respond(request, page, feedback, state)


def _answerable(pk) -> Page | None:
    return Page.objects.published().exclude(kind=Page.Kind.SEARCH).filter(pk=pk).first()


def _receive_comment(request):
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _failed(request, 400, _form_message(form))
    feedback = feedback_from_token(form.cleaned_data["token"])
    if feedback is None:
        if feedback_from_token(form.cleaned_data["token"], expired_too=True):
            message = _(
                "The form had been open a long time, so your comment was not saved. Send it again."
            )
        else:
            message = _("The answer could not be saved. Please answer again.")
        return _failed(request, 400, message)
    comment, removed = scrub(form.cleaned_data["comment"])
    with transaction.atomic():
        feedback.comment = comment
        feedback.personal_data_removed = removed
        feedback.save(update_fields=["comment", "personal_data_removed"])
    if comment and not feedback.helpful:
        notify_owner(request, feedback)
    return _respond(request, feedback.page, feedback, "thanks")


def _respond(request, page, feedback, state):
    token = comment_token(feedback) if state == "comment" else ""
    if wants_json(request):
        html = render_to_string(
            "includes/feedback_body.html", widget_context(page, state, token), request
        )
        return JsonResponse({"ok": True, "state": state, "html": html})
    url = page.get_absolute_url(feedback.language)
    query = f"feedback=comment&token={token}" if token else "feedback=thanks"
    return redirect(f"{url}?{query}#feedback")


def _small_enough(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length <= settings.FEEDBACK_MAX_BODY_BYTES


def _form_message(form) -> str:
    return next(iter(form.errors.values()))[0]


# --- When an answer cannot be saved ------------------------------------------


def _kept_widget(request, message):
    """The page to show again and the widget's state there: the comment form with the
    visitor's text while their token still works (a late one is renewed), otherwise the
    question, with the answer they gave."""
    post = request.POST
    if post.get("token"):
        feedback = feedback_from_token(post["token"], expired_too=True)
        if feedback is not None:
            state = ("comment", comment_token(feedback), message, "no", post.get("comment", ""))
            return feedback.page, state
    page = _answerable(post["page"]) if PAGE_ID_RE.fullmatch(post.get("page", "")) else None
    answer = post.get("answer") if post.get("answer") in ("yes", "no") else ""
    return page, ("question", "", message, answer, "")


def _failed(request, status, message):
    """An answer or comment that was not saved: with JavaScript, an error to show in place;
    without, the page the visitor was on, its widget saying why and keeping their answer."""
    page, widget = _kept_widget(request, message)
    if wants_json(request):
        data = {"ok": False, "error": message}
        if page is not None and widget[1] and widget[1] != request.POST.get("token"):
            # A renewed token: the comment form to send again, with the visitor's text.
            html = render_to_string(
                "includes/feedback_body.html", widget_context(page, *widget), request
            )
            data["html"] = html
        return JsonResponse(data, status=status)
    if page is None:
        return _error(request, status, message)
    try:
        match = resolve(page.get_absolute_url())
    except Resolver404:
        return _error(request, status, message)
    request.feedback_widget = widget
    response = match.func(request, *match.args, **match.kwargs)
    response.status_code = status
    response.page_cacheable = False
    patch_cache_control(response, private=True, no_store=True)
    return response


def _return_path(request) -> str:
    """The page the form was on, when the post says so and it is an address on this site."""
    path = request.POST.get("return", "")
    if (
        path.startswith("/")
        and len(path) <= RETURN_PATH_MAX_LENGTH
        and url_has_allowed_host_and_scheme(path, allowed_hosts=None)
    ):
        return path
    return ""


def _error(request, status, message, **extra):
    if wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=status)
    context = {"message": message, "return_path": _return_path(request), **extra}
    response = render(request, "pages/feedback_error.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _refused(request, status, message):
    """A plain page saying why, with the visitor's answer ready to send again."""
    post = request.POST
    kept = {
        "kept": {
            **{name: post.get(name, "") for name in ("page", "language", "token")},
            "return": _return_path(request),
        },
        "kept_answer": post.get("answer") if post.get("answer") in ("yes", "no") else "",
        "kept_comment": post.get("comment", ""),
        "feedback_honeypot": HONEYPOT,
        "feedback_max_comment": CommentForm.base_fields["comment"].max_length,
    }
    return _error(request, status, message, **kept)


def _unavailable(request):
    """503 while the database is down; nothing has been stored."""
    message = _("Your answer could not be saved just now. Please try again in a while.")
    response = _refused(request, 503, message)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def notify_owner(request, feedback):
    """E-mail the page's owner about a “No” with a comment. The comment is saved already, so
    a mail server that does not answer is logged, not shown to the visitor."""
    owner = feedback.page.owner
    if owner is None or not owner.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        page_url = request.build_absolute_uri(feedback.page.get_absolute_url(feedback.language))
        subject = _("New feedback on “%(title)s”") % {"title": feedback.page.title}
        body = render_to_string(
            "pages/feedback_email.txt", {"feedback": feedback, "page_url": page_url}
        )
    try:
        mail.send(subject, body, [owner.email])
    except (smtplib.SMTPException, OSError):
        logger.exception("The page owner could not be e-mailed about new feedback.")
