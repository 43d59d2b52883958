"""WaveSpeed's billing records, in one place: the search request and what its items mean.

`POST /api/v3/billings/search` with `{page, page_size, start_time, end_time, billing_type?}`
answers `{page, has_more, items[]}`; each item is `{uuid, billing_type: deduct|refund, price,
created_at, prediction?{uuid, model_uuid, status}, ...}` (WaveSpeedAI/wavespeed-cli
`src/lib/api.ts`, see ../shared/reference/wavespeed-models-update.md §12). The endpoint is not
in the public docs seen; refunds of failed tasks appear as `refund` records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from videoforge.application.ports.provider import ProviderUnavailableError
from videoforge.domain.billing import ChargeKind, ProviderCharge
from videoforge.domain.money import Cost

BILLINGS_PATH = "/api/v3/billings/search"
_KINDS = {"deduct": ChargeKind.DEDUCT, "refund": ChargeKind.REFUND}


def wire_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def search_body(page: int, page_size: int, since: datetime, until: datetime) -> dict[str, Any]:
    return {"page": page, "page_size": page_size, "start_time": wire_time(since), "end_time": wire_time(until)}


def page_of(data: Mapping[str, Any]) -> tuple[list[ProviderCharge], bool]:
    """The charges of one answer page and whether more pages follow."""
    items = data.get("items")
    if not isinstance(items, list):
        raise ProviderUnavailableError("WaveSpeed answered the billing search without its items")
    charges = [c for c in (charge_of(item) for item in items) if c is not None]
    return charges, bool(data.get("has_more"))


def charge_of(item: Any) -> ProviderCharge | None:
    """One record as a charge; None for a kind that is neither a deduction nor a refund."""
    if not isinstance(item, Mapping):
        raise ProviderUnavailableError("WaveSpeed answered the billing search with a record that is not an object")
    kind = _KINDS.get(str(item.get("billing_type", "")).lower())
    if kind is None:
        return None
    prediction = item.get("prediction") if isinstance(item.get("prediction"), Mapping) else {}
    task_id = prediction.get("uuid") or None
    try:
        amount = abs(Decimal(str(item["price"])))
        at = datetime.fromisoformat(str(item["created_at"]).replace("Z", "+00:00"))
    except (KeyError, InvalidOperation, ValueError) as e:
        raise ProviderUnavailableError(f"WaveSpeed answered a billing record that cannot be read: {e!r}") from e
    return ProviderCharge(str(item.get("uuid", "")), str(task_id) if task_id else None, kind, Cost(amount),
                          at if at.tzinfo else at.replace(tzinfo=UTC))
