"""Error types of the forecast package. Every error names what is wrong and where."""


class ForecastError(Exception):
    """Base class of every error raised on purpose by ``forecast``."""


class SchemaError(ForecastError, ValueError):
    """A frame or CSV does not match its documented schema (names file, column, rows)."""


class ScenarioError(ForecastError, ValueError):
    """A scenario (object or file) is invalid."""


class ModelError(ForecastError, RuntimeError):
    """A model could not be fitted or used as asked."""
