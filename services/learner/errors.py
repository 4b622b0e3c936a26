"""Domain errors, mapped to gRPC status codes in one place (server.py).

The domain modules raise these and know nothing of gRPC.
"""


class LearnerError(Exception):
    """Base class; ``field`` names the request field at fault when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class InvalidArgument(LearnerError):
    """The request is malformed (-> INVALID_ARGUMENT)."""


class FailedPrecondition(LearnerError):
    """The request is valid but the learner is not in a state to serve it (-> FAILED_PRECONDITION)."""


class AlreadyExists(LearnerError):
    """The target (export folder) exists already (-> ALREADY_EXISTS)."""


class NotFound(LearnerError):
    """A file the request names does not exist (-> NOT_FOUND)."""
