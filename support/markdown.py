"""Markdown to safe HTML, for every text people write (ticket messages, macros, help articles).

markdown-it-py renders CommonMark with raw HTML disabled; nh3 then keeps only an allow-list of tags, attributes and
URL schemes, so no script, event handler or javascript: link can survive whatever the input. `markdown_words` gives
a text's readable words without rendering it (search excerpts, embedded passages).
"""
import re
from html import unescape

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table").enable(
    "strikethrough"
)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text):
    """Render Markdown source to sanitised HTML (links open safely, only http(s)/mailto URLs)."""
    html = _md.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP = re.compile(r"<[^>]+>|^\s{0,3}(?:#{1,6}\s|>\s?|[-*+]\s|\d+[.)]\s)|[*_`~]+|^\s*\|?[-:| ]+\|?\s*$", re.M)


def markdown_words(markdown):
    """The readable words of a Markdown text, for excerpts: much cheaper than rendering it. The result is plain
    text and must still be escaped."""
    text = _MD_MARKUP.sub(" ", _MD_LINK.sub(r"\1", _MD_IMAGE.sub(" ", markdown or "")))
    return re.sub(r"\s+", " ", unescape(text).replace("|", " ")).strip()
