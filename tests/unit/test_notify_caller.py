"""NotifyCaller on the fakes: a delivery store that fails does not turn a finished job into an error."""

from __future__ import annotations

from datetime import datetime

from tests.contracts.builders import job, later, text_request
from videoforge.adapters.fakes import FakeClock, InMemoryCallbackDeliveries
from videoforge.application.ports.callbacks import CallbackDeliveriesError, CallbackSender
from videoforge.application.use_cases.callbacks import NotifyCaller
from videoforge.domain import Cost


class Sender(CallbackSender):
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def check(self, url: str, user_id: str) -> None:
        return None

    async def send(self, url: str, message_id: str, body: bytes, at: datetime) -> int:
        self.sent.append(body)
        return 200


def finished():
    j = job(request=text_request(callback_url="https://hooks.example.com/v"))
    j.start_submission(later(1))
    j.mark_submitted("t", later(2))
    j.start_saving("https://out", later(3))
    j.complete("asset-1", Cost("0.2"), later(4))
    return j


async def describe(j):
    return {"task_id": j.id}


async def test_a_failing_delivery_store_is_logged_not_raised(caplog):
    deliveries, sender = InMemoryCallbackDeliveries(), Sender()
    deliveries.fail_next("claim", CallbackDeliveriesError("database down"))
    notify = NotifyCaller(deliveries, sender, FakeClock(), describe)
    assert await notify(finished()) is None and sender.sent == []
    assert "could not be recorded" in caplog.text


async def test_an_unfinished_job_or_one_without_a_url_sends_nothing():
    deliveries, sender = InMemoryCallbackDeliveries(), Sender()
    notify = NotifyCaller(deliveries, sender, FakeClock(), describe)
    assert await notify(job(request=text_request(callback_url="https://hooks.example.com/v"))) is None
    plain = finished()
    plain.request = text_request()
    assert await notify(plain) is None and sender.sent == [] and deliveries.deliveries == {}
    delivered = await notify(finished())
    assert delivered.state.value == "delivered" and len(sender.sent) == 1
