#!/usr/bin/env python3
"""Turns bench/service.sh's raw outputs into service.json and service.md.

  service_report.py --raw DIR --grids N --case-s S --out bench/results
"""
import argparse
import datetime
import json
import os
import platform
import re


def h2load(path):
    """requests/s and counts from an h2load report."""
    text = open(path).read()
    rate = float(re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", text).group(1))
    m = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed", text)
    return {"requests_per_s": rate, "done": int(m.group(2)), "succeeded": int(m.group(3)),
            "failed": int(m.group(4))}


def load(path):
    """The figures of one gridroute-load --json run."""
    d = json.load(open(path))
    lat = d["latency_us"]
    out = {"requests_per_s": d["requests_per_s"], "errors": d["errors"],
           "p50_ms": lat["p50"] / 1e3, "p99_ms": lat["p99"] / 1e3,
           "p99_9_ms": lat["p99_9"] / 1e3, "target_rate": d["target_rate"],
           "bytes_per_decision": d.get("response_bytes_per_decision"),
           "channels": d["channels"], "concurrency": d["concurrency"]}
    if d["mode"] == "stream":
        out.update(items_per_s=d["items_per_s"], item_errors=d["item_errors"],
                   batch=d["batch"])
    return out


def inproc(path):
    """ns per call of the 1-thread BM_Route/BM_Locate runs (real time): the
    median of the repetitions where there are several, else the one run."""
    if not os.path.exists(path):
        return {}
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        aggregate = b.get("run_type") == "aggregate"
        if aggregate and b.get("aggregate_name") != "median":
            continue
        name = b["name"].split("/")[0]
        if name in out and not aggregate:
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b.get("time_unit", "ns")]
        out[name] = {"ns": b["real_time"] * scale, "items_per_s": b.get("items_per_second"),
                     "repetitions": b.get("repetitions", 1)}
    return out


def machine():
    model = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def best_rounds(raw, prefix, suffix, read):
    """{case: best round's figures + "rounds": every round's rate}; a case
    named <case>-r<N> has several rounds."""
    rounds = {}
    for name in sorted(os.listdir(raw)):
        if name.startswith(prefix) and name.endswith(suffix):
            case = re.sub(r"-r\d+$", "", name[len(prefix):-len(suffix)])
            rounds.setdefault(case, []).append(read(f"{raw}/{name}"))
    out = {}
    for case, runs in rounds.items():
        best = dict(max(runs, key=lambda d: d["requests_per_s"]))
        best["rounds"] = [round(d["requests_per_s"], 1) for d in runs]
        out[case] = best
    return out


def loadavg(raw):
    out = {}
    for when in ("start", "end"):
        path = f"{raw}/loadavg-{when}"
        if os.path.exists(path):
            out[when] = float(open(path).read().split()[0])
    return out


def collect(args):
    raw = args.raw
    h2 = best_rounds(raw, "h2load-", ".txt", h2load)
    r = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
         "machine": machine(), "grids": args.grids, "case_s": args.case_s,
         "loadavg_1m": loadavg(raw),
         "h2load_route": h2["route"], "h2load_health": h2["health"],
         "load": best_rounds(raw, "load-", ".json", load),
         "inproc": inproc(f"{raw}/gridroute_bench.json")}
    route, health = r["h2load_route"]["requests_per_s"], r["h2load_health"]["requests_per_s"]
    unary = r["load"]["unary-same"]["requests_per_s"]
    same_rounds, route_rounds = r["load"]["unary-same"]["rounds"], r["h2load_route"]["rounds"]
    r["ratios"] = {"route_over_health": route / health,
                   "load_unary_over_h2load_route": unary / route,
                   # Same round (interleaved neighbours): how steady the ratio is.
                   "load_unary_over_h2load_route_by_round": [
                       round(a / b, 3) for a, b in zip(same_rounds, route_rounds)]}
    bm = r["inproc"].get("BM_Route_Gridroute")
    if bm:
        per_s = 1e9 / bm["ns"]
        for name, d in r["load"].items():
            if "items_per_s" in d:
                r["ratios"][f"{name}_over_inproc_route"] = d["items_per_s"] / per_s
    return r


def rounds_text(d):
    return ", ".join(f"{x:,.0f}" for x in d["rounds"]) if len(d["rounds"]) > 1 else ""


def markdown(r):
    ra = r["ratios"]
    ok = "ok" if ra["load_unary_over_h2load_route"] >= 0.9 else "BELOW 0.9"
    lines = [
        f"# Service benchmark ({r['grids']:,} grids)", "",
        f"Machine: {r['machine']}; run {r['date']}; {r['case_s']} s per case; 1-minute "
        f"load average {r['loadavg_1m']} (start/end: above ~1 the machine was shared and "
        "the figures moved). Server pinned to one core (`--threads 1`), clients to the "
        "other (bench/service.sh). Cases with several rounds (interleaved) show the best; "
        "`rounds` lists all.", "",
        "| case | requests/s | detections/s | p50 ms | p99 ms | p99.9 ms | B/decision | errors "
        "| rounds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for key in ("h2load_route", "h2load_health"):
        d = r[key]
        lines.append(f"| {key.replace('_', ' ')} (c4 m16) | {d['requests_per_s']:,.0f} | | | | | "
                     f"| {d['failed']} | {rounds_text(d)} |")
    for name, d in r["load"].items():
        items = f"{d['items_per_s']:,.0f}" if "items_per_s" in d else ""
        bpd = f"{d['bytes_per_decision']:.0f}" if d.get("bytes_per_decision") else ""
        errs = d["errors"] + d.get("item_errors", 0)
        label = name + (f" (target {d['target_rate']:,.0f}/s)" if d["target_rate"] else "")
        lines.append(f"| gridroute-load {label} | {d['requests_per_s']:,.0f} | {items} | "
                     f"{d['p50_ms']:.3f} | {d['p99_ms']:.3f} | {d['p99_9_ms']:.3f} | {bpd} | "
                     f"{errs} | {rounds_text(d)} |")
    for name, d in r["inproc"].items():
        reps = d.get("repetitions", 1)
        how = f"1 thread, median of {reps}" if reps > 1 else "1 thread"
        lines.append(f"| in-process {name} ({how}) | {1e9 / d['ns']:,.0f} | | | | | | | |")
    lines += ["", "| ratio | value |", "|---|---:|",
              f"| h2load Route / h2load Health | {ra['route_over_health']:.3f} |",
              f"| gridroute-load unary-same / h2load Route (same request; must be >= 0.9) | "
              f"{ra['load_unary_over_h2load_route']:.3f} ({ok}) |",
              "| the same, round by round | "
              f"{', '.join(f'{x:.3f}' for x in ra['load_unary_over_h2load_route_by_round'])} |"]
    for k, v in ra.items():
        if k.endswith("_over_inproc_route"):
            lines.append(f"| {k[:-len('_over_inproc_route')]} detections/s / (1e9 / BM_Route ns) "
                         f"| {v:.3f} |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--raw", required=True)
    p.add_argument("--grids", type=int, required=True)
    p.add_argument("--case-s", type=float, required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    r = collect(args)
    with open(f"{args.out}/service.json", "w") as f:
        json.dump(r, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(f"{args.out}/service.md", "w") as f:
        f.write(markdown(r))
    ratio = r["ratios"]["load_unary_over_h2load_route"]
    print(f"gridroute-load unary-same / h2load Route = {ratio:.3f}"
          + ("" if ratio >= 0.9 else "  (BELOW 0.9: the load tool limited the run, or the "
             "machine was disturbed; see the rounds)"))


if __name__ == "__main__":
    main()
