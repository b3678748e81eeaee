"""“Hade du nytta av innehållet på denna sida?”: receiving, cleaning and reporting answers.

Feedback becomes a public record, so nothing here stores who sent it: no IP address, no
cookie, no user agent. The rate limit keeps only a salted hash of the address, in the cache.
"""

import hashlib
import logging
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from raise_site.clients import client_address

from .cache import CACHE_ERRORS
from .forms import CommentForm, FeedbackForm
from .models import LANGUAGE_CODES, Feedback, Page

logger = logging.getLogger(__name__)

MARKER = "[personuppgift borttagen]"
# A field people never see or fill in; form-filling robots do.
HONEYPOT = "website"
TOKEN_SALT = "pages.feedback.comment"  # noqa: S105 (a namespace, not a secret)
TOKEN_MAX_AGE = 60 * 60

# A personal identity or co-ordination number: (YY)YYMMDD, optional - or +, four digits.
# Co-ordination numbers add 60 to the day.
PERSONNUMMER_RE = re.compile(
    r"(?<![\d-])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    r"[-+]?\d{4}(?![\d-])"
)
# Swedish and international phone numbers: a leading 0 or +country code and at least seven
# more digits, which may be grouped with spaces, dashes, slashes or brackets.
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}|00\d{1,3}|0)[\s\-/()]*\d(?:[\s\-/()]*\d){6,12}(?!\d)"
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


def scrub(text: str) -> tuple[str, bool]:
    """Replace e-mail addresses, phone numbers and personnummer in `text` with a marker."""
    cleaned = text
    for pattern in (EMAIL_RE, PERSONNUMMER_RE, PHONE_RE):
        cleaned = pattern.sub(MARKER, cleaned)
    return cleaned, cleaned != text


def client_key(request) -> str:
    """A salted hash of the client's address: enough to count its posts, not to identify it."""
    address = client_address(request)
    salt = settings.SECRET_KEY.encode()
    return "feedback-rate:" + hashlib.sha256(salt + address.encode()).hexdigest()


def over_rate_limit(request) -> bool:
    key = client_key(request)
    window = settings.FEEDBACK_RATE_WINDOW
    try:
        if cache.add(key, 1, timeout=window):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=window)
                count = 1
    except CACHE_ERRORS:
        # Visitors' answers matter more than the rate limit while the cache is down; the
        # honeypot, the size limit and the same-origin check still apply.
        logger.warning("The feedback rate limit is unavailable.", exc_info=True)
        return False
    return count > settings.FEEDBACK_RATE_LIMIT


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


def feedback_from_token(token: str) -> Feedback | None:
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    # A comment can be added once, to an answer whose page is still public.
    return (
        Feedback.objects.filter(pk=pk, comment="", page__in=Page.objects.published())
        .select_related("page__owner")
        .first()
    )


def widget_context(page, state, token=""):
    return {
        "page": page,
        "feedback_state": state,
        "feedback_token": token,
        "feedback_max_comment": CommentForm.base_fields["comment"].max_length,
        "feedback_honeypot": HONEYPOT,
        "personal_data_url": settings.PERSONAL_DATA_URL,
    }


def state_from_query(request) -> tuple[str, str]:
    """The widget's state after a post without JavaScript, read from the redirect's query."""
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
    # Errors from here on are shown in the language of the page the visitor answered on.
    language = request.POST.get("language")
    translation.activate(language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE)
    if request.POST.get(HONEYPOT):
        return _error(request, 400, _("The answer could not be saved."))
    if not is_same_origin(request):
        return _error(request, 403, _("The answer must be sent from this website."))
    if over_rate_limit(request):
        return _error(request, 429, _("You have sent many answers in a short time. Wait a while."))
    if request.POST.get("token"):
        return _receive_comment(request)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _error(request, 400, _form_message(form))
    page = (
        Page.objects.published()
        .exclude(kind=Page.Kind.SEARCH)
        .filter(pk=form.cleaned_data["page"])
        .first()
    )
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


def _receive_comment(request):
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _error(request, 400, _form_message(form))
    feedback = feedback_from_token(form.cleaned_data["token"])
    if feedback is None:
        return _error(request, 400, _("The answer could not be saved. Please answer again."))
    comment, removed = scrub(form.cleaned_data["comment"])
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


def _error(request, status, message):
    if wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=status)
    return render(request, "pages/feedback_error.html", {"message": message}, status=status)


def notify_owner(request, feedback):
    owner = feedback.page.owner
    if owner is None or not owner.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        page_url = request.build_absolute_uri(feedback.page.get_absolute_url(feedback.language))
        subject = _("New feedback on “%(title)s”") % {"title": feedback.page.title}
        body = render_to_string(
            "pages/feedback_email.txt", {"feedback": feedback, "page_url": page_url}
        )
    send_mail(subject, body, None, [owner.email])
