"""A tiny Chrome DevTools Protocol client over --remote-debugging-pipe, enough to load a page,
read its DOM through JavaScript, click like a user and take screenshots in headless chromium.

The pipe (fd 3: commands in, fd 4: replies out, NUL-separated JSON) needs no port, no
websocket library and nothing from the network.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",  # tests may run as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, profile: Path, timeout: float = 30):
        self.timeout = timeout
        cmd_read, self._cmd_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        child_in, child_out = os.dup(cmd_read), os.dup(reply_write)

        def pipes_at_3_and_4() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.proc = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=pipes_at_3_and_4,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in (cmd_read, reply_write, child_in, child_out):
            os.close(fd)
        self._buffer = b""
        self._id = 0
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}
        )["sessionId"]
        self.send("Page.enable", session=True)

    def send(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        self._id += 1
        message: dict = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._cmd_write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([self._reply_read], [], [], remaining)[0]:
                    raise TimeoutError(f"no reply from chromium to {method}")
                chunk = os.read(self._reply_read, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the debugging pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def phone(self, width: int = 390, height: int = 844) -> None:
        """Lay pages out as a phone does: that width, the viewport meta tag honoured."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True},
            session=True,
        )

    def open(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + self.timeout
        while self.eval("document.readyState") != "complete" or self.eval("location.href") != url:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            time.sleep(0.05)
        time.sleep(0.3)  # let anything the page might run (an onerror, a timer) have its turn

    def eval(self, expression: str):
        """Evaluate in the page (DevTools is not bound by the page's Content-Security-Policy)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x: float, y: float) -> None:
        """A real left click at viewport coordinates, as a mouse would make it."""
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
                session=True,
            )

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        params: dict = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.send("Page.getLayoutMetrics", session=True)["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": size["height"],
                "scale": 1,
            }
        data = self.send("Page.captureScreenshot", params, session=True)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_write)
        os.close(self._reply_read)
