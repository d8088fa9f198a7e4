#!/usr/bin/env python3
"""Drives the operators' dashboard (GET /admin) in headless Chromium against a running hub.

Usage: admin_page.py --port PORT --token ADMIN_TOKEN [--chromium PATH] [--out DIR] [--timeout S]

Talks to Chromium over the DevTools protocol (a WebSocket, through `websockets`), and to the hub
through a few /ws clients of its own. Checks, in order:
  1. /admin#token=… signs in (body[data-state] = signed-in) and the token leaves the address bar;
  2. the connections number counts at least the clients this script opened;
  3. the publications and messages-in numbers move while a client publishes;
  4. the connection table lists a known client, and its Kick button closes it with 4403;
  5. a wrong token ends in data-state = error (the hub closes with 4401);
  6. the sign-in form with the right token signs in again.
Saves screenshots under --out (admin-page.png, admin-page-error.png) and prints one JSON line
with the results (also kept in --out as admin-page.json); exits 0 when every check passed, 1 when one failed, 2 on a setup error.
Chromium is always killed before the script exits, and a watchdog bounds the whole run.
"""

import argparse
import base64
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


class CheckFailed(Exception):
    pass


def wait_for(what, predicate, timeout, interval=0.1):
    """Polls `predicate` until it returns a truthy value; raises CheckFailed after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise CheckFailed(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


# ---- Chromium and the DevTools protocol --------------------------------------------------------

RUNNING = []  # the browsers to kill if the watchdog fires


class Chromium:
    def __init__(self, path, out_dir):
        self.profile = tempfile.mkdtemp(prefix="hub-admin-chromium-")
        self.log_path = os.path.join(out_dir, "chromium.log")
        args = [
            path, "--headless=new", "--no-sandbox", "--remote-debugging-port=0",
            f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check",
            "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions", "--no-proxy-server",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--window-size=1360,1100", "about:blank",
        ]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        RUNNING.append(self)
        self.endpoint = None
        found = queue.Queue()

        def drain():
            with open(self.log_path, "wb") as log:
                for line in self.proc.stderr:
                    log.write(line)
                    log.flush()
                    text = line.decode("utf-8", "replace").strip()
                    if text.startswith("DevTools listening on "):
                        found.put(text[len("DevTools listening on "):])
            found.put(None)

        threading.Thread(target=drain, daemon=True).start()
        try:
            self.endpoint = found.get(timeout=20)
        except queue.Empty:
            self.endpoint = None
        if not self.endpoint:
            self.kill()
            raise RuntimeError(f"chromium did not print its DevTools address (log: {self.log_path})")

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        shutil.rmtree(self.profile, ignore_errors=True)


class DevTools:
    """One page target of the browser, through a flat session on the browser's socket."""

    def __init__(self, endpoint):
        self.ws = connect(endpoint, max_size=None, proxy=None, compression=None, ping_interval=None,
                          open_timeout=10, close_timeout=2)
        self.next_id = 1
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method, params=None, timeout=15):
        msg_id = self.next_id
        self.next_id += 1
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CheckFailed(f"DevTools {method} did not answer in {timeout} s")
            reply = json.loads(self.ws.recv(timeout=remaining))
            if reply.get("id") != msg_id:
                continue  # an event, or a late answer
            if "error" in reply:
                raise CheckFailed(f"DevTools {method}: {reply['error']}")
            return reply.get("result", {})

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise CheckFailed(f"page exception evaluating {expression!r}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def navigate(self, url):
        r = self.call("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise CheckFailed(f"navigation to {url} failed: {r['errorText']}")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, timeout=30)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


# ---- hub clients --------------------------------------------------------------------------------

class HubClient:
    """A /ws client: reads its welcome, then a thread reads until the hub closes it."""

    def __init__(self, port):
        self.ws = connect(f"ws://127.0.0.1:{port}/ws", proxy=None, open_timeout=5, close_timeout=2,
                          ping_interval=None, max_size=None)
        welcome = json.loads(self.ws.recv(timeout=5))
        if welcome.get("op") != "welcome":
            raise RuntimeError(f"expected a welcome, got {welcome}")
        self.client = welcome["client"]
        self.close_code = None
        self.received = 0
        self.closed = threading.Event()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for _ in self.ws:
                self.received += 1
        except ConnectionClosed:
            pass
        except Exception:
            pass
        rcvd = self.ws.protocol.close_rcvd
        self.close_code = rcvd.code if rcvd is not None else None
        self.closed.set()

    def send(self, obj):
        with self.lock:
            self.ws.send(json.dumps(obj))

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


class Publisher(threading.Thread):
    def __init__(self, client, topic, rate):
        super().__init__(daemon=True)
        self.client, self.topic, self.interval = client, topic, 1.0 / rate
        self.stop = threading.Event()
        self.sent = 0

    def run(self):
        while not self.stop.is_set():
            try:
                self.client.send({"op": "publish", "topic": self.topic, "data": {"n": self.sent, "text": "hello"}})
            except Exception:
                return
            self.sent += 1
            self.stop.wait(self.interval)


# ---- the checks ---------------------------------------------------------------------------------

def number(page, element_id):
    """The raw value (data-value) of a number on the page, or None while it is empty."""
    v = page.evaluate(f"(document.getElementById({json.dumps(element_id)}) || {{dataset: {{}}}}).dataset.value")
    if v in (None, ""):
        return None
    return float(v)


def state(page):
    return page.evaluate("document.body ? document.body.dataset.state : null")


def run(args, summary):
    base = f"http://127.0.0.1:{args.port}/admin"
    started = time.monotonic()
    chromium = Chromium(args.chromium, args.out)
    clients = []
    publisher = None
    page = None
    try:
        page = DevTools(chromium.endpoint)
        summary["chromium_start_s"] = round(time.monotonic() - started, 2)

        # Three /ws clients: a subscriber, a publisher and one to kick.
        subscriber, talker, victim = HubClient(args.port), HubClient(args.port), HubClient(args.port)
        clients = [subscriber, talker, victim]
        subscriber.send({"op": "subscribe", "id": 1, "topic": "public.dashboard-test"})
        summary["victim"] = victim.client

        # 1. Sign in through the fragment.
        t0 = time.monotonic()
        page.navigate(f"{base}#token={args.token}")
        wait_for("data-state=signed-in", lambda: state(page) == "signed-in", 10)
        summary["signed_in_s"] = round(time.monotonic() - t0, 2)
        href = page.evaluate("location.href")
        if "token" in href:
            raise CheckFailed(f"the token is still in the address bar: {href}")
        if page.evaluate("sessionStorage.getItem('hub.admin.token')") != args.token:
            raise CheckFailed("the token is not in sessionStorage")
        if page.evaluate("document.cookie"):
            raise CheckFailed("the page set a cookie")

        # 2. The connections number counts our clients (plus the dashboard itself).
        conns = wait_for("m-connections-total ≥ 4",
                         lambda: (lambda v: v if v is not None and v >= len(clients) + 1 else None)(
                             number(page, "m-connections-total")), 10)
        summary["connections"] = int(conns)
        summary["connections_ws"] = int(number(page, "m-conn-ws") or 0)
        if summary["connections_ws"] < len(clients):
            raise CheckFailed(f"m-conn-ws shows {summary['connections_ws']}, expected ≥ {len(clients)}")

        # 3. Publications and messages move while a client publishes.
        pubs_before = number(page, "m-publications")
        summary["publications_before"] = pubs_before
        publisher = Publisher(talker, "public.dashboard-test", args.rate)
        publisher.start()
        pubs = wait_for("m-publications > 0 while publishing",
                        lambda: (lambda v: v if v and v > 0 else None)(number(page, "m-publications")), 10)
        msgs_in = wait_for("m-messages-in > 0 while publishing",
                           lambda: (lambda v: v if v and v > 0 else None)(number(page, "m-messages-in")), 10)
        msgs_out = wait_for("m-messages-out > 0 while publishing",
                            lambda: (lambda v: v if v and v > 0 else None)(number(page, "m-messages-out")), 10)
        summary["publications_per_s"] = pubs
        summary["messages_in_per_s"] = msgs_in
        summary["messages_out_per_s"] = msgs_out
        topic_row = wait_for("the topic in #topic-table", lambda: page.evaluate(
            "(() => { const r = document.querySelector('#topic-table tr[data-topic=\"public.dashboard-test\"]');"
            " return r ? r.cells[1].textContent : null; })()"), 5)
        summary["topic_subscribers"] = topic_row

        # 4. The connection table lists the victim; its Kick button closes it with 4403.
        selector = json.dumps(f'#conn-table tr[data-client="{victim.client}"]')
        row = wait_for(f"{victim.client} in #conn-table", lambda: page.evaluate(
            f"(() => {{ const r = document.querySelector({selector});"
            " return r ? Array.from(r.cells).map(c => c.textContent) : null; })()"), 5)
        summary["victim_row"] = row
        summary["table_rows"] = page.evaluate("document.querySelectorAll('#conn-table tr[data-client]').length")
        # Let the charts gather some points, then keep a picture of the live page.
        time.sleep(args.settle)
        summary["chart_points"] = page.evaluate("document.getElementById('chart-rates').width > 0")
        shot = os.path.join(args.out, "admin-page.png")
        page.screenshot(shot)
        summary["screenshot"] = shot

        publisher.stop.set()
        clicked = page.evaluate(
            f"(() => {{ const b = document.querySelector({selector} + ' button.kick');"
            " if (!b || b.disabled) return false; b.click(); return true; })()")
        if not clicked:
            raise CheckFailed("no enabled Kick button in the victim's row")
        if not victim.closed.wait(5):
            raise CheckFailed("the kicked client was not closed within 5 s")
        summary["kick_close_code"] = victim.close_code
        if victim.close_code != 4403:
            raise CheckFailed(f"the kicked client got close {victim.close_code}, expected 4403")
        wait_for("the kicked row to leave #conn-table",
                 lambda: page.evaluate(f"document.querySelector({selector}) === null"), 5)
        summary["kick_status"] = page.evaluate("document.getElementById('status').textContent")

        # 5. A wrong token: the hub closes with 4401 and the page shows an error.
        page.navigate("about:blank")
        page.navigate(f"{base}#token=not-{args.token}")
        wait_for("data-state=error with a wrong token", lambda: state(page) == "error", 10)
        summary["error_message"] = page.evaluate("document.getElementById('signin-error').textContent")
        if "4401" not in page.evaluate("document.getElementById('status').textContent"):
            raise CheckFailed("the status line does not name the 4401 close")
        page.screenshot(os.path.join(args.out, "admin-page-error.png"))

        # 6. The form signs in with the right token; Sign out signs out.
        page.evaluate(f"document.getElementById('token').value = {json.dumps(args.token)};"
                      " document.getElementById('signin').requestSubmit(); true")
        wait_for("data-state=signed-in through the form", lambda: state(page) == "signed-in", 10)
        page.evaluate("document.getElementById('signout').click(); true")
        wait_for("data-state=signed-out", lambda: state(page) == "signed-out", 5)
        if page.evaluate("sessionStorage.getItem('hub.admin.token')") is not None:
            raise CheckFailed("sign-out left the token in sessionStorage")
        summary["form_sign_in"] = True
    finally:
        if publisher:
            publisher.stop.set()
        for c in clients:
            c.close()
        if page:
            page.close()
        chromium.kill()
        summary["elapsed_s"] = round(time.monotonic() - started, 2)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--chromium", default=shutil.which("chromium") or "/usr/lib/chromium/chromium")
    p.add_argument("--out", default="test-output")
    p.add_argument("--rate", type=float, default=40, help="publications per second during the check")
    p.add_argument("--settle", type=float, default=2.5, help="seconds of live data before the screenshot")
    p.add_argument("--timeout", type=float, default=90, help="the whole run, then everything is killed")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    summary = {"ok": False}

    def watchdog():
        summary["error"] = f"watchdog: the run took longer than {args.timeout} s"
        print(json.dumps(summary), flush=True)
        for browser in RUNNING:
            try:
                os.killpg(browser.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            shutil.rmtree(browser.profile, ignore_errors=True)
        os._exit(3)

    timer = threading.Timer(args.timeout, watchdog)
    timer.daemon = True
    timer.start()
    code = 0
    try:
        run(args, summary)
        summary["ok"] = True
    except CheckFailed as e:
        summary["error"] = str(e)
        code = 1
    except Exception as e:  # setup: chromium, sockets
        summary["error"] = f"{type(e).__name__}: {e}"
        code = 2
    timer.cancel()
    with open(os.path.join(args.out, "admin-page.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary), flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
