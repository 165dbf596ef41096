"""Long work from a background event: a service that reports (done, total) runs in a thread
while the state shows its progress."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

T = TypeVar("T")


async def with_progress(
    state: rx.State,
    work: Callable[..., T],
    show: Callable[[int, int], None],
    *,
    every: float = 0.3,
    **kwargs: Any,
) -> asyncio.Task[T]:
    """Run `work(progress=…, **kwargs)` in a thread; every `every` s call `show(done, total)`
    inside `async with state` (total 0: not started counting yet). Returns the finished task:
    its `result()` is the work's result or raises its error."""
    seen = [0, 0]

    def report(done: int, total: int) -> None:
        seen[:] = [done, total]

    job = asyncio.create_task(asyncio.to_thread(work, progress=report, **kwargs))
    while not job.done():
        await asyncio.sleep(every)
        async with state:
            show(seen[0], seen[1])
    return job
