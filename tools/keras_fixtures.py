#!/usr/bin/env python3
"""Numerical fixtures from Keras 3: weights, inputs and Keras' outputs, for the interpreter tests.

Run by hand, not by CI (needs `pip install keras jax keras-hub numpy` and a release build of dlc):

  swift build -c release
  KERAS_BACKEND=jax python3 tools/keras_fixtures.py [layers] [nonfinite] [models] [NAME...]

Layers: every case of tools/keras_layer_cases.py (each tier-1 layer with several argument
combinations) is built in Keras with random weights (batch-norm statistics included) and run on a
random batch of 2. Written to Tests/Fixtures/layers/:
  <case>.safetensors     the weights, with dlc's keys (<layer>/<variable>)
  <case>.inputs.npz      inputs x0, x1, ... (the case's .dl source names them so)
  <case>.expected.npz    Keras' outputs, keyed by dlc's output names (`lstm`, `lstm[1]`, ...)

Non-finite: every layer case with float inputs again, with the weights of its layer fixture and
inputs holding NaN, +inf and -inf, to Tests/Fixtures/nonfinite/<case>.{inputs,expected}.npz.

Models: every graphs/ model (builders from tools/keras_reference.py) gets the weights
`dlc init --seed 1` writes, so no weights are committed; the test draws the same weights again.
Written to Tests/Fixtures/models/<model>.inputs.npz and <model>.expected.npz.
"""

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import tree  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_layer_cases  # noqa: E402
import keras_reference  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures"
MODEL_SEED = 1


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def read_safetensors(path):
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    data = raw[8 + length:]
    return {name: np.frombuffer(data[s:e], dtype="<f4").reshape(info["shape"])
            for name, info in header.items() if name != "__metadata__"
            for s, e in [info["data_offsets"]]}


def dlc_key(layer, weight):
    # Inside a Sequential model a path starts with the model's name: "mlp_iris/dense/kernel".
    parts = weight.path.split("/")
    path = "/".join(parts[parts.index(layer.name):]) if layer.name in parts else weight.path
    return f"{layer.name}/{keras_layer_cases.dlc_weight_name(path, layer.name)}"


def output_names(model):
    def name(tensor):
        history = tensor._keras_history
        produced = tree.flatten(history.operation._inbound_nodes[history.node_index].output_tensors)
        return history.operation.name + (f"[{history.tensor_index}]" if len(produced) > 1 else "")
    return [name(t) for t in model.outputs]


def random_value(weight, rng):
    shape = tuple(int(d) for d in weight.shape)
    leaf = weight.path.split("/")[-1]
    if leaf in ("moving_variance", "gamma", "variance"):
        return rng.uniform(0.5, 1.5, shape)
    if leaf == "count":  # Normalization's sample count (an integer; unused at inference)
        return np.array(100)
    if leaf in ("moving_mean", "beta", "bias", "mean"):
        return rng.normal(0, 0.2, shape)
    return rng.normal(0, 0.4, shape)


def settle(model):
    """Layers that cache values derived from their weights when built (Normalization's mean and
    variance) recompute them, as Keras does after loading a file; plain assignment leaves the cache."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.Normalization):
            layer.finalize_state()


def random_inputs(model, rng, batch, vocabulary=10):
    inputs = {}
    for tensor in model.inputs:
        # A None dimension (any length) gets 9: shorter than dlc's standard maximum, so dlc's run
        # specializes the model to it.
        shape = (batch,) + tuple(9 if d is None else int(d) for d in tensor.shape[1:])
        name = tensor._keras_history.operation.name
        if "int" in str(tensor.dtype):
            inputs[name] = rng.integers(0, vocabulary, shape).astype(np.int32)
        else:
            inputs[name] = rng.normal(0, 1, shape).astype(np.float32)
    return inputs


def run(model, inputs):
    ordered = [inputs[t._keras_history.operation.name] for t in model.inputs]
    outputs = model(ordered if len(ordered) > 1 else ordered[0])
    return [np.asarray(o, dtype=np.float32) for o in tree.flatten(outputs)]


def build_case(inputs, build):
    """The case's layer as a Keras model: inputs x0, x1, ... into one layer."""
    tensors = []
    for position, spec in enumerate(inputs):
        dtype = "int32" if spec.startswith("i32") else "float32"
        tensors.append(keras.Input(tuple(json.loads(spec.removeprefix("i32"))), name=f"x{position}", dtype=dtype))
    layer = build()
    if isinstance(layer, keras.layers.MultiHeadAttention):
        # Asking for the scores selects Keras' einsum path; its fused path fails when value_dim
        # differs from key_dim (Keras 3.15 with jax). Both compute the same function.
        outputs = layer(*tensors, return_attention_scores=True)[0]
    else:
        outputs = layer(tensors if len(tensors) > 1 else tensors[0])
    produced = tree.flatten(outputs)
    keys = [layer.name + (f"[{k}]" if len(produced) > 1 else "") for k in range(len(produced))]
    return keras.Model(tensors, produced), layer, keys


def layer_fixtures(names):
    folder = FIXTURES / "layers"
    folder.mkdir(parents=True, exist_ok=True)
    for index, (name, inputs, call, build) in enumerate(keras_layer_cases.CASES):
        if names and name not in names:
            continue
        keras.utils.clear_session()
        rng = np.random.default_rng(index)
        model, layer, keys = build_case(inputs, build)
        weights = {}
        for weight in layer.weights:
            value = random_value(weight, rng)
            weight.assign(value)
            weights[dlc_key(layer, weight)] = value
        settle(model)
        x = random_inputs(model, rng, batch=2, vocabulary=getattr(layer, "input_dim", 10))
        y = run(model, x)
        write_safetensors(folder / f"{name}.safetensors", weights)
        np.savez(folder / f"{name}.inputs.npz", **x)
        np.savez(folder / f"{name}.expected.npz", **dict(zip(keys, y)))
        print(f"layer {name}: outputs {[o.shape for o in y]}")


# Cases whose non-finite outputs depend on how Keras' backend computes them, not on the layer:
# JAX resizes bilinearly by a dense contraction, so one infinity makes a whole channel NaN
# (0·inf); dlc, like TensorFlow's resize, blends the four nearest pixels (docs/language.md).
NONFINITE_EXCEPTIONS = {"up_sampling2d_bilinear"}


def with_nonfinite(array, position):
    """A copy of a float batch of two holding NaN and +inf in the first example and -inf in the
    second, at places that differ from input to input (`position`)."""
    array = array.copy()
    size = int(np.prod(array.shape[1:]))
    first, second = array[0].reshape(-1), array[1].reshape(-1)
    first[position % size] = np.nan
    first[(size // 2 + position) % size] = np.inf
    second[(size // 3 + position) % size] = -np.inf
    return array


def nonfinite_fixtures(names):
    """Every float layer case again, with the weights of its layer fixture and inputs holding NaN
    and ±inf: what Keras propagates, the backends must propagate alike."""
    folder = FIXTURES / "nonfinite"
    folder.mkdir(parents=True, exist_ok=True)
    for name, inputs, call, build in keras_layer_cases.CASES:
        if (names and name not in names) or any(spec.startswith("i32") for spec in inputs):
            continue
        if name in NONFINITE_EXCEPTIONS:
            continue
        keras.utils.clear_session()
        model, layer, keys = build_case(inputs, build)
        weights = read_safetensors(FIXTURES / "layers" / f"{name}.safetensors")
        for weight in layer.weights:
            weight.assign(weights[dlc_key(layer, weight)])
        settle(model)
        with np.load(FIXTURES / "layers" / f"{name}.inputs.npz") as archive:
            x = {key: with_nonfinite(archive[key], position) for position, key in enumerate(sorted(archive.files))}
        y = run(model, x)
        np.savez(folder / f"{name}.inputs.npz", **x)
        np.savez(folder / f"{name}.expected.npz", **dict(zip(keys, y)))
        print(f"nonfinite {name}: {sum(int(np.sum(~np.isfinite(o))) for o in y)} non-finite outputs")


def model_fixtures(names, dlc):
    folder = FIXTURES / "models"
    folder.mkdir(parents=True, exist_ok=True)
    for build in keras_reference.MODELS:
        name = build.__name__
        if names and name not in names:
            continue
        keras.utils.clear_session()
        model = build()
        weights_path = folder / f"{name}.tmp.safetensors"
        subprocess.run([dlc, "init", str(ROOT / "graphs" / f"{name}.dl"), "-o", str(weights_path),
                        "--seed", str(MODEL_SEED)], check=True, capture_output=True)
        weights = read_safetensors(weights_path)
        weights_path.unlink()
        for layer in model.layers:
            for weight in layer.weights:
                weight.assign(weights[dlc_key(layer, weight)])
        settle(model)
        rng = np.random.default_rng(MODEL_SEED)
        big = any(int(np.prod(t.shape[1:])) > 100_000 for t in model.inputs)
        vocabulary = min((l.input_dim for l in model.layers if isinstance(l, keras.layers.Embedding)), default=10)
        x = random_inputs(model, rng, batch=1 if big else 2, vocabulary=vocabulary)
        y = run(model, x)
        np.savez(folder / f"{name}.inputs.npz", **x)
        np.savez(folder / f"{name}.expected.npz", **dict(zip(output_names(model), y)))
        print(f"model {name}: outputs {[o.shape for o in y]}")


def main(arguments):
    all_kinds = ("layers", "nonfinite", "models")
    kinds = [a for a in arguments if a in all_kinds] or list(all_kinds)
    names = [a for a in arguments if a not in all_kinds]
    if "layers" in kinds:
        layer_fixtures(names)
    if "nonfinite" in kinds:
        nonfinite_fixtures(names)
    if "models" in kinds:
        dlc = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip() + "/dlc"
        model_fixtures(names, dlc)


if __name__ == "__main__":
    main(sys.argv[1:])
