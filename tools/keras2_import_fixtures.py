#!/usr/bin/env python3
"""Keras 2 whole-model .h5 files (tf.keras / tf_keras) for the importer's tests.

Keras 2 writes calls, weight names and some arguments differently from Keras 3 (nested call lists,
`kernel:0` names, `axis=[3]`, `alpha=` for LeakyReLU, MultiHeadAttention's `value=` keyword). Run
by hand, not by CI (needs `pip install tf_keras numpy`):

  python3 tools/keras2_import_fixtures.py

Writes Tests/Fixtures/import/keras2_<name>.h5 with random weights, and .inputs.npz/.expected.npz
(Keras 2's outputs, keyed by output layer name), which ImportedModelNumericsTests runs.
"""

import os
from pathlib import Path

os.environ["TF_USE_LEGACY_KERAS"] = "1"

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers as L  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "import"


def keras2_cnn():
    return keras.Sequential([
        keras.Input((28, 28, 1), name="image"), L.Conv2D(8, 3, padding="same", activation="relu"),
        L.BatchNormalization(), L.LeakyReLU(alpha=0.1), L.MaxPooling2D(2), L.Flatten(),
        L.Dense(10, activation="softmax")], name="keras2_cnn")


def keras2_functional():
    tokens = keras.Input((12,), name="tokens", dtype="int32")
    embedded = L.Embedding(50, 8)(tokens)
    sequence = L.Bidirectional(L.LSTM(4, return_sequences=True))(embedded)
    attended = L.MultiHeadAttention(2, 4)(sequence, sequence)
    pooled = L.GlobalAveragePooling1D()(L.Add()([sequence, attended]))
    return keras.Model(tokens, L.Dense(3, activation="softmax")(pooled), name="keras2_functional")


def main():
    rng = np.random.default_rng(0)
    for build in [keras2_cnn, keras2_functional]:
        keras.backend.clear_session()
        model = build()
        for weight in model.weights:
            value = rng.normal(0, 0.3, weight.shape)
            if "moving_variance" in weight.name:
                value = np.abs(value) + 0.5
            weight.assign(value)
        name = build.__name__
        model.save(OUT / f"{name}.h5")
        inputs = {}
        for tensor in model.inputs:
            shape = (2,) + tuple(tensor.shape[1:])
            layer = tensor.node.layer.name
            inputs[layer] = (rng.integers(0, 50, shape).astype(np.int32) if tensor.dtype.is_integer
                             else rng.normal(0, 1, shape).astype(np.float32))
        outputs = model.predict([inputs[t.node.layer.name] for t in model.inputs], verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        np.savez(OUT / f"{name}.inputs.npz", **inputs)
        np.savez(OUT / f"{name}.expected.npz", **dict(zip(model.output_names, outputs)))
        print(f"{name}: {(OUT / f'{name}.h5').stat().st_size:,} bytes, outputs {[o.shape for o in outputs]}")


if __name__ == "__main__":
    main()
