"""Trying a send again with exponential backoff, giving up early on a permanent failure."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from marketpulse.deliver.channels import SendError

logger = logging.getLogger(__name__)

ATTEMPTS = 4  # the first try and three more
BACKOFF = 30.0  # seconds before the second try; doubled before each further one


@dataclass(frozen=True)
class Tried:
    """How a send ended: its result or last error, after how many attempts."""

    ok: bool
    attempts: int
    detail: str


def with_retries(
    send: Callable[[], str],
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
) -> Tried:
    """Call `send` until it succeeds, fails permanently or `attempts` are used; wait backoff·2^k between."""
    for attempt in range(1, attempts + 1):
        try:
            return Tried(True, attempt, send())
        except SendError as exc:
            logger.warning("send failed (attempt %d of %d): %s", attempt, attempts, exc)
            if not exc.transient or attempt == attempts:
                return Tried(False, attempt, str(exc))
            sleep(backoff * 2 ** (attempt - 1))
    raise ValueError("attempts must be at least 1")
