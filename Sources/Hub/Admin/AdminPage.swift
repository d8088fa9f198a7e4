/// `GET /admin`: the operators' dashboard, one self-contained page (HTML, CSS and JS inline; no
/// external fetches, so it works behind the strict `Content-Security-Policy` the router sends).
///
/// The page takes an admin token from its sign-in form or from the URL fragment `#token=…` (kept
/// in `sessionStorage`, never in a cookie or a query string), connects to `/ws/admin` on the same
/// host and sends the token in a first `auth` command, so it never appears in a URL or a log.
/// It then shows the `admin.metrics` snapshots as numbers and charts (the last 60), and refreshes
/// the topic and connection tables every 2 s with the `topics` and `connections` admin commands;
/// each connection has a Kick button (`kick`, which closes that client with 4403).
///
/// For tests: `document.body.dataset.state` is `signed-out`, `connecting`, `signed-in` or
/// `error`; every number has a stable id (`m-…`) and its raw value in `data-value`; the
/// connection table (`#conn-table`) has one `tr[data-client]` per connection.
enum AdminPage {
    static let headers: [(String, String)] = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy",
         "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    static let html: [UInt8] = Array(source.utf8)

    private static let source = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Hub · operators</title>
<style>
  :root {
    --bg: #f4f6f8; --card: #ffffff; --ink: #1b2330; --muted: #5d6b7e; --line: #dde3ea;
    --accent: #2563eb; --green: #15803d; --amber: #b45309; --red: #b91c1c; --violet: #7c3aed;
  }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--ink);
         font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
  header { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: var(--card);
           border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
  header h1 { font-size: 17px; margin: 0; font-weight: 650; letter-spacing: .2px; }
  header .node { color: var(--muted); font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
  #status { flex: 1; color: var(--muted); font-size: 13px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  #status::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%;
                    background: #9aa5b1; margin-right: 7px; vertical-align: 1px; }
  body[data-state="signed-in"] #status::before { background: var(--green); }
  body[data-state="connecting"] #status::before { background: var(--amber); }
  body[data-state="error"] #status::before { background: var(--red); }
  button { font: inherit; border: 1px solid var(--line); background: var(--card); color: var(--ink);
           border-radius: 6px; padding: 5px 12px; cursor: pointer; }
  button:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
  button:disabled { opacity: .5; cursor: default; }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  button.primary:hover { background: #1d4ed8; color: #fff; }
  button.kick { padding: 2px 10px; font-size: 12px; color: var(--red); }
  button.kick:hover:not(:disabled) { border-color: var(--red); color: #fff; background: var(--red); }
  main { padding: 18px 20px 40px; max-width: 1400px; margin: 0 auto; }
  .hidden { display: none !important; }
  #signin-view { display: flex; justify-content: center; padding-top: 12vh; }
  #signin { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 26px 28px;
            width: 380px; box-shadow: 0 1px 3px rgba(20, 30, 50, .06); }
  #signin h2 { margin: 0 0 6px; font-size: 18px; }
  #signin p { margin: 0 0 16px; color: var(--muted); }
  #signin label { display: block; font-weight: 600; margin-bottom: 6px; }
  #signin input { width: 100%; font: 13px ui-monospace, "DejaVu Sans Mono", monospace; padding: 8px 10px;
                  border: 1px solid var(--line); border-radius: 6px; margin-bottom: 14px; }
  #signin input:focus { outline: 2px solid #bfdbfe; border-color: var(--accent); }
  #signin #signin-error { color: var(--red); min-height: 1.4em; margin: 10px 0 0 !important; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(168px, 1fr)); gap: 10px; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
  .metric .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
  .metric .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; margin-top: 2px;
                   white-space: nowrap; }
  .metric .value small { font-size: 13px; color: var(--muted); font-weight: 500; margin-left: 3px; }
  .metric .sub { color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; margin-top: 2px; }
  .metric.warn .value { color: var(--amber); }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 10px; margin-top: 12px; }
  .chart h3, .tablecard h3 { margin: 0 0 6px; font-size: 13px; font-weight: 600; display: flex; gap: 12px; align-items: baseline; }
  .legend { font-weight: 400; color: var(--muted); font-size: 12px; }
  .legend i { display: inline-block; width: 10px; height: 3px; vertical-align: 3px; margin: 0 4px 0 8px; }
  canvas { width: 100%; height: 170px; display: block; }
  .tables { display: grid; grid-template-columns: minmax(260px, 1fr) minmax(0, 2.6fr); gap: 10px; margin-top: 12px;
            align-items: start; }
  @media (max-width: 900px) { .tables { grid-template-columns: 1fr; } }
  .tablecard .count { color: var(--muted); font-weight: 400; }
  .scroll { max-height: 420px; overflow: auto; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { color: var(--muted); font-weight: 600; font-size: 12px; position: sticky; top: 0; background: var(--card); }
  td.num, th.num { text-align: right; }
  td.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
  tr.me td { background: #eff6ff; }
  td.empty { color: var(--muted); text-align: center; padding: 14px; }
</style>
</head>
<body data-state="signed-out">
<header>
  <h1>Hub · operators</h1>
  <span class="node" id="m-node" data-value=""></span>
  <span id="status" role="status" aria-live="polite">signed out</span>
  <button id="signout" type="button" class="hidden">Sign out</button>
</header>

<section id="signin-view">
  <form id="signin" autocomplete="off">
    <h2>Sign in</h2>
    <p>An admin token (<code>hub token create --user ID --admin</code>).</p>
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" spellcheck="false" required>
    <button class="primary" type="submit" id="signin-button">Sign in</button>
    <p id="signin-error" role="alert"></p>
  </form>
</section>

<main id="dash-view" class="hidden">
  <div class="grid">
    <div class="card metric"><div class="label">Connections</div>
      <div class="value" id="m-connections-total" data-value="">–</div>
      <div class="sub">ws <span id="m-conn-ws" data-value="">–</span> · auth <span id="m-conn-ws-auth" data-value="">–</span>
        · admin <span id="m-conn-ws-admin" data-value="">–</span> · echo <span id="m-conn-echo" data-value="">–</span></div></div>
    <div class="card metric"><div class="label">Messages in</div>
      <div class="value"><span id="m-messages-in" data-value="">–</span><small>/s</small></div>
      <div class="sub"><span id="m-bytes-in" data-value="">–</span></div></div>
    <div class="card metric"><div class="label">Messages out</div>
      <div class="value"><span id="m-messages-out" data-value="">–</span><small>/s</small></div>
      <div class="sub"><span id="m-bytes-out" data-value="">–</span></div></div>
    <div class="card metric"><div class="label">Publications</div>
      <div class="value"><span id="m-publications" data-value="">–</span><small>/s</small></div></div>
    <div class="card metric"><div class="label">Latency p50 / p99</div>
      <div class="value"><span id="m-latency-p50" data-value="">–</span> / <span id="m-latency-p99" data-value="">–</span><small>ms</small></div>
      <div class="sub">publish → write</div></div>
    <div class="card metric"><div class="label">Topics</div>
      <div class="value" id="m-topics" data-value="">–</div>
      <div class="sub"><span id="m-subscriptions" data-value="">–</span> subscriptions</div></div>
    <div class="card metric"><div class="label">Memory (RSS)</div>
      <div class="value" id="m-rss" data-value="">–</div></div>
    <div class="card metric" id="card-closes"><div class="label">Slow / rate-limit closes</div>
      <div class="value"><span id="m-slow-consumer-closes" data-value="">–</span> / <span id="m-rate-limit-closes" data-value="">–</span></div></div>
    <div class="card metric" id="card-auth"><div class="label">Auth failures</div>
      <div class="value" id="m-auth-failures" data-value="">–</div></div>
    <div class="card metric"><div class="label">Uptime</div>
      <div class="value" id="m-uptime" data-value="">–</div></div>
  </div>

  <div class="charts">
    <div class="card chart"><h3>Connections <span class="legend"><i style="background:#2563eb"></i>total</span></h3>
      <canvas id="chart-connections"></canvas></div>
    <div class="card chart"><h3>Messages /s <span class="legend"><i style="background:#15803d"></i>in<i style="background:#2563eb"></i>out<i style="background:#b45309"></i>publications</span></h3>
      <canvas id="chart-rates"></canvas></div>
    <div class="card chart"><h3>Latency ms <span class="legend"><i style="background:#7c3aed"></i>p99<i style="background:#94a3b8"></i>p50</span></h3>
      <canvas id="chart-latency"></canvas></div>
  </div>

  <div class="tables">
    <div class="card tablecard"><h3>Topics <span class="count" id="topic-count"></span></h3>
      <div class="scroll"><table id="topic-table">
        <thead><tr><th>Topic</th><th class="num">Subscribers</th></tr></thead>
        <tbody><tr><td class="empty" colspan="2">loading…</td></tr></tbody></table></div></div>
    <div class="card tablecard"><h3>Connections <span class="count" id="conn-count"></span></h3>
      <div class="scroll"><table id="conn-table">
        <thead><tr><th>Client</th><th>User</th><th>Endpoint</th><th>Address</th><th class="num">Age</th>
          <th class="num">Bytes in</th><th class="num">Bytes out</th><th class="num">Topics</th><th></th></tr></thead>
        <tbody><tr><td class="empty" colspan="9">loading…</td></tr></tbody></table></div></div>
  </div>
</main>

<script>
"use strict";
(function () {
  const KEY = "hub.admin.token";
  const HISTORY = 60;
  const REFRESH_MS = 2000;
  const $ = (id) => document.getElementById(id);

  let ws = null;            // the /ws/admin socket
  let nextId = 2;           // 1 is the auth command
  let pending = new Map();  // command id -> callback(message)
  let me = null;            // this dashboard's own client id (from the welcome)
  let samples = [];         // the last HISTORY snapshots, oldest first
  let refreshTimer = null, retryTimer = null, staleTimer = null;
  let retries = 0;
  let lastSnapshotAt = 0, lastOffset = null;

  // ---- state and status -------------------------------------------------------------------
  function setState(state, status) {
    document.body.dataset.state = state;
    $("status").textContent = status;
    const inside = state === "signed-in" || (state === "connecting" && samples.length > 0);
    $("dash-view").classList.toggle("hidden", !inside);
    $("signin-view").classList.toggle("hidden", inside);
    $("signout").classList.toggle("hidden", state === "signed-out" || state === "error");
    $("signin-button").disabled = state === "connecting";
  }

  function signInError(text) { $("signin-error").textContent = text; }

  // ---- formatting ---------------------------------------------------------------------------
  function groupDigits(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009"); }
  function fmtInt(n) { return n == null ? "–" : groupDigits(Math.round(n)); }
  function fmtRate(x) {
    if (x == null) return "–";
    if (x >= 1000) return groupDigits(Math.round(x));
    return (Math.round(x * 10) / 10).toFixed(x >= 100 ? 0 : 1);
  }
  function fmtMs(x) {
    if (x == null) return "–";
    return x < 1 ? x.toFixed(2) : x < 10 ? x.toFixed(1) : String(Math.round(x));
  }
  function fmtBytes(b) {
    if (b == null) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
    return (i === 0 ? String(Math.round(b)) : b.toFixed(b >= 100 ? 0 : 1)) + " " + units[i];
  }
  function fmtDuration(s) {
    if (s == null) return "–";
    s = Math.max(0, Math.floor(s));
    const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + m + "m";
    if (m) return m + "m " + r + "s";
    return r + "s";
  }
  function put(id, value, text) {
    const el = $(id);
    el.dataset.value = value == null ? "" : String(value);
    el.textContent = text;
  }

  // ---- the socket -----------------------------------------------------------------------------
  function socketAddress() {
    return (location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + "/ws/admin";
  }

  function connect() {
    const token = sessionStorage.getItem(KEY);
    if (!token) { setState("signed-out", "signed out"); return; }
    clearTimeout(retryTimer);
    disconnect();
    signInError("");
    setState("connecting", retries ? "reconnecting…" : "connecting…");
    let socket;
    try { socket = new WebSocket(socketAddress()); } catch (e) { return lost(null, 0, String(e)); }
    ws = socket;
    socket.onopen = () => socket.send(JSON.stringify({ op: "auth", id: 1, token: token }));
    socket.onmessage = (ev) => { if (ws === socket) receive(ev.data); };
    socket.onclose = (ev) => { if (ws === socket) lost(socket, ev.code, ev.reason); };
  }

  function disconnect() {
    stopTimers();
    if (ws) {
      const s = ws;
      ws = null;
      s.onopen = s.onmessage = s.onclose = null;
      try { s.close(1000); } catch (e) { /* already closed */ }
    }
    pending = new Map();
  }

  function stopTimers() {
    clearInterval(refreshTimer); refreshTimer = null;
    clearInterval(staleTimer); staleTimer = null;
  }

  function lost(socket, code, reason) {
    ws = null;
    stopTimers();
    pending = new Map();
    if (code === 4401) {
      sessionStorage.removeItem(KEY);
      resetView();
      const why = reason || "bad token";
      signInError("Sign-in refused: " + why + ".");
      setState("error", "sign-in refused (4401: " + why + ")");
      return;
    }
    if (code === 4403) {
      sessionStorage.removeItem(KEY);
      resetView();
      signInError("This dashboard was disconnected by an operator" + (reason ? " (" + reason + ")" : "") + ".");
      setState("error", "closed by the hub (4403)");
      return;
    }
    retries++;
    const delay = Math.min(10, 2 ** Math.min(retries - 1, 4));
    setState("connecting", "connection lost (" + (code || "no connection") + (reason ? ": " + reason : "") +
             "); retrying in " + delay + " s");
    retryTimer = setTimeout(connect, delay * 1000);
  }

  function send(command, callback) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    const id = nextId++;
    command.id = id;
    if (callback) pending.set(id, { callback: callback, at: Date.now() });
    ws.send(JSON.stringify(command));
    return true;
  }

  function receive(text) {
    let msg;
    try { msg = JSON.parse(text); } catch (e) { return; }
    if (msg.topic === "admin.metrics" && msg.data) return snapshot(msg.data, msg.offset);
    if (msg.op === "welcome") {
      me = msg.client;
      if (msg.node) put("m-node", msg.node, msg.node);
      return;
    }
    if (msg.id === 1) {
      if (msg.error) {
        sessionStorage.removeItem(KEY);
        signInError("Sign-in refused: " + (msg.error.message || msg.error.code));
        disconnect();
        setState("error", "sign-in refused");
        return;
      }
      retries = 0;
      const user = msg.result && msg.result.user;
      setState("signed-in", "signed in as " + user + " · waiting for the first snapshot…");
      refresh();
      refreshTimer = setInterval(refresh, REFRESH_MS);
      staleTimer = setInterval(checkStale, 1000);
      return;
    }
    if (msg.id != null && pending.has(msg.id)) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p.callback(msg);
    }
  }

  // ---- snapshots ------------------------------------------------------------------------------
  function snapshot(d, offset) {
    lastSnapshotAt = Date.now();
    lastOffset = offset;
    const c = d.connections || {};
    put("m-connections-total", c.total, fmtInt(c.total));
    put("m-conn-ws", c.ws, fmtInt(c.ws));
    put("m-conn-ws-auth", c.ws_auth, fmtInt(c.ws_auth));
    put("m-conn-ws-admin", c.ws_admin, fmtInt(c.ws_admin));
    put("m-conn-echo", c.echo, fmtInt(c.echo));
    put("m-messages-in", d.messages_in_per_s, fmtRate(d.messages_in_per_s));
    put("m-messages-out", d.messages_out_per_s, fmtRate(d.messages_out_per_s));
    put("m-bytes-in", d.bytes_in_per_s, fmtBytes(d.bytes_in_per_s) + "/s");
    put("m-bytes-out", d.bytes_out_per_s, fmtBytes(d.bytes_out_per_s) + "/s");
    put("m-publications", d.publications_per_s, fmtRate(d.publications_per_s));
    const lat = d.latency_ms || {};
    put("m-latency-p50", lat.p50, fmtMs(lat.p50));
    put("m-latency-p99", lat.p99, fmtMs(lat.p99));
    put("m-topics", d.topics, fmtInt(d.topics));
    put("m-subscriptions", d.subscriptions, fmtInt(d.subscriptions));
    put("m-rss", d.rss_bytes, fmtBytes(d.rss_bytes));
    put("m-slow-consumer-closes", d.slow_consumer_closes, fmtInt(d.slow_consumer_closes));
    put("m-rate-limit-closes", d.rate_limit_closes, fmtInt(d.rate_limit_closes));
    put("m-auth-failures", d.auth_failures, fmtInt(d.auth_failures));
    put("m-uptime", d.uptime_s, fmtDuration(d.uptime_s));
    if (d.node) put("m-node", d.node, d.node);
    $("card-closes").classList.toggle("warn", (d.slow_consumer_closes || 0) + (d.rate_limit_closes || 0) > 0);
    $("card-auth").classList.toggle("warn", (d.auth_failures || 0) > 0);

    samples.push({
      conn: c.total || 0, mIn: d.messages_in_per_s || 0, mOut: d.messages_out_per_s || 0,
      pub: d.publications_per_s || 0, p50: lat.p50, p99: lat.p99,
    });
    if (samples.length > HISTORY) samples.splice(0, samples.length - HISTORY);
    drawCharts();
    if (document.body.dataset.state === "signed-in") {
      $("status").textContent = "live · snapshot " + offset + " · " + new Date().toLocaleTimeString();
    }
  }

  function checkStale() {
    if (lastSnapshotAt && Date.now() - lastSnapshotAt > 5000) {
      $("status").textContent = "no snapshot for " + Math.round((Date.now() - lastSnapshotAt) / 1000) +
        " s (last " + lastOffset + ")";
    }
  }

  // ---- charts (canvas, drawn here) ------------------------------------------------------------
  // The axis: a round step (1, 2, 2.5 or 5 × 10^k; whole numbers for counts) and 2 to 4 steps
  // that cover the largest value.
  function axis(v, whole) {
    if (!(v > 0)) return { step: whole ? 1 : 0.25, ticks: 4 };
    const raw = v / 4, p = 10 ** Math.floor(Math.log10(raw));
    let step = 10 * p;
    for (const m of whole ? [1, 2, 5] : [1, 2, 2.5, 5]) if (raw <= m * p) { step = m * p; break; }
    if (whole) step = Math.max(1, Math.round(step));
    return { step: step, ticks: Math.max(2, Math.ceil(v / step - 1e-9)) };
  }

  function drawChart(canvas, series, format, whole) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const left = 46, right = 8, top = 8, bottom = 18;
    const pw = w - left - right, ph = h - top - bottom;
    let max = 0;
    for (const s of series) for (const v of s.values) if (v != null && v > max) max = v;
    const ax = axis(max, whole);
    max = ax.step * ax.ticks;
    g.font = "11px system-ui, sans-serif";
    g.textBaseline = "middle";
    g.textAlign = "right";
    for (let i = 0; i <= ax.ticks; i++) {
      const y = top + ph - ph * i / ax.ticks;
      g.strokeStyle = i === 0 ? "#c3ccd6" : "#e7ebf0";
      g.lineWidth = 1;
      g.beginPath(); g.moveTo(left, Math.round(y) + .5); g.lineTo(left + pw, Math.round(y) + .5); g.stroke();
      g.fillStyle = "#6b7787";
      g.fillText(i === 0 ? "0" : format(ax.step * i), left - 6, y);
    }
    g.textAlign = "left";
    g.textBaseline = "alphabetic";
    g.fillText("−" + HISTORY + " snapshots", left, h - 4);
    g.textAlign = "right";
    g.fillText("now", left + pw, h - 4);
    const step = pw / (HISTORY - 1);
    const x0 = left + pw - step * (samples.length - 1);
    for (const s of series) {
      g.strokeStyle = s.color;
      g.lineWidth = s.width || 2;
      g.lineJoin = "round";
      g.beginPath();
      let drawing = false;
      s.values.forEach((v, i) => {
        if (v == null) { drawing = false; return; }
        const x = x0 + i * step, y = top + ph - ph * Math.min(v, max) / max;
        if (drawing) g.lineTo(x, y); else { g.moveTo(x, y); drawing = true; }
      });
      g.stroke();
      if (s.fill && samples.length > 1) {
        g.lineTo(x0 + (s.values.length - 1) * step, top + ph);
        g.lineTo(x0, top + ph);
        g.closePath();
        g.fillStyle = s.fill;
        g.fill();
      }
    }
  }

  function drawCharts() {
    const col = (k) => samples.map((h) => h[k]);
    drawChart($("chart-connections"), [
      { values: col("conn"), color: "#2563eb", fill: "rgba(37, 99, 235, .08)" },
    ], (v) => fmtInt(v), true);
    drawChart($("chart-rates"), [
      { values: col("mIn"), color: "#15803d" },
      { values: col("mOut"), color: "#2563eb" },
      { values: col("pub"), color: "#b45309" },
    ], (v) => fmtRate(v).replace(/\.0$/, ""));
    drawChart($("chart-latency"), [
      { values: col("p50"), color: "#94a3b8", width: 1.5 },
      { values: col("p99"), color: "#7c3aed" },
    ], (v) => fmtMs(v));
  }

  // ---- tables ---------------------------------------------------------------------------------
  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function fillEmpty(tbody, columns, text) {
    const tr = document.createElement("tr");
    cell(tr, text, "empty").colSpan = columns;
    tbody.replaceChildren(tr);
  }

  function refresh() {
    for (const [id, p] of pending) if (Date.now() - p.at > 10000) pending.delete(id);
    if (pending.size > 4) return;  // the hub is slow to answer: do not pile up requests
    send({ op: "admin", action: "topics" }, showTopics);
    send({ op: "admin", action: "connections" }, showConnections);
  }

  function showTopics(msg) {
    const tbody = $("topic-table").tBodies[0];
    if (msg.error) return fillEmpty(tbody, 2, "error: " + msg.error.message);
    const topics = msg.result.topics || [];
    $("topic-count").textContent = "(" + topics.length + ")";
    if (!topics.length) return fillEmpty(tbody, 2, "no topics");
    const rows = topics.map((t) => {
      const tr = document.createElement("tr");
      tr.dataset.topic = t.topic;
      cell(tr, t.topic, "mono");
      cell(tr, fmtInt(t.subscribers), "num");
      return tr;
    });
    tbody.replaceChildren(...rows);
  }

  function showConnections(msg) {
    const tbody = $("conn-table").tBodies[0];
    if (msg.error) return fillEmpty(tbody, 9, "error: " + msg.error.message);
    const list = msg.result.connections || [];
    $("conn-count").textContent = "(" + list.length + ")";
    if (!list.length) return fillEmpty(tbody, 9, "no connections");
    const rows = list.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.client = c.client;
      if (c.client === me) tr.className = "me";
      cell(tr, c.client, "mono");
      cell(tr, c.user == null ? "–" : c.user);
      cell(tr, c.endpoint);
      cell(tr, c.address, "mono");
      cell(tr, fmtDuration(c.age_s), "num");
      cell(tr, fmtBytes(c.bytes_in), "num");
      cell(tr, fmtBytes(c.bytes_out), "num");
      cell(tr, fmtInt(c.topics), "num");
      const td = cell(tr, "");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "kick";
      b.dataset.client = c.client;
      if (c.client === me) { b.textContent = "you"; b.disabled = true; b.title = "this dashboard"; }
      else { b.textContent = "Kick"; b.title = "close " + c.client + " (4403)"; b.onclick = () => kick(c.client, b); }
      td.appendChild(b);
      return tr;
    });
    tbody.replaceChildren(...rows);
  }

  function kick(client, button) {
    button.disabled = true;
    const sent = send({ op: "admin", action: "kick", args: { client: client } }, (msg) => {
      if (msg.error) $("status").textContent = "kick " + client + ": " + msg.error.message;
      else $("status").textContent = msg.result.kicked ? "kicked " + client : client + " was already gone";
      send({ op: "admin", action: "connections" }, showConnections);
    });
    if (!sent) button.disabled = false;
  }

  function resetView() {
    samples = [];
    me = null;
    lastSnapshotAt = 0;
    for (const el of document.querySelectorAll("[id^='m-']")) { el.dataset.value = ""; el.textContent = "–"; }
    $("m-node").textContent = "";
    fillEmpty($("topic-table").tBodies[0], 2, "loading…");
    fillEmpty($("conn-table").tBodies[0], 9, "loading…");
    $("topic-count").textContent = $("conn-count").textContent = "";
  }

  // ---- sign in / out --------------------------------------------------------------------------
  // A link may carry the token in the fragment (never sent to the server); it moves to
  // sessionStorage and the fragment is removed from the address bar and the history.
  function tokenFromFragment() {
    if (!location.hash || location.hash.length < 2) return false;
    const token = new URLSearchParams(location.hash.slice(1)).get("token");
    clearFragment();
    if (!token) return false;
    sessionStorage.setItem(KEY, token);
    return true;
  }
  function clearFragment() { window.history.replaceState(null, "", location.pathname + location.search); }

  $("signin").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    $("token").value = "";
    sessionStorage.setItem(KEY, token);
    retries = 0;
    resetView();
    connect();
  });

  $("signout").addEventListener("click", () => {
    clearTimeout(retryTimer);
    disconnect();
    sessionStorage.removeItem(KEY);
    resetView();
    signInError("");
    setState("signed-out", "signed out");
  });

  window.addEventListener("hashchange", () => {
    if (tokenFromFragment()) { retries = 0; resetView(); connect(); }
  });
  window.addEventListener("resize", drawCharts);

  tokenFromFragment();
  if (sessionStorage.getItem(KEY)) connect(); else setState("signed-out", "signed out");
})();
</script>
</body>
</html>
"""#
}
