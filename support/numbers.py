"""Numbers read from what people type into URLs and forms."""


def id_from_text(value, *, max_digits=18):
    """The integer an id-like string spells in ASCII digits ("42" -> 42), or None. str.isdigit() is not enough:
    "²" and "①" are digits to it and errors to int(); and a number past a bigint is not an id either."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None
