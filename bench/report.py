#!/usr/bin/env python3
"""Merges one benchmark run's parts into bench/results/<date>-<device>.json, and renders
bench/RESULTS.md from the newest result file of each device.

    report.py merge --parts DIR --device cpu|cuda --mode quick|full [--note TEXT]... [--base FILE] --out FILE
    report.py render --results bench/results --out bench/RESULTS.md
"""
import argparse
import datetime
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import work  # noqa: E402

GIB = 2.0 ** 30


def load(path):
    with open(path) as f:
        return json.load(f)


# --- merge ------------------------------------------------------------------------------------

def merge(args):
    parts = args.parts
    base = load(args.base) if args.base and os.path.exists(args.base) else None
    result = dict(schema=1, device_kind=args.device, mode=args.mode,
                  created=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  notes=args.note or [], stages=None, e2e=None,
                  peers=dict(torch_stages=[], torch_transfer={}, griffinlim=[]))
    path = os.path.join(parts, "stages.json")
    if os.path.exists(path):
        result["stages"] = load(path)
        result["machine"] = result["stages"]["machine"]
    path = os.path.join(parts, "e2e.json")
    if os.path.exists(path):
        result["e2e"] = load(path)
        result["e2e"]["ceilings"] = [load(p)["ceilings_before"] + load(p)["ceilings_after"]
                                     for p in sorted(glob.glob(os.path.join(parts, "ceilings_e2e_*.json")))]
    for path in sorted(glob.glob(os.path.join(parts, "torch_stages_*.json"))):
        result["peers"]["torch_stages"].append(load(path))
    for path in sorted(glob.glob(os.path.join(parts, "torch_transfer_*.json"))):
        job = os.path.basename(path)[len("torch_transfer_"):-len(".json")]
        result["peers"]["torch_transfer"][job] = load(path)
    for path in sorted(glob.glob(os.path.join(parts, "griffinlim_*.json"))):
        result["peers"]["griffinlim"].append(load(path))
    if base:
        # Parts from an earlier call of the same run (a GPU run split across calls) fill what this
        # call did not measure.
        for key in ("stages", "e2e", "machine"):
            if result.get(key) is None and base.get(key) is not None:
                result[key] = base[key]
        sizes = {p["size"] for p in result["peers"]["torch_stages"]}
        result["peers"]["torch_stages"] += [p for p in base["peers"]["torch_stages"] if p["size"] not in sizes]
        for job, p in base["peers"]["torch_transfer"].items():
            result["peers"]["torch_transfer"].setdefault(job, p)
        sizes = {p["size"] for p in result["peers"]["griffinlim"]}
        result["peers"]["griffinlim"] += [p for p in base["peers"]["griffinlim"] if p["size"] not in sizes]
        result["notes"] = base.get("notes", []) + [n for n in result["notes"] if n not in base.get("notes", [])]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}")


# --- render -----------------------------------------------------------------------------------

def fmt_ms(ms):
    if ms is None:
        return "-"
    if ms >= 10000:
        return f"{ms / 1000:.1f} s"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.3f} ms"


def fmt_pct(x):
    return "-" if x is None else f"{100 * x:.0f}%"


def fmt_bytes(b):
    if b is None:
        return "-"
    for unit, scale in (("GiB", GIB), ("MiB", 2.0 ** 20), ("KiB", 1024.0)):
        if b >= scale:
            return f"{b / scale:.2f} {unit}"
    return f"{b:.0f} B"


def fmt_flop(f):
    return f"{f / 1e12:.3f} T" if f >= 1e12 else f"{f / 1e9:.2f} G"


def all_ceilings(result):
    """Every ceiling measurement of the run: around the stages and around the end-to-end jobs."""
    stages = result.get("stages") or {}
    found = stages.get("ceilings_before", []) + stages.get("ceilings_after", [])
    for group in (result.get("e2e") or {}).get("ceilings", []):
        found += group
    return found


def ceiling_rate(result, name):
    """The highest rate measured for a ceiling anywhere in the run: fractions are then
    conservative, never flattered by a ceiling measured while other processes held the machine."""
    rates = [c["rate"] for c in all_ceilings(result) if c["name"] == name]
    return max(rates) if rates else None


def gemm_ceiling(result):
    """(name, rate) the optimisation is held against: TF32 GEMM on CUDA, OpenBLAS sgemm on the CPU."""
    stages = result.get("stages") or {}
    precision = stages.get("precision", "tf32")
    if result["device_kind"] == "cpu":
        rates = [r for r in (ceiling_rate(result, "sgemm_openblas"), ceiling_rate(result, "gemm_conv_plan_fp32")) if r]
        return "fp32 GEMM (OpenBLAS)", max(rates) if rates else None
    return f"{precision.upper()} GEMM", ceiling_rate(result, f"gemm_{precision}")


def stage_lookup(result, size, name):
    for s in (result.get("stages") or {}).get("sizes", []):
        if s["name"] == size:
            for st in s["stages"]:
                if st["name"] == name:
                    return st
    return None


def render_machine(result, out):
    m = result.get("machine", {})
    cuda = m.get("cuda") or {}
    out.append(f"- device: **{m.get('device', '?')}** (backend `{m.get('backend', result['device_kind'])}`)")
    out.append(f"- host: {m.get('host_cpu', '?')}, {m.get('host_threads', '?')} threads; "
               f"{m.get('openblas', '')}; {m.get('fftw', '')}; g++ {m.get('compiler', '')}")
    if cuda.get("compiled") and cuda.get("runtime"):
        out.append(f"- CUDA runtime {cuda.get('runtime')}, driver API {cuda.get('driver_api')}, cuBLAS "
                   f"{cuda.get('cublas')}, cuFFT {cuda.get('cufft')}, compute capability "
                   f"{cuda.get('compute_capability')}, {cuda.get('multiprocessors')} SMs, "
                   f"L2 {fmt_bytes(cuda.get('l2_cache_bytes'))}")
    la, lb = m.get("load_average") or {}, m.get("load_average_end") or {}
    if la:
        out.append(f"- load average (1 min) at the start of the stage run {la.get('1min')}, at its end "
                   f"{lb.get('1min', '?')} (on {m.get('host_threads')} threads: above that, other processes "
                   "were competing for the cores)")
    out.append(f"- commit `{m.get('git_commit', '?')}`{' (with uncommitted changes)' if m.get('git_dirty') else ''}, "
               f"stage run {m.get('date', '?')}, merged {result.get('created')}; mode `{result['mode']}`")
    for note in result.get("notes", []):
        out.append(f"- note: {note}")


def render_ceilings(result, out):
    stages = result.get("stages")
    if not stages:
        return
    out.append("")
    out.append("Ceilings, measured in the same run before and after the stages and around the end-to-end "
               "jobs; every fraction on this page uses the highest measurement (so none is flattered by a "
               "ceiling taken while other processes held the machine):")
    out.append("")
    e2e_groups = (result.get("e2e") or {}).get("ceilings", [])
    out.append("| ceiling | what | before stages | after stages | around end-to-end jobs | used |")
    out.append("|---|---|---:|---:|---:|---:|")
    after = {c["name"]: c for c in stages.get("ceilings_after", [])}
    for c in stages.get("ceilings_before", []):
        unit = "GB/s" if c["unit"] == "B/s" else "TFLOP/s"
        scale = 1e-9 if c["unit"] == "B/s" else 1e-12
        a = after.get(c["name"])
        around = [x["rate"] * scale for g in e2e_groups for x in g if x["name"] == c["name"]]
        used = ceiling_rate(result, c["name"]) * scale
        out.append(f"| {c['name']} | {c['what']} | {c['rate'] * scale:.3f} | "
                   f"{a['rate'] * scale if a else 0:.3f} | {', '.join(f'{x:.3f}' for x in around) or '-'} | "
                   f"{used:.3f} {unit} |")


def rescore(stage, gemm, copy):
    """The stage's fractions against the run's highest ceilings (bench_stages scored it against
    the ceilings around the stages only)."""
    s = dict(stage)
    seconds = s["median_ms"] * 1e-3
    if seconds <= 0 or not copy:
        return s
    s["fraction_of_copy"] = s["bytes"] / seconds / copy
    floor_s = s["bytes"] / copy
    if s["bound"] == "gemm" and gemm:
        s["fraction_of_gemm"] = s["flop"] / seconds / gemm
        floor_s = max(floor_s, s["flop"] / gemm)
    s["fraction_of_floor"] = floor_s / seconds
    return s


def render_stages(result, out):
    stages = result.get("stages")
    if not stages:
        out.append("")
        out.append("No stage benchmarks in this run.")
        return
    peer_by_size = {p["size"]: {s["name"]: s for s in p["stages"]} for p in result["peers"]["torch_stages"]}
    for size in stages["sizes"]:
        out.append("")
        out.append(f"#### Stages at the {size['name']} size: {size['describe']}")
        out.append("")
        out.append(f"Median of {stages['repeats']} after {stages['warmup']} warm-up calls; GEMM precision "
                   f"{stages['precision']}. %GEMM: achieved FLOP rate over the GEMM ceiling; %copy: bytes "
                   "moved over the copy rate; %floor: max(FLOP / GEMM, bytes / copy) over the time "
                   "(bytes only for memory-bound stages).")
        out.append("")
        out.append("| stage | FLOP | bytes | median (min-max) | TFLOP/s | GB/s | %GEMM | %copy | %floor | PyTorch | speed-up |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        peers = peer_by_size.get(size["name"], {})
        _, gemm = gemm_ceiling(result)
        copy = ceiling_rate(result, "copy")
        for s in size["stages"]:
            s = rescore(s, gemm, copy)
            peer = peers.get(s["name"])
            ratio = f"{peer['median_ms'] / s['median_ms']:.2f}x" if peer and s["median_ms"] > 0 else "-"
            out.append(f"| {s['name']} | {fmt_flop(s['flop'])} | {fmt_bytes(s['bytes'])} | "
                       f"{fmt_ms(s['median_ms'])} ({fmt_ms(s['min_ms'])}-{fmt_ms(s['max_ms'])}) | "
                       f"{s['tflops']:.4f} | {s['gbs']:.2f} | {fmt_pct(s.get('fraction_of_gemm'))} | "
                       f"{fmt_pct(s['fraction_of_copy'])} | {fmt_pct(s['fraction_of_floor'])} | "
                       f"{fmt_ms(peer['median_ms']) if peer else '-'} | {ratio} |")
        extra = [s for s in size["stages"] if s["name"] in ("lbfgs_minimize", "lbfgs_iteration", "griffinlim_iteration")]
        for s in extra:
            d = s.get("details", {})
            if s["name"] == "lbfgs_minimize":
                out.append(f"\n`lbfgs_minimize`: {d.get('method')}; {d.get('evaluations')} evaluations over "
                           f"{d.get('iterations')} iterations ({d.get('evaluations_per_iteration', 0):.2f} per "
                           f"iteration), stop: {d.get('stop_reason')}.")
            elif s["name"] == "lbfgs_iteration":
                out.append(f"\n`lbfgs_iteration`: {d.get('method')}; {d.get('pairs_passing_curvature')} of "
                           f"{d.get('history')} pairs in use.")
            else:
                out.append(f"\n`griffinlim_iteration`: {d.get('method')} (momentum {d.get('momentum')}).")


def render_griffinlim(result, out):
    rows = result["peers"]["griffinlim"]
    if not rows:
        return
    out.append("")
    out.append("#### Griffin-Lim, time per iteration (slope between the fastest of several short and long runs)")
    out.append("")
    out.append("| size | audiostyle | librosa (CPU) | torchaudio (CPU) | torchaudio (GPU) | audiostyle speed-up over torchaudio on the same device |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for g in rows:
        ours = stage_lookup(result, g["size"], "griffinlim_iteration")
        ours_ms = None
        if ours:
            ours_ms = ours.get("details", {}).get("per_iteration_min_ms", ours["median_ms"])
        cells = {}
        for r in g["rows"]:
            key = r["peer"] + ("_gpu" if r["device"].startswith("cuda") else "_cpu")
            cells[key] = r.get("per_iteration_ms")
            if "skipped" in r:
                cells[key] = r["skipped"]
        same = cells.get("torchaudio_gpu" if result["device_kind"] == "cuda" else "torchaudio_cpu")

        def cell(v):
            return v if isinstance(v, str) else fmt_ms(v)
        speed = f"{same / ours_ms:.2f}x" if isinstance(same, float) and ours_ms else "-"
        out.append(f"| {g['size']} | {fmt_ms(ours_ms)} | {cell(cells.get('librosa_cpu'))} | "
                   f"{cell(cells.get('torchaudio_cpu'))} | {cell(cells.get('torchaudio_gpu'))} | {speed} |")


def render_e2e(result, out):
    e2e = result.get("e2e")
    if not e2e:
        out.append("")
        out.append("No end-to-end jobs in this run.")
        return
    name, gemm = gemm_ceiling(result)
    out.append("")
    out.append(f"#### End-to-end jobs (`audiostyle transfer`, job set `{e2e['set']}`)")
    out.append("")
    out.append("Time from the tool's report (`timings_ms.total`); process wall time includes start-up and "
               "file I/O. Memory: the tool's memory plan, the process's peak resident set (wait4), and on "
               "CUDA the peak of nvidia-smi's memory.used above the idle value (includes the CUDA context). "
               f"Optimise rate: objective FLOP x evaluations / optimisation time, against the {name} ceiling.")
    out.append("")
    out.append("| job | what ran | frames x bins x items | iterations / evaluations | total | process | "
               "optimise | optimise TFLOP/s (%ceiling) | plan | peak RSS | peak device | final objective |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for j in e2e["jobs"]:
        if j["exit_code"] != 0:
            out.append(f"| {j['name']} | {j['label']} | - | - | failed (exit {j['exit_code']}) | | | | | | | "
                       f"{j.get('error', '')[-120:].replace('|', '/').replace(chr(10), ' ')} |")
            continue
        r = j["report"]
        sh = r["shape"]
        rate = r.get("optimise_tflops")
        rate_cell = f"{rate:.4f} ({fmt_pct(rate * 1e12 / gemm) if gemm else '-'})" if rate else "-"
        out.append(f"| {j['name']} | {j['label']} | {sh['T']} x {sh['C']} x {sh['B']} | "
                   f"{r['iterations']} / {r['evaluations']} | {fmt_ms(r['total_ms'])} | {j['wall_s']:.2f} s | "
                   f"{fmt_ms(r.get('optimise_ms'))} | {rate_cell} | {fmt_bytes(r['memory_plan_bytes'])} | "
                   f"{fmt_bytes(j['peak_rss_bytes'])} | {fmt_bytes(j.get('device_peak_bytes_nvidia_smi'))} | "
                   f"{(r.get('final') or {}).get('total', 0):.5g} |")
    render_sweep(e2e, out)
    peers = result["peers"]["torch_transfer"]
    if peers:
        out.append("")
        out.append("Against the PyTorch peer (bench/peers/torch_peer.py: same recipe, same inputs, same "
                   "iterations, torch.optim.LBFGS strong Wolfe history 10, torchaudio GriffinLim; different "
                   "random filters and start, so objectives agree statistically, not bit for bit):")
        out.append("")
        out.append("| job | audiostyle total | PyTorch total | speed-up | audiostyle objective | PyTorch objective | "
                   "ratio | iterations / evaluations (audiostyle; PyTorch) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for j in e2e["jobs"]:
            p = peers.get(j["name"])
            if not p or j["exit_code"] != 0:
                continue
            r = j["report"]
            ours, theirs = (r.get("final") or {}).get("total"), p["final"]["total"]
            out.append(f"| {j['name']} | {fmt_ms(r['total_ms'])} | {fmt_ms(p['timings_ms']['total'])} | "
                       f"{p['timings_ms']['total'] / r['total_ms']:.2f}x | {ours:.5g} | {theirs:.5g} | "
                       f"{ours / theirs:.3f} | {r['iterations']} / {r['evaluations']}; "
                       f"{p['iterations']} / {p['evaluations']} |")


def render_sweep(e2e, out):
    """Length sweep: the S jobs and the R jobs run with the same recipe, by length."""
    ok = [j for j in e2e["jobs"] if j["exit_code"] == 0 and j["channels"] == 1]
    sweep = [j for j in ok if j["name"].startswith("S")]
    if not sweep:
        return
    recipe = {(j["iterations"], j["gl_iterations"]) for j in sweep}
    rows = sorted((j for j in ok if (j["iterations"], j["gl_iterations"]) in recipe), key=lambda j: j["seconds"])
    out.append("")
    out.append("Length sweep (" + "; ".join(f"L-BFGS {i} / Griffin-Lim {g}" for i, g in sorted(recipe)) + "):")
    out.append("")
    out.append("| length | job | total | total per audio minute | optimise per evaluation | plan | peak RSS | peak device |")
    out.append("|---:|---|---:|---:|---:|---:|---:|---:|")
    for j in rows:
        r = j["report"]
        per_eval = r["optimise_ms"] / r["evaluations"] if r.get("optimise_ms") and r["evaluations"] else None
        out.append(f"| {j['seconds']:g} s | {j['name']} | {fmt_ms(r['total_ms'])} | "
                   f"{fmt_ms(r['total_ms'] / (j['seconds'] / 60))} | {fmt_ms(per_eval)} | "
                   f"{fmt_bytes(r['memory_plan_bytes'])} | {fmt_bytes(j['peak_rss_bytes'])} | "
                   f"{fmt_bytes(j.get('device_peak_bytes_nvidia_smi'))} |")


def target_rows(results):
    """(target, verdict) for each of issue 4's targets, from the newest CUDA result."""
    cuda = results.get("cuda")
    none = "not measured: no GPU result yet (the CPU session cannot measure it)"
    if not cuda:
        return [(t, none) for t in (
            "R10 < 0.25 s on an H100", "F3 < 10 s with peak device memory < 8 GiB",
            "optimisation phase >= 60% of the measured TF32 GEMM rate",
            ">= 5x the PyTorch peer end to end", "GPU Griffin-Lim >= 3x torchaudio's")]
    rows = []
    device = (cuda.get("machine") or {}).get("device", "")
    jobs = {j["name"]: j for j in (cuda.get("e2e") or {}).get("jobs", []) if j["exit_code"] == 0}
    full = (cuda.get("e2e") or {}).get("set") == "full"

    def missed(value, target, lower_is_better=True):
        if lower_is_better:
            return "met" if value < target else f"missed by {value / target:.2f}x"
        return "met" if value >= target else f"missed: {value / target:.2f} of the target"

    r10 = jobs.get("R10")
    if r10 and full:
        t = r10["report"]["total_ms"] / 1e3
        v = missed(t, 0.25) + f" ({t:.3f} s on {device})"
        if "H100" not in device:
            v += "; not an H100: indicative only"
        rows.append(("R10 < 0.25 s on an H100", v))
    else:
        rows.append(("R10 < 0.25 s on an H100", "not measured (no full-recipe R10 job in the CUDA run)"))
    f3 = jobs.get("F3")
    if f3 and full:
        t = f3["report"]["total_ms"] / 1e3
        peak = f3.get("device_peak_bytes_nvidia_smi")
        reported = f3["report"].get("reported_peaks") or {}
        mem = max(reported.values()) if reported else peak
        verdict = f"time {missed(t, 10.0)} ({t:.2f} s); memory "
        verdict += (f"{missed(mem / GIB, 8.0)} ({mem / GIB:.2f} GiB "
                    f"{'reported by the tool' if reported else 'nvidia-smi, with the CUDA context'})"
                    if mem is not None else "not measured")
        rows.append(("F3 < 10 s with peak device memory < 8 GiB", verdict))
    else:
        rows.append(("F3 < 10 s with peak device memory < 8 GiB", "not measured (no full-recipe F3 job)"))
    name, gemm = gemm_ceiling(cuda)
    job = r10 or next(iter(jobs.values()), None)
    if job and gemm and job["report"].get("optimise_tflops"):
        frac = job["report"]["optimise_tflops"] * 1e12 / gemm
        rows.append(("optimisation phase >= 60% of the measured TF32 GEMM rate",
                     f"{missed(frac, 0.60, lower_is_better=False)} ({100 * frac:.0f}% of {name} in job {job['name']})"))
    else:
        rows.append(("optimisation phase >= 60% of the measured TF32 GEMM rate", "not measured"))
    peers = cuda["peers"]["torch_transfer"]
    ratios = [(n, peers[n]["timings_ms"]["total"] / jobs[n]["report"]["total_ms"]) for n in peers if n in jobs]
    if ratios and full:
        worst = min(ratios, key=lambda r: r[1])
        rows.append((">= 5x the PyTorch peer end to end",
                     f"{missed(worst[1], 5.0, lower_is_better=False)} (lowest: {worst[1]:.2f}x on {worst[0]}; "
                     + ", ".join(f"{n} {r:.2f}x" for n, r in ratios) + ")"))
    else:
        rows.append((">= 5x the PyTorch peer end to end", "not measured"))
    gl = None
    for g in cuda["peers"]["griffinlim"]:
        ours = stage_lookup(cuda, g["size"], "griffinlim_iteration")
        for r in g["rows"]:
            if r["peer"] == "torchaudio" and r["device"].startswith("cuda") and ours and "per_iteration_ms" in r:
                gl = (g["size"], r["per_iteration_ms"] /
                      ours.get("details", {}).get("per_iteration_min_ms", ours["median_ms"]))
                break
        if gl:
            break
    rows.append(("GPU Griffin-Lim >= 3x torchaudio's",
                 f"{missed(gl[1], 3.0, lower_is_better=False)} ({gl[1]:.2f}x at the {gl[0]} size)" if gl
                 else "not measured"))
    return rows


def render(args):
    files = sorted(glob.glob(os.path.join(args.results, "*.json")))
    newest = {}
    for path in files:
        r = load(path)
        r["_file"] = os.path.relpath(path, os.path.dirname(os.path.abspath(args.out)))
        kind = r.get("device_kind")
        if kind and (kind not in newest or r.get("created", "") >= newest[kind].get("created", "")):
            newest[kind] = r
    out = ["# Benchmark results", "",
           "Generated by `bench/report.py render` from the newest file of each device in `bench/results/` "
           "(`scripts/bench.sh` runs everything and regenerates this page). What each figure counts is "
           "defined in `bench/stages.h` (FLOP, bytes) and `bench/e2e.py` (jobs); the method: warm-up, "
           "median of repeats, CUDA events on the GPU (Backend::make_timer), ceilings measured in the "
           "same run.", ""]
    out.append("## Targets (issue 4; reported, never asserted)")
    out.append("")
    out.append("| target | status |")
    out.append("|---|---|")
    for target, verdict in target_rows(newest):
        out.append(f"| {target} | {verdict} |")
    if "cuda" not in newest:
        out.append("")
        out.append("No GPU result yet: every GPU figure awaits a session with a GPU "
                   "(`scripts/bench.sh --device cuda`, see bench/README.md). The CPU figures below describe "
                   "the CPU backend, the oracle and fallback, not the product's speed.")
    for kind in ("cuda", "cpu"):
        r = newest.get(kind)
        if not r:
            continue
        out.append("")
        out.append(f"## {'GPU' if kind == 'cuda' else 'CPU'} run: `{r['_file']}`")
        out.append("")
        render_machine(r, out)
        render_ceilings(r, out)
        render_stages(r, out)
        render_griffinlim(r, out)
        render_e2e(r, out)
    out.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(out))
    print(f"wrote {args.out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("merge")
    m.add_argument("--parts", required=True)
    m.add_argument("--device", required=True, choices=("cpu", "cuda"))
    m.add_argument("--mode", required=True, choices=("quick", "full"))
    m.add_argument("--note", action="append")
    m.add_argument("--base", help="an earlier result of the same run whose parts fill the gaps")
    m.add_argument("--out", required=True)
    r = sub.add_parser("render")
    r.add_argument("--results", default="bench/results")
    r.add_argument("--out", default="bench/RESULTS.md")
    args = parser.parse_args()
    merge(args) if args.command == "merge" else render(args)


if __name__ == "__main__":
    main()
