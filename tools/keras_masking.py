#!/usr/bin/env python3
"""Masking fixtures from Keras 3: small models whose padded inputs carry a Keras mask.

Each case is written twice, as .dl source and as the Keras model; Keras builds it with random
weights and runs it on padded inputs (post-padding, pre-padding, no padding). Run by hand, not by CI
(needs `pip install keras jax numpy`):

  KERAS_BACKEND=jax python3 tools/keras_masking.py

Written to Tests/Fixtures/masking/:
  <case>.dl              the model, as dlc reads it
  <case>.safetensors     the weights, with dlc's keys
  <case>.inputs.npz      the padded inputs, keyed by input name
  <case>.expected.npz    Keras' outputs, keyed by dlc's output names
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras_fixtures import dlc_key, output_names, random_value, run, write_safetensors  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "masking"
CASES = []


def case(name, source, build):
    CASES.append((name, source, build))


def tokens(steps):
    return keras.Input((steps,), dtype="int32", name="tokens")


def sequential(inputs, *layers):
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


case("embedding_lstm", """model embedding_lstm
input tokens: i32[8]
output tokens
  -> Embedding(1000, 16, mask_zero=true)
  -> LSTM(8)
  -> Dense(1)
""", lambda: sequential(tokens(8), L.Embedding(1000, 16, mask_zero=True), L.LSTM(8), L.Dense(1)))

case("embedding_gru_average", """model embedding_gru_average
input tokens: i32[7]
output tokens
  -> Embedding(30, 6, mask_zero=true)
  -> GRU(5, return_sequences=true)
  -> GlobalAveragePooling1D()
""", lambda: sequential(tokens(7), L.Embedding(30, 6, mask_zero=True), L.GRU(5, return_sequences=True),
                        L.GlobalAveragePooling1D()))

case("embedding_gru_reset_before", """model embedding_gru_reset_before
input tokens: i32[6]
output tokens
  -> Embedding(30, 4, mask_zero=true)
  -> GRU(3, reset_after=false, go_backwards=true)
""", lambda: sequential(tokens(6), L.Embedding(30, 4, mask_zero=True), L.GRU(3, reset_after=False, go_backwards=True)))

case("embedding_rnn_stack", """model embedding_rnn_stack
input tokens: i32[9]
output tokens
  -> Embedding(40, 5, mask_zero=true)
  -> SimpleRNN(4, return_sequences=true, go_backwards=true)
  -> Dense(6, activation="relu")
  -> LSTM(3, return_sequences=true)
""", lambda: sequential(tokens(9), L.Embedding(40, 5, mask_zero=True),
                        L.SimpleRNN(4, return_sequences=True, go_backwards=True), L.Dense(6, activation="relu"),
                        L.LSTM(3, return_sequences=True)))

case("embedding_bidirectional_sequences", """model embedding_bidirectional_sequences
input tokens: i32[7]
output tokens
  -> Embedding(25, 4, mask_zero=true)
  -> Bidirectional(LSTM(3, return_sequences=true))
  -> LayerNormalization()
  -> GlobalAveragePooling1D()
""", lambda: sequential(tokens(7), L.Embedding(25, 4, mask_zero=True),
                        L.Bidirectional(L.LSTM(3, return_sequences=True)), L.LayerNormalization(),
                        L.GlobalAveragePooling1D()))

case("embedding_bidirectional_last", """model embedding_bidirectional_last
input tokens: i32[6]
output tokens
  -> Embedding(25, 4, mask_zero=true)
  -> Bidirectional(GRU(3), merge_mode="sum")
""", lambda: sequential(tokens(6), L.Embedding(25, 4, mask_zero=True), L.Bidirectional(L.GRU(3), merge_mode="sum")))

case("embedding_average", """model embedding_average
input tokens: i32[10]
output tokens
  -> Embedding(50, 8, mask_zero=true)
  -> Dropout(0.5)
  -> Dense(4, activation="tanh")
  -> GlobalAveragePooling1D()
""", lambda: sequential(tokens(10), L.Embedding(50, 8, mask_zero=True), L.Dropout(0.5),
                        L.Dense(4, activation="tanh"), L.GlobalAveragePooling1D()))


def masking_lstm():
    x = keras.Input((6, 3), name="series")
    return sequential(x, L.Masking(mask_value=0.5), L.LSTM(4, return_sequences=True), L.Dense(2))


case("masking_lstm", """model masking_lstm
input series: [6, 3]
output series
  -> Masking(mask_value=0.5)
  -> LSTM(4, return_sequences=true)
  -> Dense(2)
""", masking_lstm)


def masking_dense():
    x = keras.Input((6, 3), name="series")
    return sequential(x, L.Masking(mask_value=0.5), L.Dense(2))


case("masking_dense", """model masking_dense
input series: [6, 3]
output series
  -> Masking(mask_value=0.5)
  -> Dense(2)
""", masking_dense)


def attention_self(causal):
    def build():
        t = tokens(7)
        x = L.Embedding(30, 8, mask_zero=True)(t)
        a = L.MultiHeadAttention(2, 4)(x, x, use_causal_mask=causal)
        return keras.Model(t, L.GlobalAveragePooling1D()(a))
    return build


case("embedding_attention", """model embedding_attention
input tokens: i32[7]
x = tokens -> Embedding(30, 8, mask_zero=true)
a = (x, x) -> MultiHeadAttention(2, 4)
output a -> GlobalAveragePooling1D()
""", attention_self(False))

case("embedding_attention_causal", """model embedding_attention_causal
input tokens: i32[7]
x = tokens -> Embedding(30, 8, mask_zero=true)
a = (x, x) -> MultiHeadAttention(2, 4, use_causal_mask=true)
output a -> GlobalAveragePooling1D()
""", attention_self(True))


def attention_cross_key_mask():
    q = keras.Input((4, 6), name="queries")
    t = tokens(5)
    memory = L.Embedding(20, 6, mask_zero=True)(t)
    a = L.MultiHeadAttention(3, 2)(q, memory)
    return keras.Model([q, t], a)


case("attention_key_mask", """model attention_key_mask
input queries: [4, 6]
input tokens: i32[5]
memory = tokens -> Embedding(20, 6, mask_zero=true)
output (queries, memory) -> MultiHeadAttention(3, 2)
""", attention_cross_key_mask)


def padded_tokens(rng, shape, vocabulary):
    """Row 0 post-padded, row 1 pre-padded, row 2 unpadded; ids of kept steps are never 0."""
    batch, steps = shape
    ids = rng.integers(1, vocabulary, shape).astype(np.int32)
    ids[0, steps // 2:] = 0
    ids[1, :steps // 3 + 1] = 0
    return ids


def padded_series(rng, shape, value):
    x = rng.normal(0, 1, shape).astype(np.float32)
    x[0, 3:, :] = value
    x[1, :2, :] = value
    x[2, 2, :] = value
    return x


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for index, (name, source, build) in enumerate(CASES):
        keras.utils.clear_session()
        rng = np.random.default_rng(100 + index)
        model = build()
        weights = {}
        for layer in model.layers:
            for weight in layer.weights:
                value = random_value(weight, rng)
                weight.assign(value)
                weights[dlc_key(layer, weight)] = value
        inputs = {}
        for tensor in model.inputs:
            input_name = tensor._keras_history.operation.name
            shape = (3,) + tuple(int(d) for d in tensor.shape[1:])
            if "int" in str(tensor.dtype):
                vocabulary = next(l.input_dim for l in model.layers if isinstance(l, L.Embedding))
                inputs[input_name] = padded_tokens(rng, shape, vocabulary)
            else:
                inputs[input_name] = padded_series(rng, shape, 0.5)
        outputs = run(model, inputs)
        (OUT / f"{name}.dl").write_text(source)
        write_safetensors(OUT / f"{name}.safetensors", weights)
        np.savez(OUT / f"{name}.inputs.npz", **inputs)
        np.savez(OUT / f"{name}.expected.npz", **dict(zip(output_names(model), outputs)))
        print(f"masking {name}: outputs {[o.shape for o in outputs]}")


if __name__ == "__main__":
    main()
