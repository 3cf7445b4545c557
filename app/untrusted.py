"""Showing client-supplied text back safely: in messages, logs and terminals."""

SHOWN_CHARS = 40


def shown(text: str, *, limit: int = SHOWN_CHARS) -> str:
    """The text as it is when short and plain; escaped and cut short otherwise."""
    # A bidi override or a megabyte of text must not reach a log or a terminal as it is.
    if len(text) <= limit and text.isascii() and text.isprintable():
        return text
    return ascii(text[:limit]) + ("..." if len(text) > limit else "")
