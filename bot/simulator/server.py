"""The aiohttp HTTP server speaking the Bot API on 127.0.0.1.

Routes, as python-telegram-bot builds its URLs from `base_url`/`base_file_url`:
- `POST|GET /bot<token>/<method>`: form-encoded, JSON or multipart parameters;
- `GET /file/bot<token>/<file_path>`: file downloads after getFile;
- `/_control/...`: the control API (added by `control.py`).

Every call is recorded (method, decoded params, time, outcome) before injected faults and rate
limits apply, so a test sees the calls that failed as well.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from aiohttp import web

from bot.simulator.faults import SENDING_METHODS, FaultPlan, RateLimits
from bot.simulator.methods import BotApi
from bot.simulator.params import ApiError, Params, Upload
from bot.simulator.state import RecordedCall
from bot.simulator.webhook import WebhookDelivery
from bot.simulator.world import World

log = logging.getLogger(__name__)

# Big enough for uploads of documents near Telegram's 50 MB bot upload limit.
MAX_REQUEST_BYTES = 60 * 1024 * 1024


def error_body(status: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


async def read_params(request: web.Request) -> Params:
    """Decode query string plus body (form, JSON or multipart) into `Params`."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                name = part.name or ""
                if part.filename is not None:
                    data = await part.read(decode=False)
                    uploads[name] = Upload(
                        part.filename, part.headers.get("Content-Type"), bytes(data)
                    )
                else:
                    values[name] = await part.text()
        elif ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON body") from None
            if isinstance(body, dict):
                values.update(body)
        else:
            values.update(await request.post())
    return Params(values=values, uploads=uploads)


class SimulatorServer:
    """Owns the aiohttp app and its runner; `start()` binds and returns the base URL."""

    def __init__(
        self,
        world: World,
        api: BotApi,
        faults: FaultPlan,
        rate_limits: RateLimits,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.world = world
        self.api = api
        self.faults = faults
        self.rate_limits = rate_limits
        self.host = host
        self.port = port
        self.url: str | None = None
        self.app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner: web.AppRunner | None = None
        self.webhook = WebhookDelivery(world)
        # Bot API method names are case-insensitive.
        self._canonical = {name.lower(): name for name in api.handlers}

    async def start(self) -> str:
        self.api.closing = False
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
        bound_port = sockets[0].getsockname()[1] if sockets else self.port
        self.port = bound_port
        self.url = f"http://{self.host}:{bound_port}"
        self.webhook.start()
        log.info("Telegram Bot API simulator listening on %s", self.url)
        return self.url

    async def stop(self) -> None:
        """Release held getUpdates requests first, so shutdown does not wait for their timeout."""
        self.api.closing = True
        await self.webhook.stop()
        self.world.notifier.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ handlers
    def _check_token(self, token: str) -> None:
        if token != self.world.token:
            raise ApiError(401, "Unauthorized")

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = self._canonical.get(
            request.match_info["method"].lower(), request.match_info["method"]
        )
        try:
            self._check_token(request.match_info["token"])
            params = await read_params(request)
        except ApiError as exc:
            return web.json_response(error_body(exc.status, exc.description), status=exc.status)
        call = RecordedCall(method, params.printable(), {}, time.time())
        self.world.record_call(call)
        status, body = await self._run(method, params)
        call.files = dict(params.stored)
        call.status = status
        call.result = body.get("result")
        call.description = body.get("description")
        call.finished = time.time()
        self.world.notifier.notify()
        log.debug("%s -> %s", method, status)
        return web.json_response(body, status=status, dumps=_dumps)

    async def _run(self, method: str, params: Params) -> tuple[int, dict[str, Any]]:
        delay, injected = self.faults.take(method)
        if delay:
            await asyncio.sleep(delay)
        try:
            if injected is not None:
                raise ApiError(injected.status, injected.description, injected.retry_after)
            if self.rate_limits.enabled and method in SENDING_METHODS:
                retry = self.rate_limits.check(_chat_id(params))
                if retry is not None:
                    raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
            result = await self.api.call(method, params)
        except ApiError as exc:
            return exc.status, error_body(exc.status, exc.description, exc.retry_after)
        except Exception:  # a simulator bug must look like a server error, not hang the bot
            log.exception("simulator failed in %s", method)
            return 500, error_body(500, "Internal Server Error")
        return 200, {"ok": True, "result": result}

    async def _handle_file(self, request: web.Request) -> web.Response:
        try:
            self._check_token(request.match_info["token"])
        except ApiError as exc:
            return web.json_response(error_body(exc.status, exc.description), status=exc.status)
        sim_file = self.world.files_by_path.get(request.match_info["path"])
        if sim_file is None:
            return web.json_response(error_body(404, "Not Found"), status=404)
        return web.Response(
            body=sim_file.data, content_type=sim_file.mime_type or "application/octet-stream"
        )


def _chat_id(params: Params) -> int | None:
    try:
        return params.int("chat_id")
    except ApiError:
        return None


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
