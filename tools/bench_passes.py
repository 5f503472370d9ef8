#!/usr/bin/env python3
"""Benchmark (not a test): what the optimization passes buy in the generated C.

    swift build -c release && python3 tools/bench_passes.py [--models resnet8_cifar,mobile_blocks] [--runs 9]

For each model, builds the `.npy` program twice in one run — `--passes none` and `--passes all` —
with external weights (Keras-default initialization, seed 0) and the portable GEMM, then runs the
two on the same random input (`--batch` examples per call), alternating, on one thread. Prints a
Markdown table of the arena each needs and the fastest wall time of a run, with the ratios
(all / none). Machines here are shared
and noisy: read the ratios, not the times.
"""
import argparse
import json
import pathlib
import subprocess
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent


def dlc_binary():
    path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    return pathlib.Path(path) / "dlc"


def model_path(name):
    for folder in ("graphs", "Tests/Golden/summary"):
        path = ROOT / folder / f"{name}.dl"
        if path.exists():
            return path
    raise SystemExit(f"no model named {name}")


def build(dlc, model, passes, directory, batch):
    """Builds the program; returns its path and the arena bytes dlc reported."""
    result = subprocess.run(
        [str(dlc), "compile", str(model), "-o", str(directory), "--emit", "exe", "--weights-mode", "external",
         "--passes", passes, "--batch", str(batch)], check=True, capture_output=True, text=True)
    arena_line = next(line for line in result.stdout.splitlines() if line.startswith("arena: planned"))
    arena = int(arena_line.split()[2].replace(",", ""))
    return directory / model.stem, arena


def input_files(dlc, model, directory, batch):
    """Random .npy inputs (`batch` examples) with the shapes and types of the model's inputs."""
    summary = json.loads(subprocess.run([str(dlc), "summary", "--format", "json", str(model)], check=True,
                                        capture_output=True, text=True).stdout)
    generator = np.random.default_rng(0)
    files = []
    for declared in summary["inputs"]:
        shape = [batch] + declared["shape"][1:]
        if declared["dtype"].startswith("int"):
            values = generator.integers(0, 10, size=shape).astype(np.int32)
        else:
            values = generator.random(shape, dtype=np.float32)
        path = directory / f"{declared['name']}.npy"
        np.save(path, values)
        files.append(str(path))
    return files


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="resnet8_cifar,mobile_blocks,elementwise_chain,cifar10_cnn")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--batch", type=int, default=16, help="examples per call, so the model's work dominates")
    arguments = parser.parse_args()
    dlc = dlc_binary()
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = pathlib.Path(temporary)
        for name in arguments.models.split(","):
            model = model_path(name)
            inputs = input_files(dlc, model, folder, arguments.batch)
            programs = {}
            for passes in ("none", "all"):
                directory = folder / f"{name}_{passes}"
                program, arena = build(dlc, model, passes, directory, arguments.batch)
                programs[passes] = (program, directory / f"{model.stem}_weights.bin", arena)
            times = {"none": [], "all": []}
            for _ in range(arguments.runs):
                for passes in ("none", "all"):
                    program, weights, _ = programs[passes]
                    start = time.perf_counter()
                    subprocess.run([str(program), "--weights", str(weights), *inputs, "-o", str(folder / "out.npy")],
                                   check=True, env={"OPENBLAS_NUM_THREADS": "1"})
                    times[passes].append(time.perf_counter() - start)
            # The fastest of several runs: noise on a shared machine only ever adds time.
            none, every = min(times["none"]), min(times["all"])
            rows.append((name, programs["none"][2], programs["all"][2], none, every))
    print("| model | arena, no passes | arena, all passes | ratio | time, no passes | time, all passes | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, arena_none, arena_all, none, every in rows:
        print(f"| {name} | {arena_none:,} | {arena_all:,} | {arena_all / arena_none:.2f} | "
              f"{none * 1000:.1f} ms | {every * 1000:.1f} ms | {every / none:.2f} |")


if __name__ == "__main__":
    main()
