"""Regular expressions admins write for custom ticket fields (a transaction hash, a UID): checked when a field is
saved, matched whole against bounded input.

Python's `re` has no timeout (the `regex` package, which has one, is not a dependency), so matching stays fast by
two limits instead: the input is at most REGEX_INPUT_MAX characters (services refuse longer values before matching),
and a pattern may not nest repetition or repeat an alternation, the shapes that backtrack exponentially
("(a+)+", "(a|aa)*"), nor refer back to a group. What remains matches a 200-character input in microseconds.
"""
import re
from functools import lru_cache
from re import _parser

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PATTERN_MAX = 300
REGEX_INPUT_MAX = 200
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _backtracks(items, repeated=False):
    """Whether a parsed pattern repeats a repetition or an alternation, or refers back to a group."""
    for op, av in items:
        name = str(op)
        if name in _REPEATS:
            low, high, body = av
            repeats = high > 1
            if (repeats and repeated) or _backtracks(body, repeated or repeats):
                return True
        elif name == "BRANCH":
            if repeated or any(_backtracks(branch, repeated) for branch in av[1]):
                return True
        elif name == "SUBPATTERN":
            if _backtracks(av[-1], repeated):
                return True
        elif name in ("ASSERT", "ASSERT_NOT"):
            if _backtracks(av[1], repeated):
                return True
        elif name == "ATOMIC_GROUP":
            if _backtracks(av, repeated):
                return True
        elif name in ("GROUPREF", "GROUPREF_EXISTS"):
            return True
    return False


def _problems():
    """What Python's `re` says is wrong (its messages are English), in the admin's language, by their beginning."""
    return {
        "unterminated character set": _("a [ has no closing ]"),
        "missing ), unterminated subpattern": _("a ( has no closing )"),
        "unbalanced parenthesis": _("a ) has no opening ("),
        "nothing to repeat": _("*, + or ? follows nothing it could repeat"),
        "multiple repeat": _("two repetitions follow each other, e.g. a**"),
        "bad character range": _("a range of characters runs backwards, e.g. [z-a]"),
        "bad escape": _("an unknown escape with \\"),
        "min repeat greater than max repeat": _("a repetition's minimum is above its maximum, e.g. {3,1}"),
        "look-behind requires fixed-width pattern": _("a look-behind must have a fixed length"),
    }


def _problem(exc):
    """One re.error (or an overflow) as people read it: what is wrong and where."""
    message = getattr(exc, "msg", "") or ""
    reason = next((text for start, text in _problems().items() if message.startswith(start)),
                  _("it does not compile"))
    position = getattr(exc, "pos", None)
    if position is None:
        return str(reason)
    return _("%(problem)s (at character %(position)s)") % {"problem": reason, "position": position + 1}


def pattern_validate(pattern):
    """A pattern an admin may store: valid for Python's `re`, at most PATTERN_MAX characters, without the shapes
    that backtrack exponentially. Raises ValidationError in the admin's language."""
    if len(pattern) > PATTERN_MAX:
        raise ValidationError(_("Keep the pattern under %(limit)s characters.") % {"limit": PATTERN_MAX},
                              code="pattern_too_long")
    try:
        parsed = _parser.parse(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise ValidationError(_("This is not a valid regular expression: %(error)s") % {"error": _problem(exc)},
                              code="pattern_invalid") from exc
    if _backtracks(parsed):
        raise ValidationError(
            _("Repetition inside repetition, a repeated alternation or a back-reference can make matching very "
              "slow: write it with a character class, e.g. [0-9a-f]{64} rather than (0|1|…)+."),
            code="pattern_slow")


@lru_cache(maxsize=256)
def _compiled(pattern):
    return re.compile(pattern)


def pattern_matches(pattern, value):
    """Does the whole value match? Values longer than REGEX_INPUT_MAX never do (callers refuse them first)."""
    return len(value) <= REGEX_INPUT_MAX and _compiled(pattern).fullmatch(value) is not None
