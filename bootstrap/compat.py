"""`ai_video_generate` for existing callers: change the import, keep the call.

    from videoforge.bootstrap.compat import ai_video_generate
    result = await ai_video_generate(prompt="...", operation_type="text-to-video", user_id="u1", duration=5)

It runs on a process-wide container opened from the environment on first use, or on the one
given to `use_container` (tests, or an app that opened its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from videoforge.bootstrap.container import Container
from videoforge.bootstrap.runtime import open_container

_container: Container | None = None
_stack: AsyncExitStack | None = None
_lock = asyncio.Lock()


def use_container(container: Container | None) -> None:
    """Make `ai_video_generate` use `container` (an open one), or forget it with None."""
    global _container
    _container = container


async def _current() -> Container:
    global _container, _stack
    async with _lock:
        if _container is None:
            _stack = AsyncExitStack()
            _container = await _stack.enter_async_context(open_container())
        return _container


async def close() -> None:
    """Close the container opened by `ai_video_generate`, if it opened one."""
    global _container, _stack
    if _stack is not None:
        await _stack.aclose()
        _stack, _container = None, None


async def ai_video_generate(prompt: str | None = None, image_data: bytes | None = None,
                            image_base64: str | None = None, operation_type: str = "text-to-video",
                            provider: str | None = None, user_id: str | None = None,
                            progress_callback: Callable | None = None, **kwargs: Any) -> dict[str, Any]:
    """The legacy entry point: same arguments, same result keys (plus `asset_id`, `file_url`,
    `file_path` in place of `video_bytes`)."""
    container = await _current()
    return await container.ai_video_generate()(prompt, image_data, image_base64, operation_type, provider, user_id,
                                               progress_callback, **kwargs)
