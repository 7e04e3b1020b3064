"""The small exception tree; api/errors.py maps each class to one HTTP status."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: ``str(exc)`` is a sentence a person understands."""


class ConfigurationError(AssistantError):
    """A setting is missing or wrong; raised at start-up."""


class NotFoundError(AssistantError):
    pass


class ConflictError(AssistantError):
    pass


class UnauthenticatedError(AssistantError):
    """No API key or session, or one that is not valid (HTTP 401)."""


class ForbiddenError(AssistantError):
    """A valid key whose role may not do this (HTTP 403). A project the key does not cover is a NotFoundError,
    so that a key learns nothing about other projects."""


class RateLimitedError(AssistantError):
    """Too many calls of this kind for one key (HTTP 429)."""

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class InvalidInputError(AssistantError):
    pass


class UnsupportedTypeError(InvalidInputError):
    pass


class TooLargeError(InvalidInputError):
    pass


class ProviderUnavailableError(AssistantError):
    """A model, the vector store or another backing service cannot be reached or failed."""


class ModelOutputError(ProviderUnavailableError):
    """The LLM answered, but not with what was asked for (after the retries)."""


class ModelBusyError(ProviderUnavailableError):
    """The model is serving others and this call could not start within its budget (HTTP 503)."""

    def __init__(self, message: str, *, position: int, retry_after_s: float) -> None:
        super().__init__(message)
        self.position = position
        self.retry_after_s = retry_after_s
