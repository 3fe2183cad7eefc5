#!/usr/bin/env python3
"""End-to-end jobs through the built command-line tool: each job synthesises its inputs
(make_inputs.py), runs `audiostyle transfer ... --report R.json`, and reads time and memory from
the report; the process's peak resident memory comes from wait4, and on CUDA the device memory
in use is sampled with nvidia-smi while the job runs (this includes the CUDA context).

    e2e.py --bin build/bin --device cpu|cuda --set quick|full [--jobs R10,F3,...] --json OUT

Job sets: `full` is the recipe as specified (for a GPU); `quick` runs the same jobs with fewer
iterations so that a 2-core CPU finishes in minutes. Every job records the iterations it ran, and
a reduced job says so in its label: nothing is extrapolated into a measured figure.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_inputs  # noqa: E402
import work  # noqa: E402

# name, content seconds, rate (Hz; "native" keeps 44.1 kHz), channels, what it is
REFERENCE = dict(rate=22050, channels=1, filters=4096, kernel=11, iterations=300, gl=500)


def job(name, seconds, label, rate=22050, channels=1, iterations=300, gl=500, style_seconds=None):
    return dict(name=name, seconds=seconds, rate=rate, channels=channels, iterations=iterations,
                gl_iterations=gl, style_seconds=style_seconds or min(seconds, 60.0), label=label)


def job_set(name):
    if name == "full":
        jobs = [
            job("R10", 10, "10 s mono, reference recipe (L-BFGS 300, Griffin-Lim 500)"),
            job("R60", 60, "60 s mono, reference recipe"),
            job("F3", 180, "3 min 44.1 kHz stereo, both channels, reference recipe", rate=44100, channels=2),
        ]
        # The sweep also includes R10 and R60 (same recipe): report.py draws it from all of them.
        for s in (30, 180, 600, 1200):
            jobs.append(job(f"S{s}", s, f"sweep: {s:g} s mono, reference recipe"))
        return jobs
    if name == "quick":
        # On 2 CPU cores one objective evaluation at 10 s takes about 1.3 s, and L-BFGS's first
        # iteration takes about 9 evaluations (its line search from the recipe's tiny start): these
        # counts keep the whole quick run near 10 minutes.
        jobs = [
            job("R10", 10, "10 s mono, reference recipe but L-BFGS 20 / Griffin-Lim 50 (CPU-reduced)",
                iterations=20, gl=50),
            job("R60", 60, "60 s mono, reference recipe but L-BFGS 1 / Griffin-Lim 10 (CPU-reduced)",
                iterations=1, gl=10),
            job("F3", 180, "3 min 44.1 kHz stereo, L-BFGS 0 (one evaluation) / Griffin-Lim 2 (CPU-reduced)",
                rate=44100, channels=2, iterations=0, gl=2),
        ]
        for s in (10, 30, 60, 120):
            jobs.append(job(f"S{s}", s, f"sweep: {s:g} s mono, L-BFGS 0 (one evaluation) / Griffin-Lim 5 "
                            "(CPU-reduced)", iterations=0, gl=5))
        return jobs
    raise SystemExit(f"unknown job set {name}")


class DeviceMemorySampler(threading.Thread):
    """Peak of nvidia-smi's memory.used above the value before the job, sampled every 50 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.baseline = self.read()
        self.peak = self.baseline
        self.stop = threading.Event()

    @staticmethod
    def read():
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits",
                                  "--id=0"], capture_output=True, text=True, timeout=5).stdout
            return float(out.strip().splitlines()[0]) * 1048576.0
        except (OSError, ValueError, IndexError, subprocess.SubprocessError):
            return None

    def run(self):
        while not self.stop.wait(0.05):
            value = self.read()
            if value is not None and self.peak is not None:
                self.peak = max(self.peak, value)

    def result(self):
        self.stop.set()
        self.join()
        if self.baseline is None or self.peak is None:
            return None
        return self.peak - self.baseline


def run_job(j, binary, device, inputs, out_dir, precision):
    content = make_inputs.make(inputs, "content", j["seconds"], j["rate"], j["channels"])
    style = make_inputs.make(inputs, "style", j["style_seconds"], j["rate"], j["channels"])
    report = os.path.join(out_dir, f"{j['name']}.json")
    output = os.path.join(out_dir, f"{j['name']}.wav")
    command = [binary, "transfer", content, style, "-o", output, "--report", report, "--quiet",
               "--device", device, "--iterations", str(j["iterations"]),
               "--gl-iterations", str(j["gl_iterations"]), "--precision", precision]
    if j["rate"] != 22050:
        command += ["--sample-rate", "native"]
    command += ["--channels", "stereo" if j["channels"] == 2 else "mono"]
    sampler = DeviceMemorySampler() if device == "cuda" and shutil.which("nvidia-smi") else None
    if sampler:
        sampler.start()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output_text = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall_s = time.perf_counter() - started
    device_peak = sampler.result() if sampler else None
    code = os.waitstatus_to_exitcode(status)
    result = dict(j, command=" ".join(command), exit_code=code, wall_s=wall_s,
                  peak_rss_bytes=usage.ru_maxrss * 1024, device_peak_bytes_nvidia_smi=device_peak)
    if code != 0:
        result["error"] = output_text.strip()[-2000:]
        return result
    with open(report) as f:
        r = json.load(f)
    result["report"] = summarise(r, j)
    return result


def find_peak(node, path=""):
    """Any numeric field whose name mentions 'peak' (the tool may report a measured peak)."""
    found = {}
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            if "peak" in key.lower() and isinstance(value, (int, float)):
                found[sub] = value
            else:
                found.update(find_peak(value, sub))
    return found


def summarise(r, j):
    timings = r.get("timings_ms", {})
    config = r.get("config", {})
    frames = r.get("frames", {})
    T = frames.get("output", 0)
    n_fft = config.get("n_fft", 2048)
    shape = dict(T=T, C=n_fft // 2 + 1, F=config.get("filters", 4096), K=config.get("kernel_width", 11),
                 B=j["channels"])
    evaluations = r.get("evaluations", 0)
    iterations = len(r.get("iterations", []))
    optimise_ms = next((v for k, v in timings.items() if k.startswith("optimi")), None)
    flop_eval = work.objective_flop(**shape) if T else 0
    out = dict(
        backend=r.get("backend"), device=r.get("device"), conv_algorithm=r.get("conv_algorithm"),
        config=config, shape=shape, n_fft=n_fft, hop=config.get("hop"),
        sample_rate_hz=config.get("sample_rate_hz"),
        iterations=iterations, evaluations=evaluations, stop_reason=r.get("stop_reason"),
        final=r.get("final"), timings_ms=timings, total_ms=timings.get("total"),
        memory_plan_bytes=r.get("memory_plan_bytes", {}).get("total"),
        reported_peaks=find_peak(r), segments=len(r.get("segments", [])) or 1,
        spectral_convergence_db=r.get("griffin_lim", {}).get("spectral_convergence_db"),
        objective_flop_per_evaluation=flop_eval,
    )
    if optimise_ms and evaluations:
        out["optimise_ms"] = optimise_ms
        out["optimise_tflops"] = flop_eval * evaluations / (optimise_ms * 1e-3) * 1e-12
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin", help="folder holding the audiostyle executable")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--set", default="quick", choices=("quick", "full"))
    parser.add_argument("--jobs", default="", help="only these job names (comma-separated)")
    parser.add_argument("--precision", default="tf32")
    parser.add_argument("--inputs", default="out/bench/inputs")
    parser.add_argument("--work", default=None, help="folder for reports and outputs (default: a temp dir)")
    parser.add_argument("--json", required=True)
    args = parser.parse_args()

    binary = os.path.join(args.bin, "audiostyle")
    wanted = {n for n in args.jobs.split(",") if n}
    jobs = [j for j in job_set(args.set) if not wanted or j["name"] in wanted]
    work_dir = args.work or tempfile.mkdtemp(prefix="audiostyle-e2e-")
    os.makedirs(work_dir, exist_ok=True)
    results = []
    for j in jobs:
        print(f"e2e {j['name']}: {j['label']}", flush=True)
        r = run_job(j, binary, args.device, args.inputs, work_dir, args.precision)
        if r["exit_code"] != 0:
            print(f"  FAILED (exit {r['exit_code']}): {r['error'][-300:]}", flush=True)
        else:
            s = r["report"]
            print(f"  total {s['total_ms'] / 1e3:.2f} s (process {r['wall_s']:.2f} s), "
                  f"{s['iterations']} iterations / {s['evaluations']} evaluations, "
                  f"peak RSS {r['peak_rss_bytes'] / 2**30:.2f} GiB, plan {(s['memory_plan_bytes'] or 0) / 2**30:.2f} GiB"
                  + (f", device peak {r['device_peak_bytes_nvidia_smi'] / 2**30:.2f} GiB"
                     if r.get("device_peak_bytes_nvidia_smi") is not None else ""), flush=True)
        results.append(r)
    with open(args.json, "w") as f:
        json.dump(dict(benchmark="e2e", set=args.set, device=args.device, jobs=results), f, indent=2)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
