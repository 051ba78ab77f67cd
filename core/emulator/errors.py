"""Errors as the service answers them: an error code (`__type`), a message and an HTTP status."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFound", message)


def in_use(message: str) -> ServiceError:
    return ServiceError("ResourceInUse", message)
