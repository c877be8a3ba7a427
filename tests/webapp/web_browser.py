"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`):
no driver or WebSocket library needed. Enough to open pages, fill forms and submit them."""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
         "--accept-lang=vi-VN,vi", "--window-size=1280,900", "--remote-debugging-pipe"]


class Browser:
    def __init__(self, profile: Path, attempts: int = 3) -> None:
        for attempt in range(attempts):  # a Chromium that dies while starting is started again
            try:
                self._start(profile / str(attempt))
                return
            except (BrokenPipeError, TimeoutError):
                self._stop_process()
                if attempt == attempts - 1:
                    raise

    def _start(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # the child's fd 3 reads our commands, fd 4 carries its answers
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=wire, pass_fds=(3, 4))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def send(self, method: str, session: str | None = None, timeout: float = 20, **params: Any) -> dict:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self._next_id:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer.get("result", {})
            ready, _, _ = select.select([self._from_chrome], [], [], 0.2)
            if ready:
                self._buffer += os.read(self._from_chrome, 1 << 20)
        raise TimeoutError(method)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", session=self.session, expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_loaded(self, previous: str | None = None, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                state = self.evaluate("[document.readyState, location.href, document.body ? 1 : 0]")
            except RuntimeError:
                state = None
            if state and state[0] == "complete" and state[2] and state[1] != previous:
                return state[1]
            time.sleep(0.05)
        raise TimeoutError("page did not load")

    def open(self, url: str) -> str:
        self.send("Page.navigate", session=self.session, url=url)
        return self.wait_loaded(previous=None)

    def submit(self, fields: dict[str, Any], button: str = "button[type=submit]:not([value=refresh])",
               form: str = "main form") -> str:
        """Fill the form's fields (text, radio, checkbox) and press its button; waits for the next page."""
        before = self.evaluate("location.href + '#' + performance.timeOrigin")
        script = f"""
        (() => {{
          const form = document.querySelector({json.dumps(form)});
          const fields = {json.dumps(fields)};
          for (const [name, value] of Object.entries(fields)) {{
            const inputs = form.querySelectorAll(`[name="${{name}}"]`);
            for (const input of inputs) {{
              if (input.type === 'radio') input.checked = (input.value === value);
              else if (input.type === 'checkbox') input.checked = Boolean(value);
              else input.value = value;
            }}
            if (!inputs.length) throw new Error('no field ' + name);
          }}
          form.querySelector({json.dumps(button)}).click();
        }})()"""
        self.evaluate(script)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                now = self.evaluate("document.readyState === 'complete' && document.body ? "
                                    "location.href + '#' + performance.timeOrigin : ''")
            except RuntimeError:
                now = ""
            if now and now != before:
                return now.split("#")[0]
            time.sleep(0.05)
        raise TimeoutError("the form did not lead to a new page")

    def text(self) -> str:
        return self.evaluate("document.body.innerText")

    def close(self) -> None:
        with contextlib.suppress(OSError, TimeoutError, RuntimeError):
            self.send("Browser.close", timeout=5)
        self._stop_process()

    def _stop_process(self) -> None:
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
