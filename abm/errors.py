"""Error types of the abm package. Every error names what is wrong and where."""


class ABMError(Exception):
    """Base class of every error raised on purpose by ``abm``."""


class InputError(ABMError, ValueError):
    """An arrivals, facilities or plan input (frame or CSV) is invalid."""


class ConfigError(ABMError, ValueError):
    """A model configuration value is out of range or inconsistent."""
