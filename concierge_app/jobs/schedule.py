"""The shape every in-app schedule shares: check every N seconds (0: off), run one round in a
worker thread, log what it did, and survive a failed round (the next check tries again)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable


async def every(
    *,
    seconds: int,
    setting: str,
    round_: Callable[[], str | None],
    logger: logging.Logger,
    what: str,
) -> None:
    """Run `round_` (blocking; it returns a line worth logging, or None) every `seconds`."""
    if seconds <= 0:
        logger.info("The %s schedule is off (%s=0).", what, setting)
        return
    while True:
        try:
            said = await asyncio.to_thread(round_)
            if said:
                logger.info("%s: %s", what.capitalize(), said)
        except Exception:  # the next check tries again; the job must not die
            logger.exception("The scheduled %s failed", what)
        await asyncio.sleep(seconds)
