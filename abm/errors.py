"""Error types of the abm package. Every error names what is wrong and where.

A message is one line and short: newlines are shown as ``\\n`` and a message
longer than :data:`MAX_MESSAGE_CHARS` is cut in the middle, so a 5 MB cell
never makes a 5 MB message. Values quoted in messages go through :func:`shown`.
"""

MAX_MESSAGE_CHARS = 600
"""Longest error message [characters]; longer ones are cut in the middle."""
MAX_SHOWN_CHARS = 60
"""Longest value quoted in a message [characters] (:func:`shown`)."""


def shown(value, limit: int = MAX_SHOWN_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, saying how long it was."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def cut(text, limit: int = MAX_SHOWN_CHARS) -> str:
    """``str(text)`` cut to ``limit`` characters, saying how long it was (no quotes)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _one_line(message: str) -> str:
    text = str(message).replace("\r", "\\r").replace("\n", "\\n")
    if len(text) > MAX_MESSAGE_CHARS:
        half = MAX_MESSAGE_CHARS // 2
        text = f"{text[:half]} [... {len(text) - 2 * half:,} characters cut ...] {text[-half:]}"
    return text


class ABMError(Exception):
    """Base class of every error raised on purpose by ``abm`` (message: one short line)."""

    def __init__(self, message: str = "", *args) -> None:
        super().__init__(_one_line(message), *args)


class InputError(ABMError, ValueError):
    """An arrivals, facilities or plan input (frame or CSV) is invalid."""


class ConfigError(ABMError, ValueError):
    """A model configuration value is out of range or inconsistent."""
