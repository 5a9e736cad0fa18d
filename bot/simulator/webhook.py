"""Webhook delivery: once the bot calls setWebhook, queued updates are POSTed to it.

Telegram sends one update per HTTPS request, in order, with the `X-Telegram-Bot-Api-Secret-Token`
header when a secret was set, and keeps an update until the bot answers 2xx (retrying with a
growing delay otherwise, shown in getWebhookInfo's `last_error_*`). Doing the same lets a test run
the bot in webhook mode (`Updater.start_webhook` / `dlpbot run` with mode = "webhook") against the
simulator. The one deviation: plain `http://` is accepted for loopback hosts, since a local test
has no certificate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass

import aiohttp

from bot.simulator.world import World

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Delivery:
    """One POST of one update to the webhook: what the bot answered, or the network error."""

    update_id: int
    status: int | None
    error: str | None
    time: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDelivery:
    """Background task that drains the update queue into the bot's webhook URL."""

    def __init__(
        self,
        world: World,
        *,
        request_timeout: float = 10.0,
        retry_delay: float = 0.2,
        max_retry_delay: float = 5.0,
    ) -> None:
        self.world = world
        self.request_timeout = request_timeout
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.deliveries: list[Delivery] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="sim-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        world = self.world
        settings = world.settings
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        backoff = self.retry_delay
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                url = settings.webhook_url
                if url:
                    world.updates.drop_unwanted(settings.allowed_updates)
                pending = world.updates.pending() if url else []
                if not pending:
                    await world.notifier.wait(None)
                    continue
                update = pending[0]
                delivery = await self._post(session, url, settings.webhook_secret, update.to_api())
                delivery.update_id = update.update_id
                self.deliveries.append(delivery)
                if delivery.ok and settings.webhook_url == url:
                    world.updates.confirm(update.update_id + 1)
                    backoff = self.retry_delay
                    world.notifier.notify()
                    continue
                settings.webhook_last_error_date = world.clock.now()
                settings.webhook_last_error = (
                    delivery.error or f"Wrong response from the webhook: {delivery.status}"
                )
                world.notifier.notify()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_retry_delay)

    async def _post(
        self, session: aiohttp.ClientSession, url: str, secret: str, body: dict[str, object]
    ) -> Delivery:
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            async with session.post(
                url, data=json.dumps(body, ensure_ascii=False).encode(), headers=headers
            ) as resp:
                await resp.read()
                return Delivery(0, resp.status, None, time.time())
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.debug("webhook delivery failed: %s", type(exc).__name__)
            return Delivery(0, None, f"Connection failed: {type(exc).__name__}", time.time())
