#!/usr/bin/env python3
"""Interop check of the hub's protocol v1 on /ws with the PyPI `websockets` client.

Usage: ws_client.py PORT

Against a hub on 127.0.0.1:PORT (default `public` namespace), it connects to /ws without and
with permessage-deflate, subscribes, publishes, checks that its own publication comes back with
the same data (byte for byte in the text, equal once parsed), then does a recovery round:
subscribe, receive, disconnect, miss two publications, reconnect with `recover` and check the two
come first, then `recovered: true`. Prints one JSON summary line on stdout and exits 0; on any
failure it prints why on stderr and exits 1. Run by HubTests' V1InteropTests (`make venv`
installs `websockets` into ./.venv).
"""

import json
import sys

from websockets.sync.client import connect

TIMEOUT = 15


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def recv_json(ws):
    text = ws.recv(timeout=TIMEOUT)
    check(isinstance(text, str), f"expected a text message, got {text!r}")
    return text, json.loads(text)


def call(ws, command, id):
    """Sends `command` (a JSON text with `"id": id`) and returns (reply, messages before it)."""
    ws.send(command)
    before = []
    while True:
        text, message = recv_json(ws)
        if message.get("id") == id:
            return message, before
        before.append((text, message))


def open_client(uri, compression):
    ws = connect(uri, compression=compression, open_timeout=TIMEOUT, close_timeout=2, max_size=2**22)
    _, welcome = recv_json(ws)
    check(welcome.get("op") == "welcome", f"first message is not the welcome push: {welcome}")
    check(isinstance(welcome.get("client"), str) and welcome["client"], f"welcome without client: {welcome}")
    check(welcome.get("user", "missing") is None, f"anonymous user must be null: {welcome}")
    check(isinstance(welcome.get("ping"), int), f"welcome without ping: {welcome}")
    extensions = ws.response.headers.get("Sec-WebSocket-Extensions") or ""
    return ws, welcome, "permessage-deflate" in extensions


def publish_round(uri, mode, compression, data):
    ws, welcome, negotiated = open_client(uri, compression)
    with ws:
        topic = f"public.interop.{mode}"
        reply, _ = call(ws, json.dumps({"op": "subscribe", "id": 1, "topic": topic}), 1)
        result = reply.get("result")
        check(result is not None and result.get("topic") == topic and result.get("offset") == 0,
              f"subscribe reply {reply}")
        check(isinstance(result.get("epoch"), str), f"epoch must be a string: {reply}")
        command = '{"op":"publish","id":2,"topic":"%s","data":%s}' % (topic, data)
        reply, before = call(ws, command, 2)
        check(reply.get("result") == {"offset": 1}, f"publish reply {reply}")
        pushes = [(t, m) for t, m in before if "offset" in m and m.get("topic") == topic]
        check(len(pushes) == 1, f"expected our own publication before the reply, got {before}")
        text, push = pushes[0]
        check(push.get("offset") == 1, f"push {text}")
        check(push.get("from", {}).get("client") == welcome["client"], f"push not from us: {text}")
        check(text.endswith('"data":' + data + "}"), f"data not byte for byte: {text}")
        check(push.get("data") == json.loads(data), f"data differs once parsed: {text}")
        reply, _ = call(ws, '{"op":"ping","id":3}', 3)
        check(reply == {"id": 3, "result": {}}, f"ping reply {reply}")
    return {"negotiated": negotiated, "client": welcome["client"], "offset": push["offset"],
            "echo": True, "bytes": len(text)}


def recovery_round(uri):
    topic = "public.interop.recovery"
    ws, _, _ = open_client(uri, None)
    with ws:
        reply, _ = call(ws, json.dumps({"op": "subscribe", "id": 1, "topic": topic}), 1)
        epoch = reply["result"]["epoch"]
        for n in range(1, 4):
            reply, _ = call(ws, json.dumps({"op": "publish", "id": 10 + n, "topic": topic, "data": {"n": n}}), 10 + n)
            check(reply.get("result") == {"offset": n}, f"publish reply {reply}")
    # Two publications while nobody listens (from a compressed connection).
    ws, _, _ = open_client(uri, "deflate")
    with ws:
        for n in range(4, 6):
            reply, _ = call(ws, json.dumps({"op": "publish", "id": n, "topic": topic, "data": {"n": n}}), n)
            check(reply.get("result") == {"offset": n}, f"publish reply {reply}")
    ws, _, _ = open_client(uri, None)
    with ws:
        command = json.dumps({"op": "subscribe", "id": 7, "topic": topic, "recover": {"epoch": epoch, "offset": 3}})
        reply, before = call(ws, command, 7)
        replayed = [m["offset"] for _, m in before if "offset" in m]
        check(replayed == [4, 5], f"replayed {replayed}, expected [4, 5]: {before}")
        check([m["data"] for _, m in before if "offset" in m] == [{"n": 4}, {"n": 5}], f"replayed data {before}")
        result = reply.get("result") or {}
        check(result.get("recovered") is True, f"not recovered: {reply}")
        check(result.get("offset") == 5 and result.get("epoch") == epoch, f"recovery reply {reply}")
    return {"recovered": True, "replayed": replayed, "epoch": epoch, "offset": result["offset"]}


def main():
    if len(sys.argv) != 2:
        print("usage: ws_client.py PORT", file=sys.stderr)
        return 2
    uri = f"ws://127.0.0.1:{int(sys.argv[1])}/ws"
    try:
        summary = {
            "plain": publish_round(uri, "plain", None, '{ "text" : "h\\u00e9llo", "n": [1, 2.50] }'),
            # Over the hub's 128-byte threshold, so the push comes compressed.
            "deflate": publish_round(uri, "deflate", "deflate", '{"text": "%s"}' % ("compress me " * 40)),
            "recovery": recovery_round(uri),
        }
    except Failure as e:
        print(f"interop failure: {e}", file=sys.stderr)
        return 1
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
