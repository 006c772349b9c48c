"""Bars for terminal tables (evaluation and benchmark commands): people look before they read."""


def bar(value, *, width=30, scale=1.0):
    """A bar of `width` characters for value/scale (0-1), eighths included."""
    blocks = " ▏▎▍▌▋▊▉"
    share = max(0.0, min(1.0, value / scale if scale else 0.0))
    full, rest = divmod(round(share * width * 8), 8)
    return ("█" * full + (blocks[rest] if rest else "")).ljust(width)
