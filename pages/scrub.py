"""Personal data in text that visitors write, replaced with a marker before it is stored.

Feedback comments, and any other free text visitors send, can become public records. What
looks like a personal identity or co-ordination number (personnummer, samordningsnummer),
a phone number, an e-mail address (also spelled out: "anna at example dot se"), a payment
card, an IBAN, a Swedish bank account, bankgiro or plusgiro number, or a postal address
with a street number and a postcode is replaced with MARKER.

The text goes through two steps before anything is matched:

1. `visible()` removes what hides or disguises text: zero-width spaces and joiners, word
   joiners, byte-order marks, soft hyphens, bidirectional controls, other control and
   format characters, and combining marks stacked on digits or punctuation. Its result is
   what gets stored, so no later cleaning can reassemble a number that was split to slip
   past the matching.
2. `probe()` makes a copy of the same length for matching only, with look-alikes folded:
   every script's digits become 0-9, compatibility forms (fullwidth, mathematical, circled)
   their plain forms, the many dashes, dots, slashes and spaces their ASCII forms, and the
   letters O, I and l inside numbers 0 and 1. Since every character maps to one character,
   a match in the probe is replaced at the same place in the visible text.

Numbers are matched as runs of digit groups with separators (space, - . , ( ) / _ +), so
"070.123.45.67" and "0 7 0 1 2 3 4 5 6 7" are one run. Check digits (Luhn, IBAN's mod 97)
keep sums, years, dates, times, article numbers and postcodes from being taken for
personal data.
"""

import bisect
import datetime
import functools
import itertools
import re
import unicodedata

MARKER = "[personuppgift borttagen]"

# --- Step 1: what is stored ----------------------------------------------

# Invisible characters of other categories than Cf (format): Hangul fillers, the braille
# blank, the combining grapheme joiner.
INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f"}
LINE_SEPARATORS = {"\u2028", "\u2029", "\x85", "\r"}
ZWJ = "\u200d"


def _is_plain(ch: str) -> bool:
    """ASCII, a digit, a separator or punctuation: nothing a combining mark belongs on."""
    return ch < "\x80" or unicodedata.category(ch)[0] in "NPZ"


def _keeps_joiner(before: str, after: str) -> bool:
    """Zero-width joiners build emoji (👩‍💻) and some scripts; between plain characters they
    only split words and numbers."""
    return bool(before and after) and not (_is_plain(before) or _is_plain(after))


def _hidden(ch: str, kept: list[str], following: str) -> bool:
    if ch in INVISIBLE:
        return True
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch != ZWJ or not _keeps_joiner(kept[-1] if kept else "", following)
    if category == "Cc":
        return ch not in "\n\t"
    if category in ("Mn", "Me"):
        return not kept or _is_plain(kept[-1])
    return False


def visible(text: str) -> str:
    """`text` without the characters that hide or disguise it; line breaks become "\\n"."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    kept: list[str] = []
    for index, ch in enumerate(text):
        if ch in LINE_SEPARATORS:
            kept.append("\n")
        elif " " <= ch < "\x7f" or not _hidden(ch, kept, text[index + 1 : index + 2]):
            kept.append(ch)
    return "".join(kept)


# --- Step 2: what is matched ---------------------------------------------

# Look-alikes that compatibility normalisation (NFKC) leaves alone.
FOLDS = {
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u02d7\u2e3a\u2e3b", "-"),
    **dict.fromkeys("\u00b7\u2027\u3002\u30fb\u2219\u22c5", "."),
    **dict.fromkeys("\u2044\u2215\u29f8", "/"),
}
LOOKALIKE_TOKEN_RE = re.compile(r"(?<![^\W\d_])[0-9OoIl|]*\d[0-9OoIl|]*(?![^\W\d_])")
LOOKALIKE_DIGITS = str.maketrans("OoIl|", "00111")


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    compatible = unicodedata.normalize("NFKC", ch)
    if len(compatible) == 1:
        ch = compatible
    ch = FOLDS.get(ch, ch)
    category = unicodedata.category(ch)
    if category == "Nd":
        return str(unicodedata.decimal(ch))
    if category == "Zs":
        return " "
    return ch


def probe(text: str) -> str:
    """A copy of `text` of the same length, with look-alike characters folded for matching."""
    folded = "".join(ch if ch < "\x80" else _fold_char(ch) for ch in text)
    return LOOKALIKE_TOKEN_RE.sub(lambda m: m.group().translate(LOOKALIKE_DIGITS), folded)


# --- Check digits ----------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    except ValueError:
        return False


# --- Numbers: runs of digit groups ------------------------------------------

# At most three separators between groups: wider gaps (tables, lists) part numbers.
RUN_RE = re.compile(r"(?:\+\s?|\(\+?)?\d(?:[ \t\n\-./()_+,]{0,3}\d)*")
GROUP_RE = re.compile(r"\d+")
# A run followed by one of these is an amount, a share or a count.
QUANTITY_RE = re.compile(
    r"\s*(?:kr\b|kronor|sek\b|:-|tkr|mkr|eur|euro|€|\$|%|procent|miljon|miljard|st\b)", re.I
)
# Words that make any longer number near them an account, giro or Swish number.
ACCOUNT_WORDS_RE = re.compile(
    r"\b(?:(?:bank)?konto\w*|kontonr|clearing\w*|account|acct|swish\w*|iban|nordea|swedbank"
    r"|handelsbanken|seb|danske\s+bank|länsförsäkringar|ica\s+banken|sparbank\w*|skandia\w*"
    r"|avanza|(?P<giro>bankgiro\w*|bg|plusgiro\w*|pg|postgiro\w*))\b",
    re.I,
)
ACCOUNT_WORD_REACH = 40


# No personal number has more digits than a payment card, or fewer than a plusgiro number.
MOST_DIGITS, FEWEST_DIGITS = 19, 5


class Run:
    """A run of digit groups in the probe, such as "070-123 45 67"."""

    def __init__(self, match: re.Match, text: str):
        self.start, self.end = match.span()
        self.international = match.group().lstrip("(").startswith("+")
        groups = list(GROUP_RE.finditer(match.group()))
        self.bounds = [(self.start + g.start(), self.start + g.end()) for g in groups]
        self.lengths = [len(g.group()) for g in groups]
        self.digits = "".join(g.group() for g in groups)
        self.offsets = list(itertools.accumulate(self.lengths, initial=0))
        self.separators = [
            text[left[1] : right[0]].strip() or " "
            for left, right in zip(self.bounds, self.bounds[1:], strict=False)
        ]
        self.quantity = bool(QUANTITY_RE.match(text, self.end))
        self.account_digits = _account_digits(text, self.start)

    def spans(self):
        """The stretches of the run that are personal data, longest first from the left."""
        i = 0
        while i < len(self.bounds) and not self.quantity:
            j = next((j for j in self._ends(i) if self.is_personal(i, j)), None)
            if j is None:
                i += 1
                continue
            yield (self.start if i == 0 else self.bounds[i][0]), self.bounds[j][1]
            i = j + 1

    def _ends(self, i: int):
        """The last groups of the stretches starting at group `i`, longest first."""
        j = bisect.bisect_right(self.offsets, self.offsets[i] + MOST_DIGITS) - 2
        while j >= i and self.offsets[j + 1] - self.offsets[i] >= FEWEST_DIGITS:
            yield j
            j -= 1

    def is_personal(self, i: int, j: int) -> bool:
        digits = self.digits[self.offsets[i] : self.offsets[j + 1]]
        lengths = self.lengths[i : j + 1]
        separators = self.separators[i:j]
        return (
            is_card(digits)
            or is_personnummer(digits, lengths, separators)
            or is_phone(digits, lengths, separators, self.international and i == 0)
            or is_account(digits, lengths, self.account_digits)
        )


def _account_digits(text: str, start: int) -> int | None:
    """How many digits make a number an account number here: 5 after a giro word, 7 after
    another account word, or None when no such word comes shortly before."""
    words = list(ACCOUNT_WORDS_RE.finditer(text, max(0, start - ACCOUNT_WORD_REACH), start))
    if not words:
        return None
    return 5 if any(word["giro"] for word in words) else 7


def is_card(digits: str) -> bool:
    """A payment card: 13-19 digits from a card network's range, with a valid Luhn digit."""
    return (
        13 <= len(digits) <= 19
        and digits[0] in "23456"
        and not "2000" <= digits[:4] <= "2220"
        and luhn_ok(digits)
    )


def _valid_birth_date(digits: str) -> bool:
    """(YY)YYMMDD, with the day plus 60 for a samordningsnummer, not in the future."""
    month, day = int(digits[-8:-6]), int(digits[-6:-4])
    day = day - 60 if day > 60 else day
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    if len(digits) == 12:
        return digits[:2] in ("18", "19", "20") and int(digits[:4]) <= datetime.date.today().year
    return True


def is_personnummer(digits: str, lengths: list[int], separators: list[str]) -> bool:
    """A personnummer or samordningsnummer in any written form: with or without century, with
    -, + or a space before the last four digits or none. Unless it is written the usual way
    (YYMMDD-NNNN), the Luhn digit must be right too."""
    if len(digits) not in (10, 12) or not _valid_birth_date(digits):
        return False
    grouped = len(lengths) == 1 or lengths[-1] == 4 or max(lengths) == 1
    if not grouped:
        return False
    usual = len(lengths) == 2 and lengths[0] in (6, 8) and separators[0] in ("-", "+")
    return usual or luhn_ok(digits[-10:])


def _looks_like_date_or_time(digits: str, lengths: list[int], separators: list[str]) -> bool:
    if len(lengths) >= 3 and lengths[0] <= 2 and lengths[1] <= 2 and lengths[2] == 4:
        day, month = int(digits[: lengths[0]]), int(digits[lengths[0] : lengths[0] + lengths[1]])
        year = digits[lengths[0] + lengths[1] : lengths[0] + lengths[1] + 4]
        if 1 <= day <= 31 and 1 <= month <= 12 and year[:2] in ("19", "20"):
            return True
    return lengths[:2] == [2, 2] and separators[0] in (".", ":") and int(digits[:2]) < 24


def is_phone(digits: str, lengths: list[int], separators: list[str], international: bool) -> bool:
    """A Swedish number (0 and an area code, 8-10 digits) or an international one (+ or 00
    and a country code)."""
    if international:
        return 8 <= len(digits) <= 15 and digits[0] != "0"
    if digits.startswith("00"):
        return 10 <= len(digits) <= 17 and digits[2] != "0"
    if not (digits[:1] == "0" and 8 <= len(digits) <= 10 and digits[1] != "0"):
        return False
    # Area codes have two digits only in Stockholm (08); "05.10.2021" and "09.00" are not.
    if len(lengths) > 1 and lengths[0] == 2 and digits[:2] != "08":
        return False
    return not _looks_like_date_or_time(digits, lengths, separators)


CLEARING_RANGE = (1100, 9969)
YEARS = range(1900, 2100)


def is_account(digits: str, lengths: list[int], account_digits: int | None) -> bool:
    """A bank, giro or Swish number: any long enough number after a word such as "konto",
    "bankgiro" or a bank's name, or a clearing number followed by an account number."""
    if account_digits is not None and len(digits) >= account_digits:
        return True
    if len(lengths) < 2 or lengths[0] != 4:
        return False
    clearing = int(digits[:4])
    if not CLEARING_RANGE[0] <= clearing <= CLEARING_RANGE[1] or clearing in YEARS:
        return False
    rest = len(digits) - 4
    longest = 11 if digits[0] == "8" else 10
    # "2018 2019 2020" is a list of years, not clearing number 2018 and an account.
    return 7 <= rest <= longest and (len(lengths) == 2 or 4 not in lengths[1:])


# --- Numbers written as words ----------------------------------------------

DIGIT_WORDS = {
    "noll": "0", "zero": "0", "ett": "1", "one": "1", "två": "2", "two": "2", "tre": "3",
    "three": "3", "fyra": "4", "four": "4", "fem": "5", "five": "5", "sex": "6", "six": "6",
    "sju": "7", "seven": "7", "åtta": "8", "eight": "8", "nio": "9", "nine": "9",
}  # fmt: skip
_DIGIT_WORD = "|".join(DIGIT_WORDS)
DIGIT_WORDS_RE = re.compile(rf"\b(?:{_DIGIT_WORD})(?:[\s,-]+(?:{_DIGIT_WORD})){{6,}}\b", re.I)


def _spelled_number_spans(text: str):
    for match in DIGIT_WORDS_RE.finditer(text):
        digits = "".join(DIGIT_WORDS[w.lower()] for w in re.findall(r"[^\W\d_]+", match.group()))
        lengths = [1] * len(digits)
        if (
            is_card(digits)
            or is_personnummer(digits, lengths, [" "] * (len(digits) - 1))
            or is_phone(digits, [len(digits)], [], international=False)
        ):
            yield match.span()


# --- IBAN ------------------------------------------------------------------

IBAN_LENGTHS = {
    "SE": 24, "NO": 15, "DK": 18, "FI": 18, "IS": 26, "DE": 22, "GB": 22, "IE": 22, "FR": 27,
    "NL": 18, "BE": 16, "LU": 20, "ES": 24, "PT": 25, "IT": 27, "AT": 20, "CH": 21, "PL": 28,
    "EE": 20, "LV": 21, "LT": 20, "CZ": 24, "SK": 24, "HU": 28, "GR": 27, "HR": 21, "SI": 19,
}  # fmt: skip
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,32}", re.I)


def _iban_spans(text: str):
    for match in IBAN_RE.finditer(text):
        characters = [
            (match.start() + i, ch.upper()) for i, ch in enumerate(match.group()) if ch.isalnum()
        ]
        country = characters[0][1] + characters[1][1]
        known = IBAN_LENGTHS.get(country)
        for length in [known] if known else range(min(34, len(characters)), 14, -1):
            if length <= len(characters) and iban_ok("".join(c for _, c in characters[:length])):
                yield match.start(), characters[length - 1][0] + 1
                break


# --- E-mail addresses ------------------------------------------------------

TOP_LEVEL_DOMAINS = (
    "se|nu|com|org|net|eu|info|io|fi|no|dk|is|de|at|ch|fr|es|it|nl|be|pl|ee|lv|lt|uk|us|ca"
    "|au|co|biz|me|app|dev|gov|edu|int|online|email|mail|xyz|tech|site"
)
_OPEN, _CLOSE = r"[(\[{<'\"]", r"[)\]}>'\"]"
_SPELLED_AT = rf"(?:\s*{_OPEN}\s*(?:at|snabel-?a|@)\s*{_CLOSE}\s*|\s+(?:at|snabel-?a)\s+|\s?@\s?)"
_SPELLED_DOT = rf"(?:\s*{_OPEN}\s*(?:dot|punkt|\.)\s*{_CLOSE}\s*|\s+(?:dot|punkt)\s+|\s?\.\s?)"
EMAIL_RES = [
    # An @ with something on both sides, whatever follows.
    re.compile(r"(?<![\w.+-])[\w+-]+(?:\.[\w+-]+)*\s?@\s?[\w-]+(?:(?:\.|\s\.\s)[\w-]+)*", re.I),
    # Spelled out: "anna at example dot se", "anna(snabel-a)example(punkt)se".
    re.compile(
        rf"(?<![\w.+-])[\w+-]+(?:{_SPELLED_DOT}[\w+-]+)*{_SPELLED_AT}[\w-]+(?:{_SPELLED_DOT}[\w-]+)*"
        rf"{_SPELLED_DOT}(?:{TOP_LEVEL_DOMAINS})\b",
        re.I,
    ),
]


# --- Postal addresses --------------------------------------------------------

_WORD = r"[^\W\d_]+"
_CAPITALISED = r"[A-ZÅÄÖÉÜ][^\W\d_]*"
ADDRESS_RES = [
    # "Storgatan 12 B, lgh 1102, 702 81 Örebro", "Box 1613, SE-701 16 Örebro"
    re.compile(
        rf"(?:{_CAPITALISED}\s){{0,2}}{_WORD}\s\d{{1,5}}(?:\s?[A-Za-z]\b)?(?:-\d{{1,4}})?"
        rf"(?:\s*,?\s*(?i:lgh|lägenhet|tr|trappor|trappa)\.?\s*\d{{1,4}})?"
        rf"(?:\s*,\s*|\s+)(?:SE-?\s?)?\d{{3}}\s?\d{{2}}(?!\d)\s+{_WORD}(?:[ -]{_CAPITALISED})?"
    ),
    # "221B Baker Street, London NW1 6XE"
    re.compile(
        rf"\d{{1,4}}[A-Za-z]?\s(?:{_CAPITALISED}\s){{1,3}}(?:Street|St|Road|Rd|Avenue|Ave|Lane"
        rf"|Drive|Way|Court|Place|Square|Gardens)\b\.?,?\s+(?:{_CAPITALISED},?\s+)?"
        rf"[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}}\b"
    ),
]


# --- Putting it together -----------------------------------------------------


def personal_data_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` (a probe) holds personal data, as merged (start, end) pairs."""
    spans = []
    for pattern in (*EMAIL_RES, *ADDRESS_RES):
        spans += [m.span() for m in pattern.finditer(text)]
    spans += _iban_spans(text)
    spans += _spelled_number_spans(text)
    for match in RUN_RE.finditer(text):
        spans += Run(match, text).spans()
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def scrub(text: str) -> tuple[str, bool]:
    """`text` as it may be stored, and whether personal data was replaced with MARKER.

    The result is `visible(text)` with each piece of personal data replaced; text without
    hidden characters or personal data comes back unchanged.
    """
    shown = visible(text)
    spans = personal_data_spans(probe(shown))
    parts, position = [], 0
    for start, end in spans:
        parts += [shown[position:start], MARKER]
        position = end
    parts.append(shown[position:])
    return "".join(parts), bool(spans)
