#!/usr/bin/python3
"""Turns gridroute_bench's JSON and gridroute-pgbench's JSON into
bench/results/latest.json (small), latest.md (the table) and the gnuplot data.

Ratios are to BoostRtree from the same run (time ratio: 0.50 = twice as fast).
"""
import argparse
import json
import os
import platform
import re

IMPLS = ["Gridroute", "BoostRtree", "Geos", "S2"]


def machine(context):
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gb = 0
    try:
        with open("/proc/meminfo") as f:
            mem_gb = int(f.readline().split()[1]) / 1e6
    except OSError:
        pass
    caches = ", ".join(
        f"L{c['level']}{c['type'][0] if c['type'] != 'Unified' else ''} {c['size'] // 1024} KiB"
        + (f" x{c['num_sharing'] and context['num_cpus'] // c['num_sharing']}" if c.get("num_sharing") else "")
        for c in context.get("caches", []))
    return {
        "cpu": model, "cores": context.get("num_cpus"), "mhz": context.get("mhz_per_cpu"),
        "memory_gb": round(mem_gb, 1), "caches": caches, "kernel": platform.release(),
        "date": context.get("date"),
        "library_build_type": context.get("library_build_type"),
    }


def parse_bench(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        parts = b["run_name"].split("/")
        # BM_<family>/<grids>, or BM_CrsConvert/<crs> (kept under its string).
        family, arg = parts[0], int(parts[1]) if parts[1].isdigit() else parts[1]
        threads = b.get("threads", 1)
        rows[(family, arg, threads)] = b
    return data["context"], rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--pg", nargs="*", default=[])
    ap.add_argument("--out", required=True)
    ap.add_argument("--plot-data", required=True)
    args = ap.parse_args()

    context, rows = parse_bench(args.bench)
    sizes = sorted({k[1] for k in rows if isinstance(k[1], int)})
    pg = {}
    for p in args.pg:
        if os.path.exists(p):
            with open(p) as f:
                d = json.load(f)
            pg[d["grids"]] = d

    def ns(family, n, threads=1):
        # Wall-clock ns per point (aggregate over threads).
        b = rows.get((family, n, threads))
        return 1e9 / b["items_per_second"] if b and b.get("items_per_second") else None

    def cpu_ns(family, n):
        # CPU ns per point of the 1-thread run: on a shared machine this is the
        # figure least affected by other processes taking the core away.
        b = rows.get((family, n, 1))
        if not b:
            return None
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        per_iter = b.get("points_per_call", 1)
        return b["cpu_time"] * scale / per_iter

    results = []
    for n in sizes:
        boost = cpu_ns("BM_Locate_BoostRtree", n)
        for impl in IMPLS + ["GridrouteBatch"]:
            fam = "BM_LocateBatch_Gridroute" if impl == "GridrouteBatch" else f"BM_Locate_{impl}"
            c1 = cpu_ns(fam, n)
            if c1 is None:
                continue
            t1 = ns(fam, n, 1)
            t2 = ns(fam, n, 2)
            r = {"impl": impl, "grids": n, "ns_per_point": round(c1, 1),
                 "wall_ns_per_point": round(t1, 1) if t1 else None,
                 "ratio_to_boost": round(c1 / boost, 3) if boost else None,
                 "mpoints_per_s_1t": round(1e3 / t1, 3) if t1 else None,
                 "mpoints_per_s_2t": round(1e3 / t2, 3) if t2 else None}
            if impl != "GridrouteBatch":
                build = rows.get((f"BM_Build_{impl}", n, 1))
                if build:
                    r["build_ms"] = round(build["real_time"], 2)
                    r["bytes_per_grid"] = round(build["bytes_per_grid"], 1)
                    for k in ("index_bytes_per_grid", "malloc_bytes_per_grid", "index_s",
                              "reported_bytes_per_grid"):
                        if k in build:
                            r[k] = round(build[k], 4 if k == "index_s" else 1)
            results.append(r)
        if n in pg:
            d = pg[n]
            runs = {r["clients"]: r for r in d["runs"]}
            pps1 = runs.get(1, {}).get("points_per_second")
            pps2 = runs.get(2, {}).get("points_per_second")
            t1 = 1e9 / pps1 if pps1 else None
            results.append({
                "impl": "PostGIS", "grids": n, "ns_per_point": round(t1, 1) if t1 else None,
                "wall_ns_per_point": round(t1, 1) if t1 else None,
                "ratio_to_boost": round(t1 / boost, 3) if t1 and boost else None,
                "mpoints_per_s_1t": round(pps1 / 1e6, 4) if pps1 else None,
                "mpoints_per_s_2t": round(pps2 / 1e6, 4) if pps2 else None,
                "points_per_s_1_client": round(pps1) if pps1 else None,
                "points_per_s_2_clients": round(pps2) if pps2 else None,
                "build_ms": round((d["load_s"] + d["index_s"]) * 1e3, 1),
                "gist_build_ms": round(d["index_s"] * 1e3, 1),
                "bytes_per_grid": round((d["table_mb"] + d["index_mb"]) * 1e6 / n, 1),
                "points": d["points"], "batch": d["batch"],
                "mismatches": sum(r["mismatches"] for r in d["runs"]),
            })

    # Routing (BM_Route_Gridroute, same points as BM_Locate_Gridroute) and CRS
    # conversions.
    other = []
    for n in sizes:
        c1 = cpu_ns("BM_Route_Gridroute", n)
        if c1 is None:
            continue
        loc = cpu_ns("BM_Locate_Gridroute", n)
        t1, t2 = ns("BM_Route_Gridroute", n, 1), ns("BM_Route_Gridroute", n, 2)
        other.append({"what": f"Route (locate + rule + team + deadline), {n:,} grids",
                      "benchmark": f"BM_Route_Gridroute/{n}", "ns_per_item": round(c1, 1),
                      "locate_ns_per_point": round(loc, 1) if loc else None,
                      "mitems_per_s_1t": round(1e3 / t1, 3) if t1 else None,
                      "mitems_per_s_2t": round(1e3 / t2, 3) if t2 else None})
    for crs in ("gcj02", "bd09"):
        c1 = cpu_ns("BM_CrsConvert", crs)
        if c1 is None:
            continue
        t1, t2 = ns("BM_CrsConvert", crs, 1), ns("BM_CrsConvert", crs, 2)
        other.append({"what": f"{crs} → wgs84", "benchmark": f"BM_CrsConvert/{crs}",
                      "ns_per_item": round(c1, 1), "locate_ns_per_point": None,
                      "mitems_per_s_1t": round(1e3 / t1, 3) if t1 else None,
                      "mitems_per_s_2t": round(1e3 / t2, 3) if t2 else None})

    # Locate against one DRAM miss of the same run (BM_MemoryLatency: a
    # dependent pointer chase over 1 GiB; chains:16 = 16 chases interleaved).
    def miss_ns(chains):
        b = rows.get(("BM_MemoryLatency", f"chains:{chains}", 1))
        return 1e9 / b["items_per_second"] if b and b.get("items_per_second") else None

    miss1, miss16 = miss_ns(1), miss_ns(16)
    scale = []
    for n in sizes:
        loc = cpu_ns("BM_Locate_Gridroute", n)
        batch = cpu_ns("BM_LocateBatch_Gridroute", n)
        boost = cpu_ns("BM_Locate_BoostRtree", n)
        if loc is None and batch is None:
            continue

        def per(v, m):
            return round(v / m, 2) if v is not None and m else None

        scale.append({"grids": n,
                      "locate_ns": round(loc, 1) if loc else None,
                      "locate_x_miss": per(loc, miss1),
                      "batch_ns": round(batch, 1) if batch else None,
                      "batch_x_miss": per(batch, miss1),
                      "batch_x_miss16": per(batch, miss16),
                      "boost_ns": round(boost, 1) if boost else None,
                      "boost_x_miss": per(boost, miss1)})
    latency = None
    if miss1 or miss16:
        mb = rows.get(("BM_MemoryLatency", "chains:1", 1)) or rows.get(("BM_MemoryLatency", "chains:16", 1))
        latency = {"miss_ns": round(miss1, 1) if miss1 else None,
                   "miss16_ns": round(miss16, 2) if miss16 else None,
                   "buffer_mib": mb.get("buffer_MiB"), "huge_mib": mb.get("huge_MiB"),
                   "pages": mb.get("label")}

    m = machine(context)
    latest = {"machine": m, "sizes": sizes, "results": results, "routing_and_crs": other,
              "memory_latency": latency, "locate_vs_miss": scale,
              "note": "medians of Google Benchmark repetitions; ns_per_point = 1e9 / "
                      "items_per_second at 1 thread; ratio_to_boost = time ratio "
                      "to BoostRtree from the same run"}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump(latest, f, indent=1)
        f.write("\n")

    def fmt(v, spec):
        return "—" if v is None else format(v, spec)

    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB"
        f"{', ' + m['caches'] if m['caches'] else ''}; "
        f"run {m['date']}. Google Benchmark medians; Debian's libbenchmark reports "
        f"\"Library was built as DEBUG\": that is the library, not gridroute's code (Release -O2).",
        "",
        "ns/point = CPU time per point of the 1-thread run (PostGIS: wall time of 1 backend, "
        "client + server); vs BoostRtree = time ratio to BoostRtree in the same run (lower is "
        "faster); Mpoints/s = wall-clock throughput with 1 and 2 threads (PostGIS: backends) "
        "sharing one read-only index; build = index build (Gridroute: whole LoadPack, its index "
        "part in brackets; PostGIS: COPY + GiST); bytes/grid = heap held per grid incl. the "
        "peer's own copy of the polygons (Gridroute: Snapshot::MemoryBytes, Locator in brackets).",
        "",
        "| grids | impl | ns/point | vs BoostRtree | Mpoints/s 1 thr | Mpoints/s 2 thr | "
        "build ms | bytes/grid |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        bpg = r.get("bytes_per_grid")
        extra = ""
        if r["impl"] == "Gridroute" and "index_bytes_per_grid" in r:
            extra = f" (index {r['index_bytes_per_grid']:.0f})"
        build = fmt(r.get("build_ms"), ".1f")
        if r["impl"] == "Gridroute" and "index_s" in r:
            build += f" (index {r['index_s'] * 1e3:.1f})"
        if r["impl"] == "PostGIS" and "gist_build_ms" in r:
            build += f" (GiST {r['gist_build_ms']:.0f})"
        name = {"GridrouteBatch": "Gridroute batch×256",
                "PostGIS": f"PostGIS ({r.get('batch')}/query; thr = backends)"}.get(r["impl"], r["impl"])
        lines.append(
            f"| {r['grids']:,} | {name} | {fmt(r['ns_per_point'], ',.0f')} | "
            f"{fmt(r['ratio_to_boost'], '.2f')} | {fmt(r['mpoints_per_s_1t'], '.3f')} | "
            f"{fmt(r['mpoints_per_s_2t'], '.3f')} | {build} | "
            f"{fmt(bpg, ',.0f')}{extra} |")
    if other:
        lines += [
            "",
            "Routing and CRS conversion (ns/item = CPU time per item of the 1-thread run; "
            "BM_Route_Gridroute routes the same points as BM_Locate_Gridroute):",
            "",
            "| what | benchmark | ns/item | locate alone, ns | Mitems/s 1 thr | Mitems/s 2 thr |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for r in other:
            lines.append(
                f"| {r['what']} | `{r['benchmark']}` | {fmt(r['ns_per_item'], ',.0f')} | "
                f"{fmt(r['locate_ns_per_point'], ',.0f')} | {fmt(r['mitems_per_s_1t'], '.3f')} | "
                f"{fmt(r['mitems_per_s_2t'], '.3f')} |")
    if scale:
        lines += [
            "",
            "Locate against one memory miss of the same run (`BM_MemoryLatency/chains:1`: "
            + (f"{latency['miss_ns']:.1f} ns" if latency and latency["miss_ns"] else "not run")
            + "; `chains:16`, 16 chases interleaved: "
            + (f"{latency['miss16_ns']:.2f} ns a load" if latency and latency["miss16_ns"] else "not run")
            + (f"; {latency['buffer_mib']:.0f} MiB buffer, pages: {latency['pages']}, "
               f"{latency['huge_mib']:.0f} MiB huge" if latency and latency.get("buffer_mib") else "")
            + "). × one miss = ns/point ÷ chains:1; the batch also ÷ chains:16 (what 16 "
            "overlapped misses cost a load).",
            "",
            "| grids | Locate ns | × one miss | LocateBatch ns | × one miss | × chains:16 | "
            "BoostRtree ns | × one miss |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in scale:
            lines.append(
                f"| {r['grids']:,} | {fmt(r['locate_ns'], ',.0f')} | {fmt(r['locate_x_miss'], '.2f')} | "
                f"{fmt(r['batch_ns'], ',.0f')} | {fmt(r['batch_x_miss'], '.2f')} | "
                f"{fmt(r['batch_x_miss16'], '.1f')} | {fmt(r['boost_ns'], ',.0f')} | "
                f"{fmt(r['boost_x_miss'], '.2f')} |")
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write("\n".join(lines) + "\n")

    cols = ["Gridroute", "GridrouteBatch", "BoostRtree", "Geos", "S2", "PostGIS"]
    with open(args.plot_data, "w") as f:
        f.write("grids " + " ".join(
            {"GridrouteBatch": "Gridroute_batch", "PostGIS": "PostGIS_1_backend"}.get(c, c)
            for c in cols) + "\n")
        for n in sizes:
            vals = []
            for c in cols:
                v = next((r["ns_per_point"] for r in results if r["grids"] == n and r["impl"] == c), None)
                vals.append("NaN" if v is None else f"{v:.2f}")
            f.write(f"{n} " + " ".join(vals) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
