#!/usr/bin/env python3
"""The standard benchmark suite (issue 6), driven by `make bench`. Standard library only.

Runs release builds of `hub` and `hub-bench` (which `make bench` has built) against each other on
127.0.0.1, a fresh hub (its own data directory, port 0) for every run, pinned with `taskset` to
core 0 and the load tool to core 1 when there are two cores or more. Each configuration runs
BENCH_RUNS times (default 3). Writes

  reports/bench/results.json   every run's figures, the commands and the machine
  docs/BENCHMARKS.md           tables (medians, min–max), targets, profiles of the misses, and
                               the protocol-core section regenerated from hub-bench-protocol --json
  docs/bench/*.svg             plots drawn here (hand-written SVG)

  tools/bench_suite.py [--runs N] [--quick] [--no-docs] [--no-profile]
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".build" / "release"
REPORTS = ROOT / "reports" / "bench"
DOCS = ROOT / "docs"
PLOTS = DOCS / "bench"

NAMESPACES = json.dumps({"bench": {"subscribe": "anyone", "publish": "anyone", "history_size": 1000,
                                   "history_ttl": 300, "presence": False}}, separators=(",", ":"))
HUB_FLAGS = ["--rate-limit", "1000000", "--rate-burst", "1000000", "--max-outbound-bytes", "16777216",
             "--namespaces", NAMESPACES]
TOPIC = "bench.suite"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"bench [{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------------------------------------
# The machine


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except OSError:
        return [0.0, 0.0, 0.0]


def machine_busy_seconds():
    """CPU seconds spent busy by the whole machine, all cores (from /proc/stat)."""
    try:
        f = open("/proc/stat").readline().split()[1:]
        v = [int(x) for x in f]
        # user nice system idle iowait irq softirq steal
        return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return 0.0


def proc_cpu_seconds(pid):
    try:
        s = open(f"/proc/{pid}/stat").read()
        f = s[s.rindex(")") + 2:].split()
        return (int(f[11]) + int(f[12])) / CLK_TCK  # utime, stime (fields 14 and 15)
    except (OSError, ValueError, IndexError):
        return 0.0


def proc_rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def smaps_rss(pid):
    """The process' resident KiB by kind of mapping, from /proc/PID/smaps."""
    out = {}
    kind = None
    try:
        for line in open(f"/proc/{pid}/smaps"):
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split()
                path = parts[5] if len(parts) > 5 else ""
                kind = ("brk heap" if path == "[heap]" else
                        "anonymous mappings (malloc arenas, stacks)" if path == "" else
                        "thread stacks" if path.startswith("[stack") else
                        "files (binary, libraries)" if path.startswith("/") else path)
            elif line.startswith("Rss:") and kind is not None:
                out[kind] = out.get(kind, 0) + int(line.split()[1])
    except OSError:
        pass
    return out


def swift_version():
    try:
        out = subprocess.run(["swift", "--version"], capture_output=True, text=True, timeout=30).stdout + \
            subprocess.run(["swift", "--version"], capture_output=True, text=True, timeout=30).stderr
        m = re.search(r"Swift version (\S+)", out)
        return m.group(1) if m else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# ---------------------------------------------------------------------------------------------
# The hub and the load tool


class Hub:
    """One hub process on a free port with the benchmark flags, in a temporary data directory."""

    def __init__(self, suite, extra=()):
        self.suite = suite
        self.dir = Path(tempfile.mkdtemp(prefix="hub-bench-suite-"))
        self.cmd = suite.hub_prefix + [str(BIN / "hub"), "serve", "--host", "127.0.0.1", "--port", "0",
                                       "--data-dir", str(self.dir / "data"), "--log-level", "info"] + \
            suite.hub_loops + HUB_FLAGS + list(extra)
        self.logf = open(self.dir / "hub.log", "w+")
        # stdout carries the first-run admin token: not kept.
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=self.logf, cwd=ROOT)
        self.pid = self.proc.pid  # taskset execs the hub: same pid
        self.port = None
        self.max_connections = None
        deadline = time.time() + 15
        while time.time() < deadline:
            text = (self.dir / "hub.log").read_text()
            m = re.search(r'"event":"listening","port":(\d+)', text)
            s = re.search(r'"event":"starting".*?"max_connections":(\d+)', text)
            if s:
                self.max_connections = int(s.group(1))
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        if self.port is None:
            tail = (self.dir / "hub.log").read_text()[-2000:]
            self.stop()
            raise RuntimeError(f"the hub did not start:\n{tail}")
        self.url = f"ws://127.0.0.1:{self.port}"

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, _, value = line.rpartition(" ")
            try:
                out[name] = float(value)
            except ValueError:
                pass
        return out

    def cpu(self):
        return proc_cpu_seconds(self.pid)

    def stop(self):
        rc = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
        else:
            rc = self.proc.returncode
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc


class Sampler(threading.Thread):
    """Samples the CPU time of the hub, of hub-bench and of the whole machine every 50 ms."""

    def __init__(self, hub_pid, bench_pid):
        super().__init__(daemon=True)
        self.pids = (hub_pid, bench_pid)
        self.samples = []
        self.done = threading.Event()

    def run(self):
        last_bench = 0.0
        while not self.done.is_set():
            b = proc_cpu_seconds(self.pids[1])
            last_bench = b if b > 0 else last_bench
            self.samples.append((time.time(), proc_cpu_seconds(self.pids[0]), last_bench, machine_busy_seconds()))
            self.done.wait(0.05)

    def stop(self):
        self.done.set()
        self.join()

    def window(self, start, end):
        """CPU used per wall second in [start, end]: hub, bench and every other process (cores)."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return None
        a, b = inside[0], inside[-1]
        dt = b[0] - a[0]
        if dt <= 0:
            return None
        hub, bench, busy = (b[1] - a[1]) / dt, (b[2] - a[2]) / dt, (b[3] - a[3]) / dt
        return {"seconds": round(dt, 3), "hub": round(hub, 3), "bench": round(bench, 3), "others": round(max(0.0, busy - hub - bench), 3)}


def parse_result_line(text):
    for line in reversed(text.splitlines()):
        if line.startswith("hub-bench: mode="):
            fields = {}
            for tok in line[len("hub-bench: "):].split():
                k, _, v = tok.partition("=")
                try:
                    fields[k] = int(v)
                except ValueError:
                    try:
                        fields[k] = float(v)
                    except ValueError:
                        fields[k] = v
            return fields
    return None


def display_cmd(cmd, hub=None):
    """The command as a reader would type it: the binary relative to the repository, $PORT/$HUB_PID."""
    out = []
    for a in cmd:
        a = str(a).replace(str(BIN) + "/", ".build/release/").replace(str(ROOT) + "/", "")
        a = re.sub(r"/tmp/hub-bench-perf-[^/]+/", "$TMP/", a)
        if hub is not None:
            a = a.replace(f"127.0.0.1:{hub.port}", "127.0.0.1:$PORT")
            if a == str(hub.pid):
                a = "$HUB_PID"
            a = a.replace(str(hub.dir / "data"), "$TMP/data")
        out.append(a)
    return shlex.join(out)


class Suite:
    def __init__(self, args):
        self.args = args
        self.runs = args.runs
        self.quick = args.quick
        self.nproc = os.cpu_count() or 1
        try:
            self.nproc = len(os.sched_getaffinity(0))
        except AttributeError:
            pass
        self.pinned = self.nproc >= 2 and shutil.which("taskset") is not None
        self.hub_prefix = ["taskset", "-c", "0"] if self.pinned else []
        self.bench_prefix = ["taskset", "-c", "1"] if self.pinned else []
        # One event loop per core the hub may use.
        self.hub_loops = ["--loops", "1"] if self.pinned else []
        self.duration = 1.5 if self.quick else 5.0
        self.results = {"sections": {}, "commands": {}, "profiles": {}}

    # One hub-bench run against a fresh hub; returns the run's record.
    def bench(self, section, config, args, hub_extra=(), metrics=False, timeout=180):
        hub = Hub(self, hub_extra)
        try:
            cmd = self.bench_prefix + [str(BIN / "hub-bench")] + [str(a).replace("$URL", hub.url).replace("$HUB_PID", str(hub.pid))
                                                                for a in args] + ["--quiet"]
            self.results["commands"].setdefault(section, {})
            self.results["commands"][section].setdefault("hub", display_cmd(hub.cmd, hub))
            self.results["commands"][section].setdefault(str(config), display_cmd(cmd, hub))
            m0 = hub.metrics() if metrics else None
            rss0 = proc_rss_kib(hub.pid)
            la0 = loadavg()
            busy0, hub0 = machine_busy_seconds(), hub.cpu()
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.time()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
            sampler = Sampler(hub.pid, proc.pid)
            sampler.start()
            try:
                out, err = proc.communicate(timeout=timeout)
                rc = proc.returncode
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                rc = "timeout"
            t_exit = time.time()
            sampler.stop()
            wall = t_exit - t0
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            busy1, hub1 = machine_busy_seconds(), hub.cpu()
            bench_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
            result = parse_result_line(out)
            rec = {"config": config, "rc": rc, "wall_s": round(wall, 3), "hub_cpu_s": round(hub1 - hub0, 3),
                   "bench_cpu_s": round(bench_cpu, 3),
                   "others_cpu_s": round(max(0.0, (busy1 - busy0) - (hub1 - hub0) - bench_cpu), 3),
                   "loadavg_before": la0, "loadavg_after": loadavg(), "hub_rss_kib_before": rss0,
                   "hub_rss_kib_after": proc_rss_kib(hub.pid), "hub_loops": 1 if self.pinned else None,
                   "result": result}
            # CPU during the measured window only (publishing, echoing), not the connects before it: the
            # window is the measured time just before hub-bench exited.
            span = (result or {}).get("deliver_s") or (result or {}).get("duration_s")
            if isinstance(span, (int, float)) and span > 0.2 and result.get("mode") != "connect":
                rec["window"] = sampler.window(t_exit - 0.05 - span, t_exit - 0.05)
            if metrics:
                m1 = hub.metrics()
                keys = ["hub_publications_total", "hub_frames_encoded_total", "hub_deflate_calls_total", "hub_deliveries_total"]
                rec["metrics_before"] = {k: m0.get(k) for k in keys}
                rec["metrics_after"] = {k: m1.get(k) for k in keys}
            if rec["result"] is None or rc != 0:
                rec["stderr_tail"] = err[-1500:]
                log(f"  {section} {config}: hub-bench exit {rc}: {err.strip()[-300:]}")
        finally:
            rec_rc = hub.stop()
        rec["hub_exit"] = rec_rc
        self.results["sections"].setdefault(section, []).append(rec)
        r = rec["result"] or {}
        log(f"  {section} {config}: " + " ".join(f"{k}={r.get(k)}" for k in
                                                   ("result", "deliveries_per_s", "messages_per_s", "latency_p99_us", "rtt_p99_us",
                                                    "hub_bytes_per_connection", "integrity") if k in r))
        return rec

    # -----------------------------------------------------------------------------------------

    def fanout_subscribers(self):
        counts = [1000, 5000, 10000] if not self.quick else [1000, 2000]
        log(f"fan-out throughput, 64 B, subscribers {counts}")
        for n in counts:
            for _ in range(self.runs):
                self.bench("fanout", n, ["fanout", "--url", "$URL", "-t", "1", "-c", n, "-d", self.duration,
                                         "--topic", TOPIC, "--size", 64, "--sources", 1 + n // 5000, "--timeout", 20])

    def latency_rate(self):
        rates = [100, 500, 1000, 2000]
        log(f"latency vs publish rate at 1,000 subscribers, rates {rates}")
        for r in rates:
            for _ in range(self.runs):
                self.bench("latency", r, ["fanout", "--url", "$URL", "-t", "1", "-c", 1000, "-d", self.duration,
                                          "--rate", r, "--topic", TOPIC, "--size", 64, "--timeout", 20])
        # The same 1,000/s with the loop holding fan-out pushes up to W ms (`push_coalesce_ms`), so
        # several publications share each subscriber's write: what deliberate coalescing buys.
        windows = [1, 2, 4]
        log(f"latency at 1,000 publications/s with push_coalesce_ms {windows}")
        for w in windows:
            for _ in range(self.runs):
                self.bench("coalesce", w, ["fanout", "--url", "$URL", "-t", "1", "-c", 1000, "-d", self.duration,
                                           "--rate", 1000, "--topic", TOPIC, "--size", 64, "--timeout", 20],
                           hub_extra=("--push-coalesce-ms", str(w)))

    def echo(self):
        log("echo, 100 connections, 64 B, 4 in flight each")
        for _ in range(self.runs):
            self.bench("echo", 100, ["echo", "--url", "$URL", "-t", "1", "-c", 100, "--inflight", 4, "--size", 64,
                                     "-d", self.duration, "--timeout", 20])

    def rss(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        counts = [1000, 5000, 10000, 19000] if not self.quick else [1000, 5000]
        usable = [n for n in counts if n + 64 <= hard]
        self.results["rss_skipped"] = [n for n in counts if n not in usable]
        self.results["fd_hard_limit"] = hard
        log(f"RSS per idle connection, connections {usable} (fd hard limit {hard})")
        for n in usable:
            for _ in range(self.runs):
                self.bench("rss", n, ["connect", "--url", "$URL", "-t", "1", "-c", n, "-d", 2, "--hub-pid", "$HUB_PID",
                                      "--sources", 1 + n // 5000, "--timeout", 20], timeout=240)

    def deflate(self):
        log("fan-out with and without permessage-deflate, 1,000 subscribers, 512 B text")
        for mode in ["plain", "deflate"]:
            for _ in range(self.runs):
                extra = ["--deflate"] if mode == "deflate" else []
                self.bench("deflate", mode, ["fanout", "--url", "$URL", "-t", "1", "-c", 1000, "-d", self.duration,
                                             "--topic", TOPIC, "--size", 512, "--text-fill", "--timeout", 20] + extra,
                           metrics=True)

    def protocol(self):
        log("protocol micro-benchmarks (hub-bench-protocol)")
        out = []
        for i in range(self.runs):
            path = REPORTS / f"protocol-{i + 1}.json"
            cmd = self.bench_prefix + [str(BIN / "hub-bench-protocol"), "--json", str(path)] + (["--quick"] if self.quick else [])
            self.results["commands"]["protocol"] = display_cmd(cmd).replace(f"protocol-{i + 1}.json", "protocol-N.json")
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
            if p.returncode != 0:
                log(f"  hub-bench-protocol exit {p.returncode}: {p.stderr[-300:]}")
                continue
            out.append(json.loads(path.read_text()))
            log(f"  protocol run {i + 1} done")
        self.results["protocol"] = out

    # -----------------------------------------------------------------------------------------
    # Profiles (perf, cpu-clock sampling) of the misses

    def perf_works(self):
        if shutil.which("perf") is None:
            return False
        p = subprocess.run(["perf", "stat", "-e", "cpu-clock", "true"], capture_output=True, text=True)
        return p.returncode == 0 and "not supported" not in p.stderr

    def perf_report(self, data):
        p = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--no-children", "--sort", "dso,sym",
                            "--percent-limit", "0"], capture_output=True, text=True, timeout=120)
        rows = []
        for line in p.stdout.splitlines():
            m = re.match(r"^\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*?)\s*$", line)
            if m:
                rows.append({"pct": float(m.group(1)), "dso": m.group(2), "kernel": m.group(3) == "k", "sym": m.group(4)})
        for r in rows:
            if r["sym"].startswith("0x"):
                r["sym"] = f"(no symbol: inside {r['dso']})"
        if shutil.which("swift-demangle") and rows:
            d = subprocess.run(["swift-demangle", "--simplified"], input="\n".join(r["sym"] for r in rows),
                               capture_output=True, text=True)
            names = d.stdout.splitlines()
            if len(names) == len(rows):
                for r, n in zip(rows, names):
                    r["sym"] = n
        samples = re.search(r"# Samples: (\S+)", p.stdout)
        return {"samples": samples.group(1) if samples else "?", "kernel_pct": round(sum(r["pct"] for r in rows if r["kernel"]), 1),
                "top": rows[:14]}

    def profile(self, key, args, hub_extra=(), also_bench=False, window=3.0, lead=2.5):
        """Samples the hub (and optionally hub-bench) with perf during `window` seconds of a run."""
        hub = Hub(self, hub_extra)
        tmp = Path(tempfile.mkdtemp(prefix="hub-bench-perf-"))
        try:
            cmd = [str(BIN / "hub-bench")] + [str(a).replace("$URL", hub.url) for a in args] + ["--quiet"]
            if also_bench:
                cmd = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "499", "-o", str(tmp / "bench.data"), "--"] + cmd
            bench = subprocess.Popen(self.bench_prefix + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
            time.sleep(lead)
            subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-p", str(hub.pid), "-o", str(tmp / "hub.data"),
                            "--", "sleep", str(window)], capture_output=True, timeout=window + 30)
            out, _ = bench.communicate(timeout=120)
            prof = {"command": display_cmd(self.bench_prefix + cmd, hub), "hub": self.perf_report(tmp / "hub.data"), "result": parse_result_line(out)}
            if also_bench:
                prof["bench"] = self.perf_report(tmp / "bench.data")
            self.results["profiles"][key] = prof
            log(f"  profiled {key}: hub kernel share {prof['hub']['kernel_pct']} %")
        except (subprocess.SubprocessError, OSError) as e:
            self.results["profiles"][key] = {"error": str(e)}
        finally:
            hub.stop()
            shutil.rmtree(tmp, ignore_errors=True)

    def profile_rss(self, n):
        """Where an idle connection's RSS goes: /proc/PID/smaps of the hub before and with `n` connections open."""
        hub = Hub(self)
        try:
            cmd = self.bench_prefix + [str(BIN / "hub-bench"), "connect", "--url", hub.url, "-t", "1", "-c", str(n), "-d", "4",
                                       "--sources", str(1 + n // 5000), "--timeout", "20", "--quiet"]
            before = smaps_rss(hub.pid)
            bench = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
            deadline = time.time() + 120
            while time.time() < deadline and hub.metrics().get("hub_connections_open", 0) < n:
                time.sleep(0.2)
            time.sleep(0.3)
            after = smaps_rss(hub.pid)
            bench.communicate(timeout=120)
            self.results["profiles"]["rss"] = {"connections": n, "command": display_cmd(cmd, hub), "before_kib": before,
                                               "open_kib": after}
            log(f"  profiled rss: {after}")
        except (subprocess.SubprocessError, OSError) as e:
            self.results["profiles"]["rss"] = {"error": str(e)}
        finally:
            hub.stop()

    def profile_misses(self, targets):
        if not self.perf_works():
            self.results["profiler"] = "none (perf with the cpu-clock event does not work here)"
            return
        self.results["profiler"] = ("perf record -e cpu-clock (sampling; hardware counters are not available in this VM, and "
                                    "valgrind refuses the Swift release binaries' debug info here)")
        missed = {t["key"] for t in targets if t["status"] == "missed"}
        if "rss" in missed and self.results["sections"].get("rss"):
            self.profile_rss(max(r["config"] for r in self.results["sections"]["rss"]))
        d = 6 if not self.quick else 4
        if "throughput" in missed:
            self.profile("throughput", ["fanout", "--url", "$URL", "-t", "1", "-c", 1000, "-d", d, "--topic", TOPIC, "--size", 64])
        if "latency" in missed:
            self.profile("latency", ["fanout", "--url", "$URL", "-t", "1", "-c", 1000, "-d", d, "--rate", 1000, "--topic", TOPIC,
                                     "--size", 64])
        if "echo" in missed:
            self.profile("echo", ["echo", "--url", "$URL", "-t", "1", "-c", 100, "--inflight", 4, "--size", 64, "-d", d], lead=1.0)
        if "deflate" in missed:
            self.profile("deflate", ["fanout", "--url", "$URL", "-t", "1", "-c", 1000, "-d", d, "--topic", TOPIC, "--size", 512,
                                     "--text-fill", "--deflate"], also_bench=True)


# ---------------------------------------------------------------------------------------------
# Statistics and targets


def stat(values):
    values = [v for v in values if isinstance(v, (int, float))]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def field_stats(runs, config, field):
    return stat([(r["result"] or {}).get(field) for r in runs if r["config"] == config])


def configs(runs):
    seen = []
    for r in runs:
        if r["config"] not in seen:
            seen.append(r["config"])
    return seen


def deflate_derived(r):
    b, a = r.get("metrics_before") or {}, r.get("metrics_after") or {}
    d = {k: (a.get(k) or 0) - (b.get(k) or 0) for k in a}
    pubs = d.get("hub_publications_total") or 0
    res = r["result"] or {}
    deliveries = res.get("deliveries") or 0
    return {"publications": pubs,
            "deflate_per_publication": (d.get("hub_deflate_calls_total", 0) / pubs) if pubs else None,
            "frames_per_publication": (d.get("hub_frames_encoded_total", 0) / pubs) if pubs else None,
            "hub_us_per_delivery": (r["window"]["hub"] * 1e6 / res["deliveries_per_s"]) if r.get("window") and res.get("deliveries_per_s")
            else ((r["hub_cpu_s"] * 1e6 / deliveries) if deliveries else None)}


def summarize(results):
    S = results["sections"]
    s = {}
    for sec, fields in [("fanout", ["deliveries_per_s", "latency_p50_us", "latency_p99_us", "latency_p999_us", "latency_max_us",
                                    "publications_per_s"]),
                        ("latency", ["publications_per_s", "deliveries_per_s", "latency_p50_us", "latency_p99_us",
                                     "latency_p999_us", "latency_max_us"]),
                        ("coalesce", ["publications_per_s", "deliveries_per_s", "latency_p50_us", "latency_p99_us",
                                      "latency_p999_us", "latency_max_us"]),
                        ("echo", ["messages_per_s", "rtt_p50_us", "rtt_p99_us", "rtt_p999_us", "rtt_max_us"]),
                        ("rss", ["hub_bytes_per_connection", "connect_rate", "hub_rss_before_kib", "hub_rss_open_kib"]),
                        ("deflate", ["deliveries_per_s", "publications_per_s", "latency_p50_us", "latency_p99_us"])]:
        runs = S.get(sec, [])
        s[sec] = {}
        for c in configs(runs):
            cr = [r for r in runs if r["config"] == c]
            entry = {f: field_stats(runs, c, f) for f in fields}
            entry["integrity_ok"] = sum(1 for r in cr if (r["result"] or {}).get("integrity") == "ok")
            entry["result_ok"] = sum(1 for r in cr if (r["result"] or {}).get("result") == "ok")
            entry["runs"] = len(cr)
            # CPU accounting over each run's wall time (one core each when pinned).
            # During the measured window when there is one (publishing, echoing), else over the whole run.
            def util(r, who):
                if r.get("window"):
                    return r["window"][who]
                return r[f"{who}_cpu_s"] / r["wall_s"] if r["wall_s"] else None
            entry["hub_cpu_util"] = stat([util(r, "hub") for r in cr])
            entry["bench_cpu_util"] = stat([util(r, "bench") for r in cr])
            entry["others_cpu_util"] = stat([util(r, "others") for r in cr])
            # The hub's CPU per delivery in the window (fan-out): how much each delivery costs it.
            entry["hub_us_per_delivery_window"] = stat([
                r["window"]["hub"] * 1e6 / r["result"]["deliveries_per_s"] for r in cr
                if r.get("window") and (r["result"] or {}).get("deliveries_per_s")])
            if sec == "rss":
                entry["opened_all"] = sum(1 for r in cr if (r["result"] or {}).get("opened") == c
                                          and (r["result"] or {}).get("still_open") == c)
            if sec == "deflate":
                der = [deflate_derived(r) for r in cr]
                for k in ["deflate_per_publication", "frames_per_publication", "hub_us_per_delivery"]:
                    entry[k] = stat([d[k] for d in der])
            s[sec][str(c)] = entry
    return s


def fmt(v, digits=3):
    """A figure with `digits` significant digits and thousands separators."""
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    if v == 0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    dec = max(0, digits - 1 - mag)
    if dec == 0:
        return f"{round(v, -(mag - digits + 1)) if mag >= digits else round(v):,.0f}"
    return f"{v:,.{dec}f}"


def ms(us):
    return None if us is None else us / 1000.0


def spread(st, scale=1.0, digits=3):
    if st is None:
        return "–", "–"
    return fmt(st["median"] * scale, digits), f"{fmt(st['min'] * scale, digits)}–{fmt(st['max'] * scale, digits)}"


def evaluate_targets(results, summ):
    t = []

    def add(key, target, measured, status, by):
        t.append({"key": key, "target": target, "measured": measured, "status": status, "by": by})

    fan = summ.get("fanout", {})
    f10 = fan.get("10000")
    if f10:
        ok = f10["integrity_ok"] == f10["runs"] and f10["result_ok"] == f10["runs"]
        add("10k", "10,000 subscribers each receive every publication, zero loss",
            f"integrity ok in {f10['integrity_ok']} of {f10['runs']} runs", "met" if ok else "missed",
            "no loss, duplicate or reordering" if ok else f"{f10['runs'] - f10['integrity_ok']} run(s) failed the check")
    else:
        add("10k", "10,000 subscribers each receive every publication, zero loss", "not run", "not run", "")
    rss = summ.get("rss", {})
    r19 = rss.get("19000")
    if r19:
        ok = r19["opened_all"] == r19["runs"]
        add("19k", "19,000 idle connections held by one hub process", f"all 19,000 open and held in {r19['opened_all']} of "
            f"{r19['runs']} runs", "met" if ok else "missed", "" if ok else "connections failed or dropped")
    else:
        add("19k", "19,000 idle connections held by one hub process",
            f"not run (fd hard limit {results.get('fd_hard_limit')})", "not run", "")
    big = max((int(k) for k in rss), default=None)
    if big is not None:
        b = rss[str(big)]["hub_bytes_per_connection"]["median"]
        add("rss", "RSS per idle connection ≤ 1 KiB (1,024 B)", f"{fmt(b)} B at {big:,} connections (median)",
            "met" if b <= 1024 else "missed",
            f"{fmt(1024 - b)} B under" if b <= 1024 else f"{fmt(b - 1024)} B ({fmt((b / 1024 - 1) * 100, 2)} %) over")
    f1 = fan.get("1000")
    if f1 and f1["deliveries_per_s"]:
        v = f1["deliveries_per_s"]["median"]
        add("throughput", "≥ 1,000,000 deliveries/s to 1,000 subscribers, 64 B", f"{fmt(v)}/s (median)",
            "met" if v >= 1e6 else "missed", f"×{fmt(v / 1e6)} of the target" if v >= 1e6 else
            f"{fmt((1 - v / 1e6) * 100, 2)} % short (needs ×{fmt(1e6 / v, 2)})")
    e = summ.get("echo", {}).get("100")
    if e and e["messages_per_s"]:
        v = e["messages_per_s"]["median"]
        add("echo", "≥ 100,000 echo messages/s with 100 connections", f"{fmt(v)}/s (median)",
            "met" if v >= 1e5 else "missed", f"×{fmt(v / 1e5)} of the target" if v >= 1e5 else
            f"{fmt((1 - v / 1e5) * 100, 2)} % short (needs ×{fmt(1e5 / v, 2)})")
    lat = summ.get("latency", {}).get("1000")
    if lat and lat["latency_p99_us"]:
        v = lat["latency_p99_us"]["median"] / 1000
        add("latency", "p99 publish→deliver ≤ 5 ms, 1,000 subscribers × 1,000 publications/s", f"p99 {fmt(v)} ms (median)",
            "met" if v <= 5 else "missed", f"{fmt(5 - v)} ms under" if v <= 5 else f"×{fmt(v / 5, 2)} the target ({fmt(v - 5)} ms over)")
    dp, dd = summ.get("deflate", {}).get("plain"), summ.get("deflate", {}).get("deflate")
    if dp and dd and dp["deliveries_per_s"] and dd["deliveries_per_s"]:
        ratio = dp["deliveries_per_s"]["median"] / dd["deliveries_per_s"]["median"]
        per = dd["deflate_per_publication"]
        one = per is not None and per["max"] <= 1.0 + 1e-9 and per["min"] >= 1.0 - 1e-9
        hub_ratio = None
        if dd["hub_us_per_delivery"] and dp["hub_us_per_delivery"]:
            hub_ratio = dd["hub_us_per_delivery"]["median"] / dp["hub_us_per_delivery"]["median"]
        add("deflate", "permessage-deflate: one compression per publication per loop, throughput within 2× of uncompressed",
            f"{fmt(per['median'] if per else None)} compressions per publication (1 loop); uncompressed/compressed "
            f"deliveries/s = {fmt(ratio)}×" + (f"; hub CPU per delivery {fmt(hub_ratio)}×" if hub_ratio else ""),
            "met" if one and ratio <= 2 else "missed",
            ("one per publication" if one else "not one per publication") + "; " +
            (f"within 2× (×{fmt(ratio)})" if ratio <= 2 else f"throughput ×{fmt(ratio)}: {fmt(ratio / 2)}× beyond the 2× bound"))
    return t


# ---------------------------------------------------------------------------------------------
# SVG plots


COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def nice_ticks(lo, hi, n=6):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=10 * mag)
    start = math.floor(lo / step) * step
    ticks = [round(start, 10)]
    while ticks[-1] < hi - step * 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def tick_label(v):
    if v == 0:
        return "0"
    if abs(v) >= 1e6:
        return f"{v / 1e6:g} M"
    if abs(v) >= 1e3:
        return f"{v / 1e3:g} k"
    return f"{v:g}"


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def line_chart(path, title, xlabel, ylabel, series, xs, ylog=False, hlines=(), note=""):
    """series: [(name, [(x, median, min, max) or None per x])]; xs: the x values (linear axis).
    Error bars show min–max over the runs; hlines: [(y, label)] dashed reference lines."""
    W, H = 780, 430
    L, R, T, B = 86, 210, 46, 64
    pw, ph = W - L - R, H - T - B
    ys = [v for _, pts in series for p in pts if p for v in p[1:] if v is not None and v > 0]
    ys += [y for y, _ in hlines]
    if not ys:
        return
    xlo, xhi = 0, max(xs) * 1.05
    if ylog:
        ylo = 10 ** math.floor(math.log10(min(ys)))
        yhi = 10 ** math.ceil(math.log10(max(ys)))
        if yhi / ylo < 100:
            ylo /= 10

        def Y(v):
            return T + ph - (math.log10(max(v, ylo)) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)) * ph
        yt = [10 ** e for e in range(int(round(math.log10(ylo))), int(round(math.log10(yhi))) + 1)]
    else:
        yt = nice_ticks(0, max(ys) * 1.08)
        ylo, yhi = 0, yt[-1]

        def Y(v):
            return T + ph - (v - ylo) / (yhi - ylo) * ph

    def X(v):
        return L + (v - xlo) / (xhi - xlo) * pw

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{L + pw / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">{esc(title)}</text>']
    # grid and y ticks
    for v in yt:
        y = Y(v)
        o.append(f'<line x1="{L}" y1="{y:.1f}" x2="{L + pw}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        o.append(f'<line x1="{L - 5}" y1="{y:.1f}" x2="{L}" y2="{y:.1f}" stroke="black"/>')
        o.append(f'<text x="{L - 8}" y="{y + 4:.1f}" text-anchor="end">{esc(tick_label(v))}</text>')
    if ylog:
        for e in range(int(round(math.log10(ylo))), int(round(math.log10(yhi)))):
            for m in (2, 5):
                y = Y(m * 10 ** e)
                o.append(f'<line x1="{L - 3}" y1="{y:.1f}" x2="{L}" y2="{y:.1f}" stroke="black"/>')
    for v in xs:
        x = X(v)
        o.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{T + ph}" stroke="#f0f0f0"/>')
        o.append(f'<line x1="{x:.1f}" y1="{T + ph}" x2="{x:.1f}" y2="{T + ph + 5}" stroke="black"/>')
        o.append(f'<text x="{x:.1f}" y="{T + ph + 19}" text-anchor="middle">{esc(f"{v:,}")}</text>')
    o.append(f'<line x1="{L}" y1="{T + ph}" x2="{L + pw}" y2="{T + ph}" stroke="black"/>')
    o.append(f'<line x1="{L}" y1="{T}" x2="{L}" y2="{T + ph}" stroke="black"/>')
    o.append(f'<text x="{L + pw / 2}" y="{H - 22}" text-anchor="middle">{esc(xlabel)}</text>')
    o.append(f'<text transform="translate(20,{T + ph / 2}) rotate(-90)" text-anchor="middle">{esc(ylabel)}</text>')
    if note:
        o.append(f'<text x="{L}" y="{H - 6}" font-size="10" fill="#666">{esc(note)}</text>')
    legend_y = T + 8
    for y, label in hlines:
        yy = Y(y)
        o.append(f'<line x1="{L}" y1="{yy:.1f}" x2="{L + pw}" y2="{yy:.1f}" stroke="#555" stroke-dasharray="6,4"/>')
        o.append(f'<text x="{L + pw + 8}" y="{yy + 4:.1f}" font-size="11" fill="#555">{esc(label)}</text>')
    for i, (name, pts) in enumerate(series):
        c = COLORS[i % len(COLORS)]
        coords = [(X(p[0]), Y(p[1])) for p in pts if p and p[1] is not None and (not ylog or p[1] > 0)]
        if len(coords) > 1:
            o.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="' +
                     " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
        for p in pts:
            if not p or p[1] is None:
                continue
            x = X(p[0])
            if p[2] is not None and p[3] is not None:
                y1, y2 = Y(p[2]), Y(p[3])
                o.append(f'<line x1="{x:.1f}" y1="{y1:.1f}" x2="{x:.1f}" y2="{y2:.1f}" stroke="{c}" stroke-width="1.2"/>')
                for yy in (y1, y2):
                    o.append(f'<line x1="{x - 4:.1f}" y1="{yy:.1f}" x2="{x + 4:.1f}" y2="{yy:.1f}" stroke="{c}" stroke-width="1.2"/>')
            o.append(f'<circle cx="{x:.1f}" cy="{Y(p[1]):.1f}" r="3.5" fill="{c}"/>')
        ly = legend_y + i * 20
        o.append(f'<line x1="{L + pw + 14}" y1="{ly + 40}" x2="{L + pw + 36}" y2="{ly + 40}" stroke="{c}" stroke-width="2"/>')
        o.append(f'<circle cx="{L + pw + 25}" cy="{ly + 40}" r="3.5" fill="{c}"/>')
        o.append(f'<text x="{L + pw + 42}" y="{ly + 44}">{esc(name)}</text>')
    o.append(f'<text x="{L + pw + 14}" y="{legend_y + 40 + len(series) * 20 + 8}" font-size="10" fill="#666">'
             f'dots: medians; bars: min–max</text>')
    o.append("</svg>")
    path.write_text("\n".join(o) + "\n")


def plots(summ):
    PLOTS.mkdir(parents=True, exist_ok=True)
    made = {}
    fan = summ.get("fanout", {})
    if fan:
        xs = sorted(int(k) for k in fan)
        pts = [(x, *(lambda s: (s["median"], s["min"], s["max"]) if s else (None, None, None))(fan[str(x)]["deliveries_per_s"]))
               for x in xs]
        line_chart(PLOTS / "deliveries-vs-subscribers.svg", "Fan-out: deliveries/s vs subscribers (64 B)", "subscribers",
                   "deliveries/s", [("deliveries/s", pts)], xs, hlines=[(1e6, "target at 1k")],
                   note="one publisher, 64 publications outstanding; hub and hub-bench on one core each")
        made["fanout"] = "bench/deliveries-vs-subscribers.svg"
    lat = summ.get("latency", {})
    if lat:
        xs = sorted(int(k) for k in lat)
        series = []
        for name, f in [("p50", "latency_p50_us"), ("p99", "latency_p99_us"), ("p99.9", "latency_p999_us"), ("max", "latency_max_us")]:
            pts = []
            for x in xs:
                s = lat[str(x)][f]
                pts.append((x, s["median"] / 1000, s["min"] / 1000, s["max"] / 1000) if s else None)
            series.append((name, pts))
        line_chart(PLOTS / "latency-vs-rate.svg", "Publish→deliver latency vs publish rate (1,000 subscribers)",
                   "publications/s", "latency (ms, log scale)", series, xs, ylog=True, hlines=[(5, "p99 target 5 ms")],
                   note="64 B payloads; every delivery timed")
        made["latency"] = "bench/latency-vs-rate.svg"
    rss = summ.get("rss", {})
    if rss:
        xs = sorted(int(k) for k in rss)
        pts = [(x, *(lambda s: (s["median"], s["min"], s["max"]) if s else (None, None, None))(rss[str(x)]["hub_bytes_per_connection"]))
               for x in xs]
        line_chart(PLOTS / "rss-per-connection.svg", "Hub RSS per idle connection vs connections", "idle connections",
                   "bytes per connection", [("bytes/connection", pts)], xs, hlines=[(1024, "target 1 KiB")],
                   note="RSS of the hub after opening − before, divided by the connections (fresh hub each run)")
        made["rss"] = "bench/rss-per-connection.svg"
    return made


# ---------------------------------------------------------------------------------------------
# BENCHMARKS.md


PROTOCOL_INTRO = """## Protocol core (hub-bench-protocol)

Release-mode micro-benchmarks of `WSProtocol`, in `Sources/HubBenchProtocol/`.

```sh
swift build -c release --product hub-bench-protocol
.build/release/hub-bench-protocol                  # full: 5 runs × ≥ 250 ms each, after 100 ms warm-up
.build/release/hub-bench-protocol --quick          # smoke test: 3 runs × ≥ 20 ms (figures not comparable)
.build/release/hub-bench-protocol --json out.json  # also write name, unit, median, min, max, runs
.build/release/hub-bench-protocol --filter parser  # only benchmarks whose name contains "parser"
```

Each benchmark prints its median, min and max over the runs; the last line,
`hub-bench-protocol: name=value …`, carries the medians for scripts. MB = 10^6 bytes; MB/s counts
bytes on the wire for the parser, reader and encoder, uncompressed bytes for deflate/inflate.

What is measured:

| name | work per batch |
|---|---|
| `parser_64B` | `WebSocketFrameParser.next` over 16 K consecutive masked 64-byte binary client frames (70 bytes each, each with its own key), unmasking in place |
| `reader_64B` | the same buffer through `WebSocketMessageReader`: one `[UInt8]` allocated per message |
| `parser_64KiB` | 16 consecutive masked 64 KiB binary frames (14-byte headers; 1 MiB buffer) |
| `mask_64KiB` | `WebSocketMasking.apply(_:keyWord:offset:)` on 64 KiB at offset 0 |
| `utf8_ascii_64KiB` | `UTF8Validator.validate` + `isComplete` on 64 KiB of ASCII JSON-like text |
| `utf8_mixed_64KiB` | the same on `"κόσμε€😀abc"` repeated (2-, 3- and 4-byte sequences) |
| `deflate_1KiB` | `Deflater.compressMessage(_:noContextTakeover: true, into:)` of a 1,024-byte JSON price update (→ 345 bytes), level 6, 15-bit window, reused output |
| `inflate_1KiB` | `Inflater.inflate` + `finishMessage(noContextTakeover: true)` of that payload, reused output |
| `encode_64B` | `WebSocketFrameEncoder.writeHeader` + payload copy into a preallocated buffer, 16 K unmasked 64-byte server frames |
| `encode_frame_64B` | `WebSocketFrameEncoder.frame`, which returns a new `[UInt8]` per frame |

Unmasking is in place, so each pass over a frame buffer XORs the payloads back and forth between
masked and plain. The parser and the reader never look at binary payloads and the work is the same
either way, so the buffer is re-used rather than re-copied; the first pass is checked against the
expected plaintext before timing. A checksum of every result is printed so no work is dropped.
"""

PROTOCOL_ROWS = [
    ("parser_64B_mfps", "parser_64B", "M frames/s", 10, "≥ 10 M/s"),
    ("parser_64B_mbps", "parser_64B", "MB/s", None, ""),
    ("reader_64B_mmps", "reader_64B", "M messages/s", None, ""),
    ("reader_64B_mbps", "reader_64B", "MB/s", None, ""),
    ("parser_64KiB_mbps", "parser_64KiB", "MB/s", 2000, "≥ 2000"),
    ("mask_64KiB_mbps", "mask_64KiB", "MB/s", None, ""),
    ("utf8_ascii_64KiB_mbps", "utf8_ascii_64KiB", "MB/s", 2000, "≥ 2000"),
    ("utf8_mixed_64KiB_mbps", "utf8_mixed_64KiB", "MB/s", None, ""),
    ("deflate_1KiB_us", "deflate_1KiB", "µs/message", None, ""),
    ("deflate_1KiB_mbps", "deflate_1KiB", "MB/s", None, ""),
    ("inflate_1KiB_us", "inflate_1KiB", "µs/message", None, ""),
    ("inflate_1KiB_mbps", "inflate_1KiB", "MB/s", None, ""),
    ("encode_64B_mfps", "encode_64B", "M frames/s", None, ""),
    ("encode_frame_64B_mfps", "encode_frame_64B", "M frames/s", None, ""),
]


def protocol_section(results, machine):
    runs = results.get("protocol") or []
    out = [PROTOCOL_INTRO, "### Results", ""]
    if not runs:
        out.append("hub-bench-protocol did not run.")
        return "\n".join(out)
    by = [{r["name"]: r for r in inv["results"]} for inv in runs]
    quick = any(inv.get("quick") for inv in runs)
    out.append(f"Machine: see [the machine](#the-machine) above ({machine['nproc']} cores, {machine['cpu']}). "
               f"{len(runs)} full invocation{'s' if len(runs) > 1 else ''} of `{results['commands'].get('protocol', '')}`"
               f"{' (--quick: figures not comparable)' if quick else ''}; the median of each invocation, then the spread "
               f"(min–max) over all {sum(len(next(iter(b.values()))['runs']) for b in by)} runs:")
    out += ["", f"| benchmark | unit | median ({' / '.join(f'run {i + 1}' for i in range(len(by)))}) | min–max | target |",
            "|---|---|---|---|---|"]
    med = {}
    for key, name, unit, target, tlabel in PROTOCOL_ROWS:
        rows = [b[key] for b in by if key in b]
        if not rows:
            continue
        allv = [v for r in rows for v in r["runs"]]
        med[key] = statistics.median(allv)
        t = ""
        if target is not None:
            t = f"{tlabel}: {'met' if med[key] >= target else 'missed'}"
        out.append(f"| `{name}` | {unit} | {' / '.join(fmt(r['median']) for r in rows)} | {fmt(min(allv))}–{fmt(max(allv))} | {t} |")
    out.append("")
    if "mask_64KiB_mbps" in med and "parser_64KiB_mbps" in med:
        out.append(f"- **Unmasking ≥ 2 GB/s: {'met' if med['parser_64KiB_mbps'] >= 2000 else 'missed'}**, by a factor of about "
                   f"{fmt(med['parser_64KiB_mbps'] / 2000, 2)} (≈ {fmt(med['parser_64KiB_mbps'] / 1000, 2)} GB/s for 64 KiB frames "
                   f"out of a 1 MiB, L3-resident buffer; ≈ {fmt(med['mask_64KiB_mbps'] / 1000, 2)} GB/s for 64 KiB alone). The "
                   "compiler turns the eight-bytes-at-a-time loop of `WebSocketMasking.apply` into 16-byte SSE2 `pxor`s.")
    if "utf8_ascii_64KiB_mbps" in med:
        out.append(f"- **ASCII UTF-8 ≥ 2 GB/s: {'met' if med['utf8_ascii_64KiB_mbps'] >= 2000 else 'missed'}** "
                   f"(≈ {fmt(med['utf8_ascii_64KiB_mbps'] / 1000, 2)} GB/s, the sixteen-byte fast path). Mixed multi-byte text goes "
                   f"byte by byte through the state machine at ≈ {fmt(med.get('utf8_mixed_64KiB_mbps', 0) / 1000, 2)} GB/s; "
                   "there is no target for it.")
    if "parser_64B_mfps" in med:
        out.append(f"- **≥ 10 M small frames/s with `WebSocketFrameParser`: {'met' if med['parser_64B_mfps'] >= 10 else 'missed'}** "
                   f"(≈ {fmt(med['parser_64B_mfps'], 2)} M/s, ≈ {fmt(1000 / med['parser_64B_mfps'], 2)} ns per 70-byte frame).")
    if "reader_64B_mmps" in med:
        out.append(f"- The reader delivers ≈ {fmt(med['reader_64B_mmps'], 2)} M 64-byte messages/s. Profiled with callgrind when "
                   "this benchmark was written: only about a quarter of its instructions are parsing and unmasking (the work "
                   "of `parser_64B`); most of the rest is the `[UInt8]` per message (allocation, `append`, then "
                   "`swift_release`/`free`, ≈ 45 %). No target; a caller that wants more keeps payload slices instead of arrays.")
    if "deflate_1KiB_us" in med:
        out.append(f"- Deflate of 1 KiB with no context takeover costs ≈ {fmt(med['deflate_1KiB_us'], 2)} µs, several times "
                   "SWIFT-NOTES' 3.5–4.3 µs *with* context takeover: every message starts with an empty window, and "
                   "`deflateReset` clears zlib's hash table (in callgrind the biggest single item is that `memset`). Since the "
                   "server never takes over context, one compressed frame serves every subscriber of a loop, so this is "
                   "paid per published message rather than per recipient (see the deflate section above).")
    return "\n".join(out)


CPU_NOTE = ("CPU columns: cores' worth of CPU time per wall second during the measured window (publishing to the "
            "last delivery, or echoing), medians over the runs, sampled from `/proc` every 50 ms: the hub, hub-bench, and "
            "every other process on the machine; 100 % is one core. Hub CPU µs / delivery is the hub's CPU time in that "
            "window divided by the deliveries.")


def usd(e):
    s = e.get("hub_us_per_delivery_window")
    return "–" if not s else f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})"


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def pct(st):
    return "–" if st is None else f"{fmt(st['median'] * 100, 2)} %"


def profile_md(prof, who="hub"):
    p = prof.get(who)
    if not p:
        return f"(no {who} profile: {prof.get('error', 'not taken')})"
    rows = [[f"{r['pct']:.1f} %", "kernel" if r["kernel"] else r["dso"], f"`{r['sym'][:110].replace('|', '/')}`"] for r in p["top"][:12]]
    return (f"{p['samples']} samples of the {who}; {p['kernel_pct']} % of them in the kernel.\n\n" +
            md_table(["share", "where", "symbol"], rows))


def cpu_line(entry):
    return (f"While publishing, the hub's process used {pct(entry['hub_cpu_util'])} of one core (median over the runs), hub-bench {pct(entry['bench_cpu_util'])}, and every other process on the machine together "
            f"{pct(entry['others_cpu_util'])} of a core.")


def top_user(prof, who="hub", n=4):
    p = prof.get(who) or {}
    names = [f"`{r['sym'][:70]}` ({r['pct']:.1f} %)" for r in p.get("top", []) if not r["kernel"]][:n]
    return ", ".join(names) if names else "–"


def top_kernel(prof, who="hub", n=4):
    p = prof.get(who) or {}
    names = [f"`{r['sym'][:60]}` ({r['pct']:.1f} %)" for r in p.get("top", []) if r["kernel"]][:n]
    return ", ".join(names) if names else "–"


def misses_md(results, summ, targets):
    missed = [t for t in targets if t["status"] == "missed"]
    if not missed:
        return "Every target was met in this run; no profile was taken."
    out = [f"Profiler: {results.get('profiler', '–')}. Each profile is a separate run on a fresh hub (same flags and "
           "pinning), sampled for 3 s once the subscribers are in; the commands are listed with each profile."]
    profs = results["profiles"]
    for t in missed:
        k = t["key"]
        out += ["", f"### {t['target']}", "", f"Measured {t['measured']}: {t['by']}."]
        if k == "throughput":
            e = summ["fanout"]["1000"]
            out += ["", cpu_line(e)]
            if k in profs:
                out += ["", f"`{profs[k].get('command', '')}`", "", profile_md(profs[k])]
                out += ["", f"What it shows: {profs[k].get('hub', {}).get('kernel_pct', '?')} % of the hub's time is in the kernel's "
                        f"TCP send path ({top_kernel(profs[k])}): one `writev` per subscriber per loop turn. In user space the "
                        f"largest items are {top_user(profs[k])}: reference counting of the shared frame and of each "
                        "connection as the fan-out loop walks the subscriber set, and the outbound queue's append. "
                        "What would close it: a machine without the other load (the hub's core was shared, see above); "
                        "a second hub loop on a second core (the pinned setup gives the hub one core, the issue's peers "
                        "used the whole machine); fewer, larger writes per subscriber when publications queue up "
                        "(coalesce every frame of a loop turn into one `writev`, which the kernel cost is proportional to); "
                        "and a fan-out loop over a contiguous array of unowned connection references instead of "
                        "retaining each connection and the frame per subscriber."]
        elif k == "latency":
            L = summ["latency"]
            e = L["1000"]
            out += ["", cpu_line(e)]
            if k in profs:
                out += ["", f"`{profs[k].get('command', '')}`", "", profile_md(profs[k])]
            low = min(L, key=int)
            c_low = (L[low].get("hub_us_per_delivery_window") or {}).get("median")
            c_1k = (e.get("hub_us_per_delivery_window") or {}).get("median")
            c_max = ((summ.get("fanout", {}).get("1000") or {}).get("hub_us_per_delivery_window") or {}).get("median")
            text = ("What it shows: the work is in the kernel's TCP send path "
                    f"({profs.get(k, {}).get('hub', {}).get('kernel_pct', '?')} % of the hub's samples; {top_kernel(profs.get(k, {}))}): "
                    "a publication that arrives alone is written to each subscriber with its own `writev`, and on "
                    "loopback each of those also runs the receiving side of TCP and wakes hub-bench.")
            if c_low and c_max:
                text += (f" At {int(low):,} publications/s, where nearly every publication is alone, a delivery costs the hub "
                         f"≈ {fmt(c_low)} µs of CPU; at full speed, where several publications share each write, ≈ {fmt(c_max)} µs. "
                         f"1,000 subscribers × 1,000 publications/s written one by one would need ≈ {fmt(c_low)} cores' worth "
                         "of CPU for the hub alone (1 M writes/s), on a machine whose hub has one core: the hub falls behind, "
                         "publications queue up and get coalesced (hence "
                         f"≈ {fmt(c_1k) if c_1k else '?'} µs per delivery at 1,000/s), and the queue is the latency.")
            text += (" Fan-out to 1,000 sockets is also sequential: the last subscriber's frame is written about "
                     f"{fmt(c_low) if c_low else '?'} ms after the first's, a floor under the p99 even on an idle core. "
                     "On top of that the cores are shared "
                     f"(others used {pct(e['others_cpu_util'])} of a core during these runs, load average "
                     f"{results['machine']['loadavg_start'][0]} at the start) and the scheduler's slices of several ms add "
                     "to every percentile. What would close it: fewer sends per publication, which means coalescing "
                     "deliberately — a short, bounded batching window during which a loop gathers publications "
                     "and then writes each subscriber once (built: `push_coalesce_ms`, measured below) — so that "
                     "the send count, not the publication count, matches what one core can do (about 1/cost ≈ "
                     f"{fmt(1e6 / c_low) if c_low else '?'} sends/s); spreading subscribers over several loops on "
                     "several cores (a second machine for hub-bench), so that the 1,000 sends run in parallel; and a quiet "
                     "machine. The target is not reachable with one hub core and per-publication writes: the "
                     "kernel alone costs more than the 1 ms between publications.")
            out += ["", text]
            C = summ.get("coalesce") or {}
            if C:
                rows = ["", "Deliberate coalescing, measured: the same 1,000 subscribers × 1,000 publications/s with the "
                        "hub started with `--push-coalesce-ms W` (a loop holds fan-out pushes up to W ms, then writes each "
                        "subscriber once; replies never wait). Medians (min–max) over the runs.", "",
                        "| window | p50 ms | p99 ms | p99.9 ms | hub CPU µs / delivery | CPU: hub / bench / others |",
                        "|---|---|---|---|---|---|"]
                def ms(entry, f):
                    st = entry.get(f) or {}
                    if st.get("median") is None:
                        return "–"
                    return f"{fmt(st['median'] / 1000)} ({fmt(st['min'] / 1000)}–{fmt(st['max'] / 1000)})"
                base = dict(e)
                for label, entry in [("0 (off)", base)] + [(f"{w} ms", C[w]) for w in sorted(C, key=int)]:
                    cpu = (entry.get("hub_us_per_delivery_window") or {}).get("median")
                    rows.append(f"| {label} | {ms(entry, 'latency_p50_us')} | {ms(entry, 'latency_p99_us')} | "
                                f"{ms(entry, 'latency_p999_us')} | {fmt(cpu)} | {pct(entry['hub_cpu_util'])} / "
                                f"{pct(entry['bench_cpu_util'])} / {pct(entry['others_cpu_util'])} |")
                base99 = (e.get("latency_p99_us") or {}).get("median")
                best = min(C, key=lambda w: (C[w].get("latency_p99_us") or {}).get("median") or float("inf"))
                best99 = (C[best].get("latency_p99_us") or {}).get("median")
                gain = (f"the best window here, {best} ms, took the p99 from {fmt(base99 / 1000)} to {fmt(best99 / 1000)} ms"
                        if base99 and best99 else "")
                rows += ["", "What it shows: holding pushes cuts the hub's sends and its CPU per delivery and lowers the "
                         f"latency under this load ({gain}), but the p99 stays far above 5 ms, because the floor is the sequential fan-out itself: on loopback each TCP "
                         "send costs the sending core about 5 µs of kernel time (the receiver's softirq and the wake-up of "
                         "hub-bench run in the sender's context), so one publication to 1,000 sockets takes about 5 ms of "
                         "one core however few bytes it carries, and hub-bench needs about as long to read them on its "
                         "one core. A p99 of 5 ms at this load needs the 1,000 sends spread over several cores (more "
                         "loops, on more cores than this machine has next to the load tool) or a load tool on another "
                         "machine; the hub's own share (user space) is under 15 % of its samples. `push_coalesce_ms` "
                         "stays 0 by default: at light load it only adds up to W ms to every lone publication; a "
                         "deployment with heavy fan-out can set 1."]
                out += rows
        elif k == "echo":
            e = summ["echo"]["100"]
            out += ["", cpu_line(e)]
            if k in profs:
                out += ["", f"`{profs[k].get('command', '')}`", "", profile_md(profs[k])]
                out += ["", f"What it shows: the echo path is one `read` and one `write` per message; "
                        f"{profs[k].get('hub', {}).get('kernel_pct', '?')} % of the hub's time is in the kernel. What would close "
                        "it: batching (several messages per read and per write when the peer pipelines), and a quieter machine."]
        elif k == "rss":
            r = summ["rss"]
            big = max(int(x) for x in r)
            e = r[str(big)]
            out += ["", f"The hub's RSS went from {fmt(e['hub_rss_before_kib']['median'])} KiB to "
                    f"{fmt(e['hub_rss_open_kib']['median'])} KiB with {big:,} idle connections open (medians); the kernel's "
                    "socket buffers are not in a process' RSS."]
            pr = profs.get("rss") or {}
            if pr.get("open_kib"):
                n = pr["connections"]
                kinds = sorted(set(pr["before_kib"]) | set(pr["open_kib"]), key=lambda x: -(pr["open_kib"].get(x, 0) - pr["before_kib"].get(x, 0)))
                rows = [[kd, f'{pr["before_kib"].get(kd, 0):,}', f'{pr["open_kib"].get(kd, 0):,}',
                         f'{pr["open_kib"].get(kd, 0) - pr["before_kib"].get(kd, 0):,}',
                         fmt((pr["open_kib"].get(kd, 0) - pr["before_kib"].get(kd, 0)) * 1024 / n)]
                        for kd in kinds if pr["open_kib"].get(kd, 0) or pr["before_kib"].get(kd, 0)]
                out += ["", f"A memory profile instead of a CPU one: the hub's `/proc/PID/smaps` by kind of mapping, "
                        f"before and with {n:,} connections open (`{pr['command']}`):", "",
                        md_table(["mapping", "KiB before", "KiB open", "Δ KiB", "Δ bytes / connection"], rows)]
            out += ["", "What it shows: the growth is in anonymous mappings, which is where glibc's malloc arena of the "
                    "event-loop thread lives, so it is heap objects per connection (plus malloc's 16-byte headers and "
                    "rounding), not code, stacks or kernel memory. From `Sources/Hub/Server/Connection.swift`, an idle "
                    "connection keeps its `Connection` object (about thirty stored properties), the WebSocket message "
                    "reader and parser state, its session handler (the v1 session: identity, subscriptions, rate-limit "
                    "bucket), the outbound queue's item array (which keeps the capacity it grew to for the 101 "
                    "response and the welcome push), its slot in the loop's connection table and its timer-wheel "
                    "entries. valgrind's massif would split that per allocation site, but valgrind refuses the release "
                    "binary here (\"Possibly corrupted debuginfo file\"), so the split is not measured. What would close "
                    "it: release what only the handshake and the first pushes needed (shrink the outbound queue's array "
                    "back to zero capacity when it drains, drop the HTTP head parser and request head after the 101), "
                    "allocate the message reader's buffers on the first frame rather than at the upgrade, and keep the "
                    "session's rarely used fields (identity details, per-topic state) in one lazily created side "
                    "object: about 400 bytes a connection have to go."]
        elif k == "deflate":
            dp, dd = summ["deflate"]["plain"], summ["deflate"]["deflate"]
            out += ["", "Uncompressed: " + cpu_line(dp), "", "Compressed: " + cpu_line(dd)]
            out += ["", "How hub-bench reads compressed pushes: the hub negotiates `server_no_context_takeover`, so "
                    "every compressed message inflates on its own and equal compressed bytes inflate to equal text. "
                    "hub-bench keeps the last 256 compressed payloads it inflated, per bench loop, keyed by a 64-bit "
                    "hash and confirmed byte for byte (`memcmp`); a subscriber whose push matches one gets that text "
                    "and every delivery is still checked (offset, order, payload). So one publication is inflated "
                    "about once per bench loop instead of 1,000 times on one core: real subscribers inflate on their "
                    "own CPUs, and before this the ratio measured hub-bench's zlib (×9), not the hub. The "
                    "`inflations` and `inflations_shared` fields of each run say how many were done and shared."]
            if dd["hub_us_per_delivery"] and dp["hub_us_per_delivery"]:
                out += ["", f"The hub's CPU per delivery: {fmt(dp['hub_us_per_delivery']['median'])} µs uncompressed, "
                        f"{fmt(dd['hub_us_per_delivery']['median'])} µs compressed "
                        f"(×{fmt(dd['hub_us_per_delivery']['median'] / dp['hub_us_per_delivery']['median'])}), with "
                        f"{fmt(dd['deflate_per_publication']['median'] if dd['deflate_per_publication'] else None)} compressions per "
                        "publication on its one loop."]
            if k in profs:
                out += ["", f"`{profs[k].get('command', '')}`", "", "The hub:", "", profile_md(profs[k]), "",
                        "hub-bench (the 1,000 subscribers):", "", profile_md(profs[k], "bench")]
                out += ["", "What it shows: where the hub and hub-bench spend the compressed run's time; the hub "
                        "compresses once per publication and loop (the counters above), and its remaining extra cost is "
                        "the per-message `deflateReset` (it clears zlib's hash table)."]
                hasher = [r for r in (profs[k].get("hub") or {}).get("top", []) if "Hasher" in r["sym"]]
                if hasher:
                    out += ["", f"One hub-side item worth removing: `Hasher` ({hasher[0]['pct']:.1f} % of the hub's samples) is the "
                            "fan-out loop looking up the compressed frame by window size in a dictionary once per "
                            "subscriber (`EventLoop.fanOut`); a two-entry array, or hoisting the common case "
                            "(every subscriber with the default window) out of the loop, makes it free."]
    return "\n".join(out)


def write_docs(results, summ, targets, svgs):
    m = results["machine"]
    S = summ
    o = ["# Benchmarks", "",
         "Generated by `make bench` (`tools/bench_suite.py`) from its last run; the raw figures of every run are in "
         "`reports/bench/results.json` (not committed). Do not edit by hand: run `make bench` again. "
         "Benchmarks measure; tests do not time anything.", "",
         "## The machine", "",
         f"- {m['nproc']} cores (`nproc`), CPU model \"{m['cpu']}\", Linux {m['kernel']}, Swift {m['swift']}, release builds.",
         f"- Date: {m['date']}. The suite took {fmt(m['suite_minutes'], 2)} minutes.",
         f"- {'The hub runs on core 0 (`taskset -c 0`, `--loops 1`) and hub-bench on core 1 (`taskset -c 1`).' if m['pinned'] else 'Not pinned (fewer than two cores).'}",
         f"- **The machine is shared and noisy**: other sessions' builds and test runs use the same two cores (load "
         f"average {m['loadavg_start'][0]} at the start, {m['loadavg_end'][0]} at the end). Pinning keeps the hub and "
         "hub-bench apart, not other processes away. Each table gives, per configuration, how much CPU the hub, hub-bench "
         "and everything else used during the runs; the spread between runs is large, and a quiet machine would give "
         "better and steadier figures.",
         f"- {m['runs']} runs per configuration (`BENCH_RUNS`), a fresh hub for every run, in a temporary data directory, "
         "stopped with SIGTERM after it. Medians, and the spread as min–max over the runs.", "",
         "## How it is run", "",
         "```sh",
         "make bench                  # builds hub, hub-bench, hub-bench-protocol (release), then tools/bench_suite.py",
         "BENCH_RUNS=5 make bench     # more runs per configuration",
         "```", "",
         "The hub, for every run (`$TMP` a fresh directory; the port is read from the `listening` log line):", "",
         "```sh", results["commands"].get("fanout", {}).get("hub", results["commands"].get("echo", {}).get("hub", "")), "```", "",
         "The load (`$PORT` the hub's port, `$HUB_PID` its pid):", "", "```sh"]
    for sec in ["fanout", "latency", "echo", "rss", "deflate"]:
        for k, v in results["commands"].get(sec, {}).items():
            if k != "hub":
                o.append(v)
    o.append(results["commands"].get("protocol", ""))
    o += ["```", "",
          "Latency is publish→receive: hub-bench writes its clock into each publication and every subscriber "
          "reads it on arrival (one clock, one machine), so every delivery is one sample. Deliveries/s counts "
          "messages received by all subscribers from the first publication to the last delivery. Every fan-out "
          "run also checks that each subscriber got every publication once and in order (`integrity`).", "",
          "## Targets", "",
          "From issue 6; peers measured on the same kind of machine: SwiftNIO ≈ 5.4 KB and Node's `ws` ≈ 6.2 KB RSS "
          "per idle connection, the fastest C++ server ≈ 1.2 M deliveries/s to 1,000 subscribers and ≈ 130 k echo "
          "messages/s with 100 connections.", "",
          md_table(["target", "measured", "status", "by how much"],
                   [[t["target"], t["measured"], f"**{t['status']}**", t["by"]] for t in targets]), ""]

    # Fan-out
    fan = S.get("fanout", {})
    if fan:
        rows = []
        for c, e in fan.items():
            d = spread(e["deliveries_per_s"])
            p50, p99, p999, mx = (spread(e[f], 0.001) for f in ["latency_p50_us", "latency_p99_us", "latency_p999_us", "latency_max_us"])
            rows.append([f"{int(c):,}", d[0], d[1], f"{p50[0]} ({p50[1]})", f"{p99[0]} ({p99[1]})", f"{p999[0]} ({p999[1]})",
                         f"{mx[0]} ({mx[1]})", f"{e['integrity_ok']}/{e['runs']} ok", usd(e),
                         f"{pct(e['hub_cpu_util'])} / {pct(e['bench_cpu_util'])} / {pct(e['others_cpu_util'])}"])
        o += ["## Fan-out throughput vs subscribers", "",
              f"One publisher, as fast as 64 outstanding publications allow, 64-byte data, {fmt(results['duration_s'])} s per run. "
              "Latency is in ms, median (min–max) over the runs; at full speed it is mostly queueing behind the 64 "
              "outstanding publications, see the next section for latency at a set rate.", "",
              md_table(["subscribers", "deliveries/s", "min–max", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "integrity",
                        "hub CPU µs / delivery", "CPU: hub / bench / others"], rows), "", CPU_NOTE, ""]
        if "fanout" in svgs:
            o += [f"![deliveries/s vs subscribers]({svgs['fanout']})", ""]
    lat = S.get("latency", {})
    if lat:
        rows = []
        for c, e in lat.items():
            pp = spread(e["publications_per_s"])
            p50, p99, p999, mx = (spread(e[f], 0.001) for f in ["latency_p50_us", "latency_p99_us", "latency_p999_us", "latency_max_us"])
            rows.append([f"{int(c):,}", f"{pp[0]} ({pp[1]})", f"{p50[0]} ({p50[1]})", f"{p99[0]} ({p99[1]})", f"{p999[0]} ({p999[1]})",
                         f"{mx[0]} ({mx[1]})", f"{e['integrity_ok']}/{e['runs']} ok", usd(e),
                         f"{pct(e['hub_cpu_util'])} / {pct(e['bench_cpu_util'])} / {pct(e['others_cpu_util'])}"])
        o += ["## Latency vs publish rate", "",
              f"1,000 subscribers, one publisher at a set rate, 64-byte data, {fmt(results['duration_s'])} s per run. Median (min–max) "
              "over the runs; latencies in ms. Where the achieved rate is below the target, the hub could not keep up "
              "and hub-bench's cap of 64 outstanding publications held the publisher back; the latency is then "
              "the time publications spend queued.", "",
              md_table(["target publications/s", "achieved /s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "integrity",
                        "hub CPU µs / delivery", "CPU: hub / bench / others"], rows), "", CPU_NOTE, ""]
        if "latency" in svgs:
            o += [f"![latency percentiles vs publish rate]({svgs['latency']})", ""]
    e = S.get("echo", {}).get("100")
    if e:
        mps = spread(e["messages_per_s"])
        p50, p99, p999, mx = (spread(e[f], 0.001) for f in ["rtt_p50_us", "rtt_p99_us", "rtt_p999_us", "rtt_max_us"])
        o += ["## Echo", "",
              f"100 connections to `/echo`, 4 messages of 64 bytes in flight on each, {fmt(results['duration_s'])} s per run; every "
              "echo is compared byte for byte. Round-trip times in ms.", "",
              md_table(["connections", "messages/s", "min–max", "rtt p50 ms", "p99 ms", "p99.9 ms", "max ms", "CPU: hub / bench / others"],
                       [["100", mps[0], mps[1], f"{p50[0]} ({p50[1]})", f"{p99[0]} ({p99[1]})", f"{p999[0]} ({p999[1]})",
                         f"{mx[0]} ({mx[1]})", f"{pct(e['hub_cpu_util'])} / {pct(e['bench_cpu_util'])} / {pct(e['others_cpu_util'])}"]]), ""]
    rss = S.get("rss", {})
    if rss:
        rows = []
        for c, e in rss.items():
            b = spread(e["hub_bytes_per_connection"])
            rows.append([f"{int(c):,}", b[0], b[1], f"{fmt(e['hub_rss_before_kib']['median'])} → {fmt(e['hub_rss_open_kib']['median'])}",
                         f"{spread(e['connect_rate'])[0]} ({spread(e['connect_rate'])[1]})", f"{e['opened_all']}/{e['runs']}"])
        skipped = results.get("rss_skipped") or []
        o += ["## RSS per idle connection", "",
              "`hub-bench connect --hub-pid`: the hub's resident set (VmRSS) after all connections are open and 200 ms "
              "of settling, minus before the first, divided by the connections; held 2 s, none may drop. The kernel's "
              "socket buffers are not part of a process' RSS. The hub logs its file-descriptor limit and the connections "
              f"it allows at start (`max_connections`); the hard limit here is {results.get('fd_hard_limit')} open files per process.", "",
              md_table(["connections", "bytes/connection", "min–max", "hub RSS KiB (median)", "connects/s", "all open and held"], rows), ""]
        if skipped:
            o += [f"Not run: {', '.join(f'{n:,}' for n in skipped)} connections (above the file-descriptor limit).", ""]
        if "rss" in svgs:
            o += [f"![RSS per connection vs connections]({svgs['rss']})", ""]
    dfl = S.get("deflate", {})
    if dfl.get("plain") and dfl.get("deflate"):
        rows = []
        for c in ["plain", "deflate"]:
            e = dfl[c]
            d = spread(e["deliveries_per_s"])
            rows.append(["uncompressed" if c == "plain" else "permessage-deflate", d[0], d[1], spread(e["publications_per_s"])[0],
                         f"{spread(e['deflate_per_publication'])[0]} ({spread(e['deflate_per_publication'])[1]})",
                         f"{spread(e['frames_per_publication'])[0]} ({spread(e['frames_per_publication'])[1]})",
                         f"{spread(e['hub_us_per_delivery'])[0]} ({spread(e['hub_us_per_delivery'])[1]})",
                         f"{e['integrity_ok']}/{e['runs']} ok",
                         f"{pct(e['hub_cpu_util'])} / {pct(e['bench_cpu_util'])} / {pct(e['others_cpu_util'])}"])
        ratio = dfl["plain"]["deliveries_per_s"]["median"] / dfl["deflate"]["deliveries_per_s"]["median"]
        o += ["## permessage-deflate", "",
              "1,000 subscribers, 512-byte data of varied JSON-like text (`--text-fill`, over the hub's 128-byte "
              "threshold), as fast as 64 outstanding publications allow; in the compressed case every connection "
              "(subscribers and the publisher) negotiates permessage-deflate. `hub_deflate_calls_total`, "
              "`hub_frames_encoded_total` and `hub_publications_total` are read from `GET /metrics` before and after "
              "each run; the hub runs one loop, so one compression per publication per loop is 1.00.", "",
              md_table(["case", "deliveries/s", "min–max", "publications/s", "compressions / publication",
                        "frames encoded / publication", "hub CPU µs / delivery", "integrity", "CPU: hub / bench / others"], rows), "",
              f"Uncompressed / compressed deliveries/s: **{fmt(ratio)}×** (medians).", ""]
    o += ["## Misses: profiles and what would close them", "", misses_md(results, summ, targets), ""]
    o += [protocol_section(results, m), ""]
    (DOCS / "BENCHMARKS.md").write_text("\n".join(o))


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--quick", action="store_true", help="short runs, small sizes (to try the suite; figures not comparable)")
    ap.add_argument("--no-docs", action="store_true", help="write reports/bench/results.json only")
    ap.add_argument("--no-profile", action="store_true", help="do not profile the misses")
    ap.add_argument("--render", action="store_true", help="rewrite the docs and plots from reports/bench/results.json only")
    ap.add_argument("--only", default="", help="comma-separated sections: fanout,latency,echo,rss,deflate,protocol")
    args = ap.parse_args()
    for b in ["hub", "hub-bench", "hub-bench-protocol"]:
        if not (BIN / b).exists():
            sys.exit(f"bench: {BIN / b} is missing: run `make bench` (it builds the release products)")
    if args.render:
        res = json.loads((REPORTS / "results.json").read_text())
        summ = summarize(res)
        res["targets"] = evaluate_targets(res, summ)
        write_docs(res, summ, res["targets"], plots(summ))
        log(f"rewrote {DOCS / 'BENCHMARKS.md'} from {REPORTS / 'results.json'}")
        return 0
    REPORTS.mkdir(parents=True, exist_ok=True)
    suite = Suite(args)
    start = time.time()
    res = suite.results
    res["machine"] = {"nproc": suite.nproc, "cpu": cpu_model(), "kernel": platform.release(), "swift": swift_version(),
                      "date": datetime.date.today().isoformat(), "pinned": suite.pinned, "runs": suite.runs,
                      "loadavg_start": loadavg(), "quick": suite.quick}
    res["duration_s"] = suite.duration
    log(f"{suite.nproc} cores, {'pinned: hub on core 0, hub-bench on core 1' if suite.pinned else 'not pinned'}; "
        f"{suite.runs} runs per configuration; load average {res['machine']['loadavg_start']}")
    only = set(filter(None, args.only.split(",")))
    for name in ["fanout", "latency", "echo", "rss", "deflate", "protocol"]:
        if only and name not in only:
            continue
        {"fanout": suite.fanout_subscribers, "latency": suite.latency_rate, "echo": suite.echo, "rss": suite.rss,
         "deflate": suite.deflate, "protocol": suite.protocol}[name]()
    summ = summarize(res)
    targets = evaluate_targets(res, summ)
    if not args.no_profile:
        log("profiling the misses")
        suite.profile_misses(targets)
    res["machine"]["loadavg_end"] = loadavg()
    res["machine"]["suite_minutes"] = (time.time() - start) / 60
    res["summary"] = summ
    res["targets"] = targets
    (REPORTS / "results.json").write_text(json.dumps(res, indent=1) + "\n")
    log(f"wrote {REPORTS / 'results.json'}")
    if not args.no_docs:
        svgs = plots(summ)
        write_docs(res, summ, targets, svgs)
        log(f"wrote {DOCS / 'BENCHMARKS.md'} and {len(svgs)} plots in {PLOTS}")
    print()
    for t in targets:
        print(f"  {t['status']:8s} {t['target']}: {t['measured']} ({t['by']})")
    failed = [r for sec in res["sections"].values() for r in sec
              if (r["result"] or {}).get("integrity", "ok") != "ok" or r["result"] is None]
    if failed:
        print(f"bench: {len(failed)} run(s) failed their integrity check or did not finish (see results.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
