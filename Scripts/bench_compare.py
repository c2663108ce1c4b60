#!/usr/bin/env python3
"""Runs Flint's benchmarks and PyTorch's reference script back to back and prints a
markdown table of both figures and the ratio per workload (1 and 2 threads).

usage: python3 Scripts/bench_compare.py [--torch-bench PATH] [--only W1,W2,W4,W6,W7] [--launches 3] [--jax]
Each side is launched `--launches` times per thread count, alternating Flint and PyTorch,
and each figure is the median over the launches (the benchmark README asks for medians
of at least 3 launches: 2-thread figures on shared machines are bimodal).
The PyTorch side needs `pip install torch==2.13.0+cpu numpy` and the reference script
(default: ../shared/bench/reference/torch_bench.py next to this repository).
With `--jax`, JAX's jitted versions (jax_bench.py beside torch_bench.py; `pip install jax
jaxlib`) run in the same alternation and a second table compares Flint with them.
"""
import argparse
import os
import statistics
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r"^(W\d|M\d)\s+([0-9.eE+-]+)\s+(.+?)(?:\s{3}\((.*)\))?$")
HIGHER_IS_BETTER = ("GFLOP/s", "steps/s", "GB/s")


def parse(text):
    out = {}
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if m:
            out[m.group(1)] = (float(m.group(2)), m.group(3).strip(), m.group(4) or "")
    return out


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--torch-bench", default=os.path.join(ROOT, "..", "shared", "bench", "reference", "torch_bench.py"))
    ap.add_argument("--only", default="W1,W2,W3,W4,W5,W6,W7,W8,M1")
    ap.add_argument("--launches", type=int, default=3)
    ap.add_argument("--jax", action="store_true", help="also compare with JAX's jit (jax_bench.py)")
    args = ap.parse_args()
    jax_bench = os.path.join(os.path.dirname(args.torch_bench), "jax_bench.py")
    subprocess.run(["swift", "build", "-c", "release", "--product", "flint-bench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    flint_bin = os.path.join(ROOT, ".build", "release", "flint-bench")
    rows, jax_rows = {}, {}
    for threads in (1, 2):
        figures, jax_figures = {}, {}
        for _ in range(args.launches):
            torch_out = parse(run([sys.executable, args.torch_bench, "--threads", str(threads), "--only", args.only, "--no-diag"]))
            jax_out = parse(run([sys.executable, jax_bench, "--threads", str(threads), "--mode", "jit", "--only", args.only])) if args.jax else {}
            flint_out = parse(run([flint_bin, "--threads", str(threads), "--only", args.only]))
            for wid, (fig, unit, _) in flint_out.items():
                for reference, collected in ((torch_out, figures), (jax_out, jax_figures)):
                    if wid in reference:
                        entry = collected.setdefault(wid, ([], [], unit))
                        entry[0].append(fig)
                        entry[1].append(reference[wid][0])
        for collected, table in ((figures, rows), (jax_figures, jax_rows)):
            for wid, (flint_figs, reference_figs, unit) in collected.items():
                table.setdefault(wid, {})[threads] = (statistics.median(flint_figs), statistics.median(reference_figs), unit)
    print_table(rows, "PyTorch")
    if args.jax:
        print()
        print_table(jax_rows, "JAX jit")
    print(f"\n(medians of {args.launches} launches; ratio > 1: Flint is faster; time units are per iteration, lower is better)")


def print_table(rows, reference):
    print(f"| workload | unit | Flint 1T | {reference} 1T | Flint vs {reference} 1T | Flint 2T | {reference} 2T | Flint vs {reference} 2T |")
    print("|---|---|---|---|---|---|---|---|")
    for wid in sorted(rows):
        cells = []
        unit = ""
        for threads in (1, 2):
            if threads not in rows[wid]:
                cells += ["", "", ""]
                continue
            fig, ref, unit = rows[wid][threads]
            better = fig / ref if unit.startswith(HIGHER_IS_BETTER) else ref / fig
            cells += [f"{fig:.4g}", f"{ref:.4g}", f"{better:.2f}x"]
        print(f"| {wid} | {unit} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
