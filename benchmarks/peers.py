#!/usr/bin/env python3
"""dlc against ONNX Runtime and TFLite (LiteRT + XNNPACK) on the graphs/ models, on one core.

    swift build -c release
    pip install keras tensorflow tf2onnx onnx onnxruntime ai-edge-litert keras-hub safetensors
    (and GNU time, /usr/bin/time, for peak memory: apt-get install time)
    python3 benchmarks/peers.py [--models mnist_cnn,text_lstm] [--repeat 200] [--passes 2] [--turns 4]
    python3 benchmarks/peers.py --threads 2     # benchmarks/results-2-threads.md

Benchmark, not a test (CI does not run it). For every model the same weights (`dlc init`, seed 0)
go into the .dl model and into the Keras model of tools/keras_reference.py; Keras exports that to
ONNX and to TFLite. Then, for batch 1 and batch 32, each engine runs the same input in a process
of its own pinned to core 0 (taskset): dlc's generated C (portable build, its own timer), dlc's
interpreter (`dlc bench --backend interpreter`), ONNX Runtime and TFLite with one thread each.
Engines are interleaved model by model and, within a model, take `--turns` turns of a share of the
runs each (an engine's median is over all its runs in the pass, so a burst of other load falls on
every engine alike); the whole sweep runs `--passes` times, and ratios are taken within a pass.
Every engine's outputs are checked against Keras. Writes
benchmarks/results.md: median latency, the ratio of dlc's C to the best peer, GFLOPS and the
fraction of a measured one-core SGEMM peak, peak RSS, and the machine.

With --threads N every engine gets N threads and N cores (taskset -c 0-(N-1)): dlc's native C splits
each batch among its threads (`--threads`), ONNX Runtime and TFLite run N intra-op threads; the
table goes to benchmarks/results-N-threads.md.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODELS = [
    "mlp_iris", "cifar10_fcn", "mnist_cnn", "cifar10_cnn", "conv_autoencoder", "text_cnn", "text_lstm",
    "resnet8_cifar", "transformer_text",
]
PIN = ["taskset", "-c", "0"]


def measured(command, env=None):
    """Runs `command` pinned to core 0; its stdout and its own peak RSS in KiB (GNU time's %M: a
    child forked from this Python process would report this process's RSS as its own)."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.run(PIN + ["/usr/bin/time", "-f", "%M"] + command, stdout=subprocess.PIPE,
                                 stderr=errors, env=env)
        errors.seek(0)
        stderr = errors.read().decode()
    # GNU time adds "Command exited with non-zero status N" and the RSS as the last lines.
    messages = [line for line in stderr.strip().splitlines()[:-1] if not line.startswith("Command exited")]
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): " + "\n".join(messages)[-2000:])
    return process.stdout.decode(), int(stderr.strip().splitlines()[-1])


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


# MARK: Workers: one engine timing one model, in a process of its own (so its RSS is its own).

def worker(arguments):
    kind, model_path, inputs_path, outputs_path, repeat, warmup, threads = arguments
    repeat, warmup, threads = int(repeat), int(warmup), int(threads)
    import numpy as np

    archive = np.load(inputs_path)
    names = json.loads(archive["__order__"].tobytes().decode())
    inputs = [archive[name] for name in names]
    times = []
    if kind == "ort":
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
        feed = {i.name: x for i, x in zip(session.get_inputs(), inputs)}
        for round in range(warmup + repeat):
            start = time.perf_counter_ns()
            outputs = session.run(None, feed)
            if round >= warmup:
                times.append(time.perf_counter_ns() - start)
    else:
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=model_path, num_threads=threads)
        details = interpreter.get_input_details()
        for detail, x in zip(details, inputs):
            interpreter.resize_tensor_input(detail["index"], list(x.shape))
        interpreter.allocate_tensors()
        details = interpreter.get_input_details()
        for detail, x in zip(details, inputs):
            interpreter.set_tensor(detail["index"], x.astype(detail["dtype"]))
        for round in range(warmup + repeat):
            start = time.perf_counter_ns()
            interpreter.invoke()
            if round >= warmup:
                times.append(time.perf_counter_ns() - start)
        outputs = [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]
    np.savez(outputs_path, *outputs)
    print(json.dumps(times))


# MARK: Preparing a model: weights, Keras, exports, inputs.

def prepare(name, folder, dlc):
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT / "tools"))
    import numpy as np
    import keras
    import keras_fixtures
    import keras_reference

    keras.utils.clear_session()
    weights = folder / "weights.safetensors"
    subprocess.run([dlc, "init", str(ROOT / "graphs" / f"{name}.dl"), "-o", str(weights), "--seed", "0"],
                   check=True, capture_output=True)
    model = getattr(keras_reference, name)()
    values = keras_fixtures.read_safetensors(weights)
    for layer in model.layers:
        for weight in layer.weights:
            weight.assign(values[keras_fixtures.dlc_key(layer, weight)])
    vocabulary = min((l.input_dim for l in model.layers if isinstance(l, keras.layers.Embedding)), default=10)
    batches = {}
    for batch in (1, 32):
        rng = np.random.default_rng(batch)
        inputs = keras_fixtures.random_inputs(model, rng, batch=batch, vocabulary=vocabulary)
        order = [t._keras_history.operation.name for t in model.inputs]
        expected = keras_fixtures.run(model, inputs)
        path = folder / f"inputs_b{batch}.npz"
        np.savez(path, __order__=np.frombuffer(json.dumps(order).encode(), dtype=np.uint8), **inputs)
        for key in order:
            np.save(folder / f"b{batch}_{key}.npy", inputs[key])
        batches[batch] = (path, order, expected)
    model.export(str(folder / "model.onnx"), format="onnx", verbose=False)
    model.export(str(folder / "model.tflite"), format="litert", verbose=False)
    return weights, batches


def relative_error(outputs, expected):
    import numpy as np

    worst = 0.0
    for got, want in zip(outputs, expected):
        got = np.asarray(got, dtype=np.float32).reshape(want.shape)
        scale = max(float(np.max(np.abs(want))), 1e-6)
        worst = max(worst, float(np.max(np.abs(got - want))) / scale)
    return worst


# MARK: The engines.

def run_dlc_c(name, dlc, weights, folder, batch, order, repeat, warmup, target, threads=1):
    import numpy as np

    build = folder / f"c_{target}_b{batch}"
    if not build.exists():
        subprocess.run([dlc, "compile", str(ROOT / "graphs" / f"{name}.dl"), "--weights", str(weights), "-o",
                        str(build), "--emit", "exe", "--batch", str(batch), "--weights-mode", "external",
                        "--target", target], check=True, capture_output=True)
    program = next(p for p in build.iterdir() if p.is_file() and os.access(p, os.X_OK) and p.suffix == "")
    outputs = [build / f"out{k}.npy" for k in range(8)]
    usage = subprocess.run([str(program), "--help"], capture_output=True, text=True).stderr
    count = usage.split(" -o ", 1)[1].count(".npy")
    command = [str(program), "--weights", str(build / f"{program.name}_weights.bin")]
    command += [str(folder / f"b{batch}_{key}.npy") for key in order]
    command += ["-o"] + [str(p) for p in outputs[:count]]
    command += ["--warmup", str(warmup), "--repeat", str(repeat), "--threads", str(threads)]
    out, rss = measured(command)
    times = [int(line) for line in out.split() if line.strip().isdigit()]
    return times, [np.load(p) for p in outputs[:count]], rss


def run_dlc_interpreter(name, dlc, weights, folder, batch, order, repeat, warmup, check=True):
    """The interpreter's median; its outputs (by `dlc run`, for the agreement check) only when `check`."""
    import numpy as np

    out, rss = measured([dlc, "bench", str(ROOT / "graphs" / f"{name}.dl"), "--weights", str(weights),
                         "--backend", "interpreter", "--batch", str(batch), "--iterations", str(repeat),
                         "--warmup", str(warmup), "--format", "json"])
    p50 = json.loads(out)["p50_ms"] * 1e6
    if not check:
        return [p50], None, rss
    # Agreement: the same input through `dlc run`.
    result = folder / f"interpreter_b{batch}.npz"
    inputs = [f"{key}={folder / f'b{batch}_{key}.npy'}" for key in order]
    command = [dlc, "run", str(ROOT / "graphs" / f"{name}.dl"), "--weights", str(weights), "--output", str(result)]
    for spec in inputs:
        command += ["--input", spec]
    subprocess.run(command, check=True, capture_output=True)
    archive = np.load(result)
    return [p50], [archive[k] for k in archive.files], rss


def run_peer(kind, folder, batch, repeat, warmup, threads=1):
    import numpy as np

    model = folder / ("model.onnx" if kind == "ort" else "model.tflite")
    result = folder / f"{kind}_b{batch}.npz"
    out, rss = measured([sys.executable, __file__, "--worker", kind, str(model), str(folder / f"inputs_b{batch}.npz"),
                         str(result), str(repeat), str(warmup), str(threads)])
    times = json.loads(out.strip().splitlines()[-1])
    archive = np.load(result)
    return times, [archive[k] for k in archive.files], rss


# MARK: The machine.

def machine():
    flags = set()
    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    isa = ", ".join(f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f") if f in flags)
    return model, isa


def sgemm_peak():
    """GFLOPS of a 2048² SGEMM on one thread through NumPy's OpenBLAS (the machine's ceiling)."""
    code = (
        "import numpy as np, time\n"
        "a = np.random.rand(2048, 2048).astype(np.float32); b = a.copy(); a @ b\n"
        "best = min((lambda s: (a @ b, time.perf_counter() - s)[1])(time.perf_counter()) for _ in range(5))\n"
        "print(2 * 2048 ** 3 / best / 1e9)\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.setdefault("OPENBLAS_CORETYPE", "SkylakeX" if "avx512f" in machine()[1] else "Haswell")
    out, _ = measured([sys.executable, "-c", code], env=env)
    return float(out.strip()), env["OPENBLAS_CORETYPE"]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS))
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output")
    arguments = parser.parse_args()
    threads = arguments.threads
    global PIN
    PIN = ["taskset", "-c", f"0-{threads - 1}" if threads > 1 else "0"]
    output = arguments.output or str(ROOT / "benchmarks" / ("results.md" if threads == 1 else
                                                            f"results-{threads}-threads.md"))
    dlc = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip() + "/dlc"
    names = arguments.models.split(",")
    work = Path(tempfile.mkdtemp(prefix="dlc-peers-"))
    prepared = {}
    for name in names:
        folder = work / name
        folder.mkdir()
        prepared[name] = prepare(name, folder, dlc)
        print(f"prepared {name}", flush=True)
    macs = {name: json.loads(subprocess.run([dlc, "summary", str(ROOT / "graphs" / f"{name}.dl"), "--format",
                                             "json", "--macs"], check=True, capture_output=True,
                                            text=True).stdout)["total_macs"] for name in names}
    engines = (["dlc C", "dlc C native", "dlc interpreter", "ONNX Runtime", "TFLite"] if threads == 1 else
               ["dlc C native", "ONNX Runtime", "TFLite"])
    results = {}  # (pass, name, batch, engine) -> (median ns, error, rss), or None when it could not run
    failures = {}
    for round in range(1, arguments.passes + 1):
        for name in names:
            weights, batches = prepared[name]
            folder = work / name
            for batch, (_, order, expected) in batches.items():
                repeat = arguments.repeat if batch == 1 else max(20, arguments.repeat // 4)
                # The engines take turns, --turns times, each turn a share of the runs; an engine's median
                # is over all its runs in the pass. A burst of other load on the machine (seconds long)
                # then falls on every engine's runs alike instead of on whichever engine was running.
                samples = {engine: [] for engine in engines}
                share = max(5, repeat // arguments.turns)
                for turn in range(arguments.turns):
                    for engine in engines:
                        if samples[engine] is None:
                            continue
                        try:
                            if engine.startswith("dlc C"):
                                times, outputs, rss = run_dlc_c(name, dlc, weights, folder, batch, order, share,
                                                                arguments.warmup,
                                                                "native" if engine.endswith("native") else "generic",
                                                                threads)
                            elif engine == "dlc interpreter":
                                # Its outputs need `dlc run`, a second process: checked on the first turn.
                                times, outputs, rss = run_dlc_interpreter(name, dlc, weights, folder, batch, order,
                                                                          share, arguments.warmup, check=turn == 0)
                            else:
                                times, outputs, rss = run_peer("ort" if engine == "ONNX Runtime" else "tflite",
                                                               folder, batch, share, arguments.warmup, threads)
                            error = None if outputs is None else relative_error(outputs, expected)
                            samples[engine].append((times, error, rss))
                        except RuntimeError as error:
                            # A peer that cannot run the model (TFLite needs the Flex delegate for Keras' LSTM).
                            samples[engine] = None
                            lines = [line for line in str(error).strip().splitlines() if "Error" in line]
                            failures[(name, engine)] = (lines or [str(error)])[-1][:200]
                for engine in engines:
                    if samples[engine] is None:
                        results[(round, name, batch, engine)] = None
                        print(f"pass {round} {name} b{batch} {engine}: failed", flush=True)
                        continue
                    times = [t for turn in samples[engine] for t in turn[0]]
                    error = max(turn[1] for turn in samples[engine] if turn[1] is not None)
                    rss = max(turn[2] for turn in samples[engine])
                    results[(round, name, batch, engine)] = (median(times), error, rss)
                    print(f"pass {round} {name} b{batch} {engine}: {median(times) / 1e3:.1f} us", flush=True)
    if threads > 1:
        write_threaded(output, names, engines, results, arguments.passes, arguments.turns, threads, failures)
    else:
        peak, coretype = sgemm_peak()
        write(output, names, engines, results, arguments.passes, arguments.turns, macs, peak, coretype, failures)
    print(f"wrote {output}")


def write_threaded(path, names, engines, results, passes, turns, threads, failures):
    model, isa = machine()
    lines = [
        f"# dlc against ONNX Runtime and TFLite, {threads} threads",
        "",
        f"Written by `benchmarks/peers.py --threads {threads}` on {time.strftime('%Y-%m-%d')}: {model} ({isa}), "
        f"{threads} cores (`taskset -c 0-{threads - 1}`), {threads} threads per engine, {passes} passes with engines "
        f"interleaved model by model and taking {turns} turns within each. Median latency per call in µs, pass "
        f"by pass. dlc's C is the native build "
        f"splitting each batch among its threads (`--threads {threads}`: one slice of examples per thread, each "
        f"with its own arena; a batch of one splits its large layers among the threads instead, where each "
        f"thread gets enough work); ONNX Runtime and TFLite split layers (intra-op threads). **Ratio** = dlc ÷ "
        f"the faster peer in the same pass.",
        "",
        "| model | batch | dlc C native | ONNX Runtime | TFLite | ratio | max error |",
        "|---|---|---|---|---|---|---|",
    ]
    met = total = 0
    for name in names:
        for batch in (1, 32):
            rows = {(r, e): results[(r, name, batch, e)] for r in range(1, passes + 1) for e in engines}
            cells = [" / ".join(f"{rows[(r, e)][0] / 1e3:.3g}" if rows[(r, e)] else "n/a"
                                for r in range(1, passes + 1)) for e in engines]
            ratios = []
            for r in range(1, passes + 1):
                peers = [rows[(r, e)][0] for e in ("ONNX Runtime", "TFLite") if rows[(r, e)]]
                ratios.append(rows[(r, "dlc C native")][0] / min(peers) if peers and rows[(r, "dlc C native")]
                              else float("nan"))
            total += 1
            met += all(value <= 1.0 for value in ratios)
            error = max((row[1] for row in rows.values() if row), default=float("nan"))
            lines.append(f"| {name} | {batch} | " + " | ".join(cells) + " | "
                         + " / ".join(f"{value:.2f}" for value in ratios) + f" | {error:.0e} |")
    lines += ["", f"The goal (ratio ≤ 1.0 in both passes) is met in {met} of {total} rows."]
    for (name, engine), message in sorted(failures.items()):
        lines += ["", f"{engine} could not run {name}: `{message}`"]
    Path(path).write_text("\n".join(lines) + "\n")


def write(path, names, engines, results, passes, turns, macs, peak, coretype, failures):
    model, isa = machine()
    lines = [
        "# dlc against ONNX Runtime and TFLite",
        "",
        f"Written by `benchmarks/peers.py` on {time.strftime('%Y-%m-%d')}: {model} ({isa}), one core "
        f"(`taskset -c 0`), one thread per engine, {passes} passes with engines interleaved model by model and "
        f"taking {turns} turns within each (medians over all of an engine's runs in a pass). "
        f"Median latency per call in µs, pass by pass. dlc's C is the portable runtime (no BLAS) built for a "
        f"generic x86-64 (`dlc compile`'s default, whose AVX-512 and AVX2 copies are picked when it runs) and "
        f"for this CPU (`--target native`, what `dlc run` and `dlc bench` build); its timer excludes start-up. **Ratio** = dlc's C ÷ the faster of ONNX Runtime "
        f"and TFLite in the same pass (lower is better; ≤ 1.0 is the goal). GFLOPS = 2 × MACs × batch ÷ the "
        f"native build's best latency, with MACs the layers' nominal multiply-adds (Winograd convolutions "
        f"do fewer, and text_lstm's input projection is taken into its embedding table when it is compiled "
        f"(fold-embedding-projection), so a model with them can pass 100 %); the machine's one-core SGEMM peak, measured with NumPy's OpenBLAS "
        f"(`OPENBLAS_CORETYPE={coretype}`), is **{peak:.0f} GFLOPS**. Peer latencies include a Python call "
        f"(a few µs), which dominates the smallest models. Max error: the worst engine against Keras, "
        f"relative to each output's largest magnitude.",
        "",
        "| model | batch | dlc C generic | dlc C native | dlc interpreter | ONNX Runtime | TFLite "
        "| ratio generic | ratio native | GFLOPS (% of peak) | peak RSS MiB: C / interp. / ORT / TFLite | max error |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    summary = []
    for name in names:
        for batch in (1, 32):
            rows = {(r, e): results[(r, name, batch, e)] for r in range(1, passes + 1) for e in engines}
            cells = []
            for engine in engines:
                cells.append(" / ".join(f"{rows[(r, engine)][0] / 1e3:.3g}" if rows[(r, engine)] else "n/a"
                                        for r in range(1, passes + 1)))

            def ratios(engine):
                values = []
                for r in range(1, passes + 1):
                    peers = [rows[(r, e)][0] for e in ("ONNX Runtime", "TFLite") if rows[(r, e)]]
                    values.append(rows[(r, engine)][0] / min(peers) if peers and rows[(r, engine)] else float("nan"))
                return values

            generic, native = ratios("dlc C"), ratios("dlc C native")
            summary.append((name, batch, native, generic))
            best = min(rows[(r, "dlc C native")][0] for r in range(1, passes + 1) if rows[(r, "dlc C native")])
            gflops = 2 * macs[name] * batch / best
            rss = " / ".join(
                f"{max(rows[(r, e)][2] for r in range(1, passes + 1) if rows[(r, e)]) / 1024:.0f}"
                if any(rows[(r, e)] for r in range(1, passes + 1)) else "n/a"
                for e in ("dlc C native", "dlc interpreter", "ONNX Runtime", "TFLite"))
            error = max(rows[(r, e)][1] for r in range(1, passes + 1) for e in engines if rows[(r, e)])
            lines.append(f"| {name} | {batch} | " + " | ".join(cells) + " | "
                         + " / ".join(f"{x:.2f}" for x in generic) + " | "
                         + " / ".join(f"{x:.2f}" for x in native)
                         + f" | {gflops:.1f} ({100 * gflops / peak:.0f} %) | {rss} | {error:.1g} |")
    met = sum(1 for _, _, native, _ in summary if max(native) <= 1.0)
    met_generic = sum(1 for _, _, _, generic in summary if max(generic) <= 1.0)
    lines += ["", f"The goal (ratio ≤ 1.0 in both passes) is met in {met} of {len(summary)} rows by the native "
              f"build and in {met_generic} by the generic one."]
    for (name, engine), reason in sorted(failures.items()):
        lines += ["", f"{engine} could not run {name}: `{reason}`"]
    lines += ["", "Peak RSS is each engine's own process (GNU time): the interpreter's includes dlc's compiler; "
              "the peers' include Python and their runtime."]
    Path(path).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
