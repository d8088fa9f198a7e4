#!/usr/bin/env python3
"""autobahn - run the Autobahn TestSuite cases (via the PyPI package `kosoku`)
(the project's copy of the team's shared runner; `make` creates the venv from
tools/requirements.txt and points AUTOBAHN_VENV at it)
against a WebSocket server under test and print a per-group summary.

Usage:
  autobahn HOST:PORT[/PATH] [-i CASE]... [-x CASE]... [-p N] [-o DIR]
           [--timeout SECS] [--require-deflate]

  HOST:PORT[/PATH]  server under test; kosoku connects to "/" unless a path is
                    given (ws://HOST:PORT/PATH also works). The server must echo
                    every text and binary message back unchanged.
  -i / -x CASE      include / exclude a case id or glob (repeatable), e.g.
                    -i '1.*' -x '12.*' -x '13.*'. Default: all 517 cases.
  -p N              cases run in parallel (default $AUTOBAHN_PARALLELISM or 4).
  -o DIR            report folder (default $AUTOBAHN_OUT or ./autobahn-report):
                    index.json, one <agent>_case_<id>.json/.html per case,
                    index.html, kosoku.log. Old report files there are removed.
  --timeout SECS    kill kosoku after SECS (default $AUTOBAHN_TIMEOUT, none);
                    a timed-out run counts every selected case as failed.
  --require-deflate count UNIMPLEMENTED in 12.*/13.* as failed (also
                    AUTOBAHN_REQUIRE_DEFLATE=1).
  --wait SECS       wait up to SECS for HOST:PORT to accept TCP before the run
                    (default $AUTOBAHN_WAIT or 10); kosoku itself does not retry.

Environment:
  AUTOBAHN_VENV     venv folder (default ./.venv); created and
                    kosoku installed into it with pip when missing.
  AUTOBAHN_KOSOKU   pip requirement to install (default kosoku==0.1.0).
  PYTHON            interpreter used to create the venv (default python3).

Verdicts: a case passes when its `behavior` is OK, NON-STRICT or INFORMATIONAL
and its `behaviorClose` is OK or INFORMATIONAL (the same rule kosoku uses for
its own exit status). One exception: in 12.* / 13.* (permessage-deflate,
RFC 7692, an optional extension) a case is UNIMPLEMENTED exactly when the
server declined the deflate offer; that counts as passed unless
--require-deflate is given, and is reported on a `note:` line. UNIMPLEMENTED
anywhere else, FAILED, ERROR, WRONG CODE, UNCLEAN, FAILED BY CLIENT and cases
without a result count as failed.

Output: one line per case group, then the failed case ids, then exactly
`autobahn: N passed, M failed`. Exit 0 only when M is 0 (and N > 0).
"""

import argparse
import glob
import json
import os
import re
import socket
import subprocess
import sys
import time

PASS_BEHAVIOR = {"OK", "NON-STRICT", "INFORMATIONAL"}
PASS_CLOSE = {"OK", "INFORMATIONAL"}
DEFLATE_GROUPS = {"12", "13"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sort_key(case_id):
    return [int(p) if p.isdigit() else 0 for p in case_id.split(".")]


def ensure_venv(venv):
    """Return the path of the venv's kosoku entry point, creating it if needed."""
    py = os.path.join(venv, "bin", "python")
    kosoku = os.path.join(venv, "bin", "kosoku")
    if not os.path.exists(py):
        log(f"autobahn: creating venv {venv}")
        try:
            subprocess.check_call([os.environ.get("PYTHON", "python3"), "-m", "venv", venv])
        except subprocess.CalledProcessError:
            log("autobahn: `python3 -m venv` failed; on Debian install python3-venv (apt-get install python3-venv)")
            raise
    if subprocess.call([py, "-c", "import kosoku"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL) != 0 or not os.path.exists(kosoku):
        req = os.environ.get("AUTOBAHN_KOSOKU", "kosoku==0.1.0")
        log(f"autobahn: installing {req} into {venv}")
        subprocess.check_call([py, "-m", "pip", "install", "--quiet",
                               "--disable-pip-version-check", req])
    return kosoku


def selected_cases(venv, include, exclude):
    """Case ids the run should produce, matched the way kosoku matches them:
    `*` is the only wildcard (so `1*` also selects 10.*, 12.* and 13.*), a
    pattern without `*` must be an exact case id. Returns (ids, bad_includes),
    or (None, []) when kosoku's case index cannot be read."""
    code = (
        "import json\n"
        "from kosoku.cases import CASES\n"
        "print(json.dumps(list(CASES)))\n"
    )
    py = os.path.join(venv, "bin", "python")
    try:
        all_ids = json.loads(subprocess.check_output([py, "-c", code], stderr=subprocess.DEVNULL))
    except (subprocess.CalledProcessError, ValueError):
        return None, []

    def matcher(pattern):
        rx = re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")
        return rx.match

    bad = [p for p in include if not any(matcher(p)(c) for c in all_ids)]
    ids = [c for c in all_ids if not include or any(matcher(p)(c) for p in include)]
    ids = [c for c in ids if not any(matcher(p)(c) for p in exclude)]
    return ids, bad


def wait_for_port(address, secs):
    m = re.match(r"^(?:wss?://)?(\[[^\]]+\]|[^:/]+):(\d+)", address)
    if not m:
        return True  # let kosoku report the bad address itself
    host, port = m.group(1).strip("[]"), int(m.group(2))
    deadline = time.monotonic() + secs
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)


def clean_outdir(outdir):
    os.makedirs(outdir, exist_ok=True)
    for pattern in ("index.json", "index.html", "kosoku.log", "*_case_*.json", "*_case_*.html"):
        for path in glob.glob(os.path.join(outdir, pattern)):
            os.remove(path)


def deflate_negotiated(outdir, reportfile):
    try:
        with open(os.path.join(outdir, reportfile)) as f:
            response = json.load(f).get("httpResponse") or ""
    except (OSError, ValueError):
        return None
    return bool(re.search(r"^sec-websocket-extensions:.*permessage-deflate", response,
                          re.IGNORECASE | re.MULTILINE))


def fmt_counts(counter):
    return " ".join(f"{k.replace(' ', '_')}={v}" for k, v in sorted(counter.items(),
                                                                      key=lambda kv: (-kv[1], kv[0])))


def main():
    ap = argparse.ArgumentParser(prog="autobahn", usage=argparse.SUPPRESS, description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("address")
    ap.add_argument("-i", "--include", action="append", default=[])
    ap.add_argument("-x", "--exclude", action="append", default=[])
    ap.add_argument("-p", "--parallelism", type=int,
                    default=int(os.environ.get("AUTOBAHN_PARALLELISM", "4")))
    ap.add_argument("-o", "--outdir", default=os.environ.get("AUTOBAHN_OUT", "autobahn-report"))
    ap.add_argument("--timeout", type=float,
                    default=float(os.environ["AUTOBAHN_TIMEOUT"]) if os.environ.get("AUTOBAHN_TIMEOUT") else None)
    ap.add_argument("--wait", type=float, default=float(os.environ.get("AUTOBAHN_WAIT", "10")))
    ap.add_argument("--require-deflate", action="store_true",
                    default=os.environ.get("AUTOBAHN_REQUIRE_DEFLATE", "") not in ("", "0"))
    args = ap.parse_args()

    venv = os.environ.get("AUTOBAHN_VENV") or ".venv"
    try:
        kosoku = ensure_venv(venv)
    except (OSError, subprocess.CalledProcessError) as e:
        log(f"autobahn: cannot set up kosoku in {venv}: {e}")
        print("autobahn: 0 passed, 1 failed")
        return 2

    sys.stdout.reconfigure(line_buffering=True)  # keep stdout/stderr in order in CI logs
    outdir = args.outdir
    expected_ids, bad = selected_cases(venv, args.include, args.exclude)
    if bad or expected_ids == []:
        why = f"no case matches -i {' '.join(bad)}" if bad else "the -i/-x patterns leave no case"
        log(f"autobahn: {why} (only `*` is a wildcard; ids look like 1.1.1, globs like 6.4.*)")
        print("autobahn: 0 passed, 1 failed")
        return 2

    clean_outdir(outdir)
    if not wait_for_port(args.address, args.wait):
        log(f"autobahn: nothing accepts TCP at {args.address} after {args.wait:g}s")

    cmd = [kosoku, "-m", "fuzzingclient", args.address, "-p", str(args.parallelism), "-o", outdir]
    for pat in args.include:
        cmd += ["-i", pat]
    for pat in args.exclude:
        cmd += ["-x", pat]

    n_sel = len(expected_ids) if expected_ids is not None else "?"
    log(f"autobahn: running {n_sel} cases against {args.address} (-p {args.parallelism}), "
        f"reports in {outdir}")
    started = time.monotonic()
    timed_out = False
    with open(os.path.join(outdir, "kosoku.log"), "w") as logf:
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            rc = proc.wait()
    elapsed = time.monotonic() - started

    index_path = os.path.join(outdir, "index.json")
    index = {}
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    if timed_out:
        log(f"autobahn: kosoku killed after {args.timeout:g}s timeout (no report is written until the end)")
    elif not index:
        log(f"autobahn: kosoku exited {rc} without a report; last lines of {outdir}/kosoku.log:")
        with open(os.path.join(outdir, "kosoku.log")) as f:
            for line in f.readlines()[-15:]:
                log("  " + line.rstrip())

    # One agent (the server's `Server` header) per run; merge defensively.
    results = {}
    for agent, cases in index.items():
        for case_id, entry in cases.items():
            results[case_id] = entry

    # A finished run reports every case it ran (ERROR when it could not run
    # one); the expected selection only stands in when no report was written.
    ids = sorted(results or expected_ids or [], key=sort_key)
    if results and expected_ids is not None and set(results) != set(expected_ids):
        log(f"autobahn: warning: report has {len(results)} cases, selection had {len(expected_ids)}")
    groups = {}
    failed_ids, deflate_skipped = [], 0
    for case_id in ids:
        g = case_id.split(".")[0]
        grp = groups.setdefault(g, {"beh": {}, "close": {}, "passed": 0, "failed": 0})
        entry = results.get(case_id)
        if entry is None:
            beh, close = "MISSING", "MISSING"
        else:
            beh, close = entry.get("behavior", "?"), entry.get("behaviorClose", "?")
        grp["beh"][beh] = grp["beh"].get(beh, 0) + 1
        grp["close"][close] = grp["close"].get(close, 0) + 1
        ok = beh in PASS_BEHAVIOR and close in PASS_CLOSE
        if (beh == "UNIMPLEMENTED" and g in DEFLATE_GROUPS and not args.require_deflate
                and close in PASS_CLOSE
                and deflate_negotiated(outdir, entry.get("reportfile", "")) is False):
            ok = True
            deflate_skipped += 1
        if ok:
            grp["passed"] += 1
        else:
            grp["failed"] += 1
            failed_ids.append(case_id)

    width_b = max([len(fmt_counts(v["beh"])) for v in groups.values()] + [8])
    for g in sorted(groups, key=int):
        v = groups[g]
        label = f"{g}.*"
        print(f"{label:<5} {v['passed'] + v['failed']:>3} cases  pass {v['passed']:>3} fail {v['failed']:>3}  "
              f"behavior: {fmt_counts(v['beh']):<{width_b}}  close: {fmt_counts(v['close'])}")
    passed = sum(v["passed"] for v in groups.values())
    failed = sum(v["failed"] for v in groups.values())
    if not results and failed == 0:
        failed = 1  # nothing ran and the selection is unknown: never report success
    agents = ", ".join(sorted(index)) or "-"
    print(f"agent: {agents}; {elapsed:.1f}s; kosoku exit {rc}; report {outdir}/index.json")
    if deflate_skipped:
        print(f"note: {deflate_skipped} permessage-deflate cases (12.*/13.*) UNIMPLEMENTED: "
              "server declined the deflate offer; counted as passed (--require-deflate to fail them)")
    if failed_ids:
        shown = " ".join(failed_ids[:40]) + (f" ... (+{len(failed_ids) - 40})" if len(failed_ids) > 40 else "")
        print(f"failed: {shown}")
    print(f"autobahn: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
