"""What the SQL job repository does with input files given as bytes, which it does not write
to the database: this process keeps them, within a cap, until the job is submitted."""

from __future__ import annotations

from tests.contracts.builders import job, later, text_request
from videoforge.adapters.fakes import fake_image
from videoforge.adapters.sql import SqlJobRepository
from videoforge.domain import JobStatus, MediaInput, MediaKind


def image_job(size: int = 0):
    data = fake_image() + b"\0" * size
    request = text_request(operation="image_to_video", model="alibaba/wan-2.5/image-to-video", aspect_ratio=None,
                           image=MediaInput.from_bytes(MediaKind.IMAGE, data, "image/png", "face.png"))
    return job(request=request)


async def test_bytes_inputs_are_described_in_the_row_and_kept_by_the_process_that_added_them(engine):
    original = image_job()
    await SqlJobRepository(engine).add(original)

    here = await SqlJobRepository(engine).get(original.id)  # another process: only the description
    assert here.request.inputs_not_kept == (MediaKind.IMAGE,)
    assert (here.request.image.size, here.request.image.filename) == (original.request.image.size, "face.png")


async def test_the_process_that_added_a_job_serves_its_bytes_until_it_is_submitted(engine):
    jobs = SqlJobRepository(engine)
    original = image_job()
    await jobs.add(original)
    pending = await jobs.get(original.id)
    assert pending.request.image == original.request.image and pending.request.inputs_not_kept == ()

    pending.start_submission(later(1))
    await jobs.save(pending)
    assert (await jobs.get(original.id)).request.inputs_not_kept == (MediaKind.IMAGE,)


async def test_past_the_cap_the_oldest_pending_jobs_lose_their_bytes_first(engine):
    jobs = SqlJobRepository(engine, keep_input_bytes=100_200)
    older, newer = image_job(100_000), image_job(10)
    await jobs.add(older)
    await jobs.add(newer)
    await jobs.add(image_job(10))
    assert (await jobs.get(older.id)).request.inputs_not_kept == (MediaKind.IMAGE,)
    assert (await jobs.get(newer.id)).request.image == newer.request.image
    assert (await jobs.get(newer.id)).status is JobStatus.PENDING
