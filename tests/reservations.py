from __future__ import annotations

from videoforge.application.ports.quota import QuotaGuard
from videoforge.domain import Cost
from videoforge.domain.quota import ReservationState


async def reservation_state(quota: QuotaGuard, user_id: str, period: str) -> str:
    """The state of the reservation of a user's only job in `period`, read through the port as
    the quota counts it: held (reserved), counted as usage (settled), or neither (released)."""
    usage = (await quota.check(user_id, Cost(0), period)).usage
    assert usage.calls + usage.reserved_calls <= 1, f"{user_id} has more than one job counted in {period}"
    if usage.reserved_calls:
        return ReservationState.RESERVED
    return ReservationState.SETTLED if usage.calls else ReservationState.RELEASED
