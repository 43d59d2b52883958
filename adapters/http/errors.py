from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from videoforge.adapters.http.auth import AuthError, ForbiddenError
from videoforge.adapters.http.ranges import RangeNotSatisfiableError
from videoforge.adapters.http.routes.webhooks import WebhookRejectedError
from videoforge.adapters.http.schemas import QuotaErrorOut, UsageInfoOut
from videoforge.application.errors import JobNotCancellableError
from videoforge.application.ports import (
    AssetLibraryError,
    AssetNotFoundError,
    JobNotFoundError,
    JobRepositoryError,
    PlansNotAssignableError,
    PlanSourceError,
    QuotaGuardError,
    UsageMeterError,
)
from videoforge.application.ports.storage import StorageError
from videoforge.domain import InvalidRequestError, QuotaExceededError
from videoforge.domain.billing import InsufficientBalanceError


def body(error: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": error, "message": message, **extra}


# Errors answered with their status and {"error": name, "message": the error's sentence}.
PLAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    ForbiddenError: (403, "forbidden"),
    PlansNotAssignableError: (409, "plans_not_assignable"),  # the host's resolver decides plans
    PlanSourceError: (503, "plans_unavailable"),  # the plans cannot be told now: nothing was reserved
}


def plain(status: int, name: str) -> Any:
    async def handle(_: Request, e: Exception) -> JSONResponse:
        return JSONResponse(body(name, str(e)), status_code=status)

    return handle


def validation_body(errors: Sequence[Any]) -> dict[str, Any]:
    """The documented error body for a request the schema refuses, naming the first field; the
    values given are never echoed (they may be huge, binary, or not representable in JSON)."""
    details = [{"loc": [str(p) for p in error.get("loc", ())], "msg": str(error.get("msg", "")),
                "type": str(error.get("type", ""))} for error in errors]
    first = details[0] if details else {"loc": [], "msg": "is not valid"}
    field = ".".join(first["loc"][1:]) or ".".join(first["loc"]) or None
    return body("invalid_request", f"{field}: {first['msg']}", field=field, allowed=None, detail=details)


def install_validation_handlers(app: FastAPI) -> None:
    """A request the schema or the domain refuses: 422 with the documented error body, naming the field."""

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, e: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(e.errors()), status_code=422)

    @app.exception_handler(InvalidRequestError)
    async def invalid(_: Request, e: InvalidRequestError) -> JSONResponse:
        allowed = [str(a) for a in e.allowed] if e.allowed is not None else None
        return JSONResponse(body("invalid_request", str(e), field=e.field, allowed=allowed), status_code=422)


def install_busy_handlers(app: FastAPI) -> None:
    """A store that is busy for now (a database with no connection to spare: its port error says
    `retryable`) is 503 with Retry-After, for the client to ask again; any other store failure is
    a 500 that names no internals."""

    async def store_failed(_: Request, e: Exception) -> JSONResponse:
        if getattr(e, "retryable", False):
            return JSONResponse(body("busy", "the service is busy; try again in a moment"), status_code=503,
                                headers={"Retry-After": "1"})
        return JSONResponse(body("internal_error", "the request could not be completed"), status_code=500)

    for error in (JobRepositoryError, AssetLibraryError, QuotaGuardError, UsageMeterError, StorageError):
        app.add_exception_handler(error, store_failed)


async def quota_refused(_: Request, e: Exception) -> JSONResponse:
    """The legacy quota body (429), its amounts as decimal strings like every amount of the API."""
    usage_info = getattr(e, "usage_info", {})
    refusal = QuotaErrorOut(error=str(e), message=str(e), usage_info=UsageInfoOut(**usage_info))
    return JSONResponse(refusal.model_dump(mode="json", exclude_none=True), status_code=429)


def install_error_handlers(app: FastAPI) -> None:
    """Each error a caller can cause, mapped once: its status and a JSON body that says it."""

    @app.exception_handler(AuthError)
    async def unauthorised(_: Request, e: AuthError) -> JSONResponse:
        return JSONResponse(body("unauthorized", str(e)), status_code=401, headers={"WWW-Authenticate": "Bearer"})

    for error, (status, name) in PLAIN_ERRORS.items():
        app.add_exception_handler(error, plain(status, name))

    install_validation_handlers(app)
    install_busy_handlers(app)

    app.add_exception_handler(QuotaExceededError, quota_refused)

    @app.exception_handler(InsufficientBalanceError)
    async def unaffordable(_: Request, e: InsufficientBalanceError) -> JSONResponse:
        # The operator's account balance is theirs: the caller learns only that it falls short.
        return JSONResponse(body("insufficient_balance", f"the {e.provider} account cannot cover this job's price "
                                 f"({e.price}) right now; nothing was reserved"), status_code=402)

    @app.exception_handler(JobNotFoundError)
    @app.exception_handler(AssetNotFoundError)
    async def not_found(_: Request, e: Exception) -> JSONResponse:
        return JSONResponse(body("not_found", str(e)), status_code=404)

    @app.exception_handler(WebhookRejectedError)
    async def rejected(_: Request, e: WebhookRejectedError) -> JSONResponse:
        return JSONResponse(body("invalid_webhook", str(e)), status_code=400)

    @app.exception_handler(JobNotCancellableError)
    async def conflict(_: Request, e: JobNotCancellableError) -> JSONResponse:
        return JSONResponse(body("not_cancellable", str(e)), status_code=409)

    @app.exception_handler(RangeNotSatisfiableError)
    async def bad_range(_: Request, e: RangeNotSatisfiableError) -> JSONResponse:
        return JSONResponse(body("range_not_satisfiable", str(e)), status_code=416,
                            headers={"Content-Range": f"bytes */{e.size}"})
