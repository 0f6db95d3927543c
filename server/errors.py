"""The error body of every refusal (docs/trust.md §4), and the status code of each kind.

``{"error": {"exit": 1|2|3|4, "kind": "refused|invalid|not-found|conflict|unauthorized|…",
"message": "…", "zh": "…", "field": "…"|null}}``. ``exit`` is the CLI's exit code of the same
refusal (product.md §5), so the CLI as a client exits as it would locally. ``message`` is English,
``zh`` the Chinese text (the CLI prints the one ``--lang`` asks for). Never a stack trace: an
error nobody foresaw answers 500 with a reference the server's log carries beside the trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from disputes.domain.errors import (
    ConcurrentModification,
    DisputesError,
    InvalidInput,
    InvalidInputs,
    NotFound,
    RuleViolation,
    StoreError,
)

WHO_RULES = frozenset(
    {
        "RoleNotAllowed",
        "NotResponsibleLeader",
        "OutOfScope",
        "PurposeRequired",
        "NotSystemAdmin",
        "SeparationOfDuties",
        "ActorMismatch",
        "NotTheSignedInPerson",
    }
)
"""Refusals about *who* acts or reads (answered 403); other rule refusals are about the case's
lifecycle (answered 409). Named by class so the list holds for rules added later."""


@dataclass(frozen=True)
class ApiError:
    """One refusal: its HTTP status and the error body's fields."""

    status: int
    exit: int
    kind: str
    message: str
    zh: str | None = None
    field: str | None = None

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "exit": self.exit,
                "kind": self.kind,
                "message": self.message,
                "zh": self.zh or self.message,
                "field": self.field,
            }
        }


def _named(error: BaseException, names: frozenset[str]) -> bool:
    return any(cls.__name__ in names for cls in type(error).__mro__)


def api_error(error: DisputesError) -> ApiError:
    """The status and body of a domain error."""
    text, zh = error.message, error.zh
    if _named(error, frozenset({"Unauthorized"})):
        return ApiError(401, 1, "unauthorized", text, zh)
    if isinstance(error, RuleViolation):
        status = 403 if _named(error, WHO_RULES) else 409
        return ApiError(status, 1, "refused", text, zh)
    if isinstance(error, NotFound):
        return ApiError(404, 3, "not-found", text, zh)
    if isinstance(error, ConcurrentModification):
        return ApiError(409, 4, "conflict", text, zh)
    if isinstance(error, StoreError):
        return ApiError(503, 2, "unavailable", text, zh)
    field = None
    if isinstance(error, InvalidInput):
        field = error.field
    elif isinstance(error, InvalidInputs) and error.errors:
        field = error.errors[0][0]
    return ApiError(422, 2, "invalid", text, zh, field)


def unauthorized(message: str, zh: str) -> ApiError:
    return ApiError(401, 1, "unauthorized", message, zh)


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        2,
        "invalid",
        f"request body too large: at most {limit} bytes; nothing was recorded",
        f"请求内容过大：最多 {limit} 字节；未记录任何内容",
    )


def too_many(seconds: int) -> ApiError:
    return ApiError(
        429,
        1,
        "refused",
        f"too many sign-in attempts; wait {seconds} seconds and try again",
        f"登录尝试过于频繁；请等待 {seconds} 秒后再试",
    )


def internal(reference: str) -> ApiError:
    return ApiError(
        500,
        2,
        "internal",
        f"the server failed to answer (reference {reference}; its log has the details); "
        "nothing that was not acknowledged was recorded",
        f"服务器处理失败（编号 {reference}，详情见服务器日志）；未确认的操作均未记录",
    )
