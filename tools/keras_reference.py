#!/usr/bin/env python3
"""Builds every graphs/ model in Keras 3 and records what Keras says about it.

For each model this writes, under Tests/Golden/models/ (and Tests/Golden/summary/ for the
extra summary cases):
  <model>.keras.json  the summary in dlc's JSON schema (layer names, types, output shapes,
                      parameter counts, inputs), as Keras computes it;
  <model>.keras.txt   Keras' own model.summary() table at its default line length.

The models are written here a second time, independently of the .dl files, so the tests
compare dlc against Keras rather than against itself. Run by hand, not by CI:

  pip install keras jax keras-hub
  KERAS_BACKEND=jax python3 tools/keras_reference.py
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
# Keras sizes its table to the terminal; a wide one gives its default line length (88 / 108).
os.environ["COLUMNS"] = "200"

import keras  # noqa: E402
from keras import layers as L  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Golden" / "models"


def position_embedding(sequence_length):
    import keras_hub

    return keras_hub.layers.PositionEmbedding(sequence_length)


def sequential(name, input_name, shape, stack, dtype="float32"):
    return keras.Sequential([keras.Input(shape, name=input_name, dtype=dtype)] + stack, name=name)


def mlp_iris():
    return sequential("mlp_iris", "measurements", (4,), [
        L.Dense(50, activation="relu"), L.Dense(12, activation="relu"), L.Dense(3, activation="softmax")])


def cifar10_fcn():
    return sequential("cifar10_fcn", "image", (32, 32, 3), [
        L.Flatten(), L.Dense(1024, activation="relu"), L.Dense(512, activation="relu"),
        L.Dense(256, activation="relu"), L.Dense(10, activation="softmax")])


def mnist_cnn():
    return sequential("mnist_cnn", "image", (28, 28, 1), [
        L.Conv2D(32, 3, padding="same", activation="relu"), L.MaxPooling2D(2),
        L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
        L.Dense(100, activation="relu"), L.Dense(50, activation="relu"), L.Dense(10, activation="softmax")])


def cifar10_cnn():
    stack = []
    for filters in (32, 64, 128):
        stack += [
            L.Conv2D(filters, 3, padding="same", activation="relu"), L.BatchNormalization(),
            L.Conv2D(filters, 3, padding="same", activation="relu"), L.BatchNormalization(),
            L.MaxPooling2D(2), L.Dropout(0.2)]
    stack += [L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(10, activation="softmax")]
    return sequential("cifar10_cnn", "image", (32, 32, 3), stack)


def conv_autoencoder():
    return sequential("conv_autoencoder", "image", (28, 28, 1), [
        L.Conv2D(32, 3, padding="same", activation="relu"), L.MaxPooling2D(2, padding="same"),
        L.Conv2D(32, 3, padding="same", activation="relu"), L.MaxPooling2D(2, padding="same"),
        L.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
        L.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
        L.Conv2D(1, 3, padding="same", activation="sigmoid")])


def denoising_autoencoder():
    return sequential("denoising_autoencoder", "noisy", (28, 28, 1), [
        L.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        L.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
        L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu"),
        L.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
        L.Conv2D(1, 3, padding="same", activation="sigmoid")])


def fraud_autoencoder():
    return sequential("fraud_autoencoder", "transaction", (30,), [
        L.Dense(14, activation="tanh", activity_regularizer=keras.regularizers.L1(1e-5)),
        L.Dense(7, activation="relu"), L.Dense(7, activation="tanh"), L.Dense(14, activation="relu"), L.Dense(30)])


def text_cnn():
    return sequential("text_cnn", "tokens", (200,), [
        L.Embedding(20000, 128), L.Dropout(0.5),
        L.Conv1D(128, 7, padding="valid", activation="relu", strides=3),
        L.Conv1D(128, 7, padding="valid", activation="relu", strides=3),
        L.GlobalMaxPooling1D(), L.Dense(128, activation="relu"), L.Dropout(0.5), L.Dense(1, activation="sigmoid")],
        dtype="int32")


def text_lstm():
    return sequential("text_lstm", "tokens", (200,), [
        L.Embedding(20000, 128), L.LSTM(64), L.Dense(1, activation="sigmoid")], dtype="int32")


def transformer_text():
    tokens = keras.Input((200,), name="tokens", dtype="int32")
    embedded = L.Embedding(20000, 32)(tokens)
    positions = position_embedding(200)(embedded)
    x = L.Add()([embedded, positions])
    attended = L.MultiHeadAttention(num_heads=2, key_dim=32)(x, x)
    attended = L.Dropout(0.1)(attended)
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, attended]))
    # One layer per statement: Keras names a layer when it is constructed, so nesting
    # constructors would name the outer (later) Dense first.
    transformed = L.Dense(32, activation="relu")(x)
    transformed = L.Dense(32)(transformed)
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, transformed]))
    x = L.GlobalAveragePooling1D()(x)
    x = L.Dropout(0.1)(x)
    x = L.Dense(20, activation="relu")(x)
    return keras.Model(tokens, L.Dense(2, activation="softmax")(x), name="transformer_text")


def resnet8_cifar():
    def branch(x, filters, strides=1):
        x = L.Conv2D(filters, 3, strides=strides, padding="same")(x)
        x = L.Activation("relu")(L.BatchNormalization()(x))
        return L.BatchNormalization()(L.Conv2D(filters, 3, padding="same")(x))

    def identity_block(x, filters):
        h = branch(x, filters)
        return L.Activation("relu")(L.Add()([h, x]))

    def projection_block(x, filters, strides):
        h = branch(x, filters, strides)
        shortcut = L.Conv2D(filters, 1, strides=strides, padding="same")(x)
        return L.Activation("relu")(L.Add()([h, shortcut]))

    image = keras.Input((32, 32, 3), name="image")
    x = L.Activation("relu")(L.BatchNormalization()(L.Conv2D(16, 3, padding="same")(image)))
    x = projection_block(projection_block(identity_block(x, 16), 32, 2), 64, 2)
    x = L.Dense(10, activation="softmax")(L.GlobalAveragePooling2D()(x))
    return keras.Model(image, x, name="resnet8_cifar")


def lenet5():
    return sequential("lenet5", "image", (32, 32, 1), [
        L.Conv2D(6, 5, activation="tanh"), L.AveragePooling2D(2), L.Conv2D(16, 5, activation="tanh"),
        L.AveragePooling2D(2), L.Flatten(), L.Dense(120, activation="tanh"), L.Dense(84, activation="tanh"),
        L.Dense(10, activation="softmax")])


def vgg16():
    reference = keras.applications.VGG16(weights=None)
    # Rebuilt as a Sequential so the table has Keras' chain layout; the layers are keras.applications'.
    stack = [layer.__class__.from_config(layer.get_config()) for layer in reference.layers[1:]]
    return sequential("vgg16", "image", (224, 224, 3), stack)


def alexnet():
    return sequential("alexnet", "image", (227, 227, 3), [
        L.Conv2D(96, 11, strides=4, activation="relu"), L.MaxPooling2D(3, strides=2),
        L.Conv2D(256, 5, padding="same", activation="relu"), L.MaxPooling2D(3, strides=2),
        L.Conv2D(384, 3, padding="same", activation="relu"), L.Conv2D(384, 3, padding="same", activation="relu"),
        L.Conv2D(256, 3, padding="same", activation="relu"), L.MaxPooling2D(3, strides=2), L.Flatten(),
        L.Dense(4096, activation="relu"), L.Dropout(0.5), L.Dense(4096, activation="relu"), L.Dropout(0.5),
        L.Dense(1000, activation="softmax")])


def resnet18():
    def branch(x, filters, strides=1):
        x = L.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
        x = L.ReLU()(L.BatchNormalization()(x))
        return L.BatchNormalization()(L.Conv2D(filters, 3, padding="same", use_bias=False)(x))

    def basic(x, filters):
        h = branch(x, filters)
        return L.ReLU()(L.Add()([h, x]))

    def downsample(x, filters):
        h = branch(x, filters, 2)
        shortcut = L.BatchNormalization()(L.Conv2D(filters, 1, strides=2, use_bias=False)(x))
        return L.ReLU()(L.Add()([h, shortcut]))

    image = keras.Input((224, 224, 3), name="image")
    x = L.Conv2D(64, 7, strides=2, padding="same", use_bias=False)(image)
    x = L.MaxPooling2D(3, strides=2, padding="same")(L.ReLU()(L.BatchNormalization()(x)))
    x = basic(basic(x, 64), 64)
    for filters in (128, 256, 512):
        x = basic(downsample(x, filters), filters)
    x = L.Dense(1000, activation="softmax")(L.GlobalAveragePooling2D()(x))
    return keras.Model(image, x, name="resnet18")


def image_tabular():
    image = keras.Input((64, 64, 3), name="image")
    features = keras.Input((10,), name="features")
    visual = L.Conv2D(16, 3, activation="relu")(image)
    visual = L.Conv2D(32, 3, activation="relu")(L.MaxPooling2D(2)(visual))
    visual = L.GlobalAveragePooling2D()(visual)
    tabular = L.Dense(16, activation="relu")(features)
    x = L.Dense(32, activation="relu")(L.Concatenate()([visual, tabular]))
    return keras.Model([image, features], L.Dense(1, activation="sigmoid")(x), name="image_tabular")


# Tests/Golden/summary/ cases: graphs that exercise several outputs, wrappers, attention variants and blocks.
def recurrent_states():
    tokens = keras.Input((12,), name="tokens", dtype="int32")
    embedded = L.Embedding(100, 8)(tokens)
    sequence, hidden, cell = L.LSTM(6, return_sequences=True, return_state=True)(embedded)
    context = L.Bidirectional(L.GRU(5))(sequence)
    summary = L.Concatenate()([hidden, cell])
    merged = L.Concatenate()([context, summary])
    return keras.Model(tokens, [L.Dense(3, activation="softmax")(merged), hidden], name="recurrent_states")


def attention_variants():
    query = keras.Input((6, 16), name="query")
    memory = keras.Input((10, 16), name="memory")
    keys = keras.Input((10, 8), name="keys")
    attended = L.MultiHeadAttention(num_heads=4, key_dim=8, value_dim=4, output_shape=16)(query, memory, keys)
    mixed = L.Average()([query, attended])
    scores = L.Dot(axes=(2, 2))([query, memory])
    gate = L.Multiply()([query, attended])
    gate = L.Activation("sigmoid")(gate)
    normalized = L.LayerNormalization()(mixed)
    flat = L.Flatten()(normalized)
    weights = L.Softmax()(scores)
    return keras.Model([query, memory, keys], [flat, weights, gate], name="attention_variants")


def mobile_blocks():
    # A single chain, so a Sequential model: dlc prints chains the way Keras prints Sequential models.
    def separable(filters, strides=1):
        return [L.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False),
                L.BatchNormalization(), L.ReLU(max_value=6),
                L.Conv2D(filters, 1, use_bias=False), L.BatchNormalization(), L.ReLU(max_value=6)]

    return keras.Sequential([
        keras.Input((64, 64, 3), name="image"),
        L.Rescaling(0.00784313725490196, offset=-1),
        L.ZeroPadding2D(((0, 1), (0, 1))),
        L.Conv2D(16, 3, strides=2, use_bias=False), L.BatchNormalization(), L.ReLU(max_value=6),
        *separable(32), *separable(64, 2),
        L.SeparableConv2D(64, 3, padding="same"),
        L.Conv2DTranspose(32, 3, strides=2, padding="same"),
        L.Cropping2D(((1, 1), (2, 2))), L.UpSampling2D(2),
        L.GlobalMaxPooling2D(), L.Dense(5, activation="softmax"),
    ], name="mobile_blocks")


def resnet_tiny():
    def residual(x, filters, strides=1):
        h = L.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
        h = L.ReLU()(L.BatchNormalization()(h))
        h = L.BatchNormalization()(L.Conv2D(filters, 3, padding="same", use_bias=False)(h))
        s = L.BatchNormalization()(L.Conv2D(filters, 1, strides=strides)(x))
        return L.ReLU()(L.Add()([h, s]))

    image = keras.Input((32, 32, 3), name="image")
    x = L.ReLU()(L.BatchNormalization()(L.Conv2D(16, 3, padding="same")(image)))
    x = residual(residual(x, 16), 32, strides=2)
    x = L.Dense(10, activation="softmax", name="logits")(L.GlobalAveragePooling2D()(x))
    return keras.Model(image, x, name="resnet_tiny")


def unused_layer():
    first, unused, last = L.Dense(4), L.Dense(3), L.Dense(2)  # `unused` is still named dense_1
    return keras.Sequential([keras.Input((8,), name="x"), first, last], name="unused_layer")


def nested_models():
    """Sequential models used as layers: named and auto-named, frozen, one inside another."""
    image = keras.Input((16, 16, 3), name="image")
    stem = keras.Sequential([L.Conv2D(8, 3, strides=2, name="stem_conv"), L.BatchNormalization()], name="stem")
    features = keras.Sequential([
        L.Conv2D(16, 3, padding="same"),
        keras.Sequential([L.Conv2D(16, 1), L.ReLU()], name="mixer"),
        L.GlobalAveragePooling2D(),
    ])
    features.trainable = False
    x = features(stem(image))
    head = keras.Sequential([L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")])
    side = L.Dense(3)(x)
    return keras.Model(image, [head(x), side], name="nested_models")


def nested_sequential():
    """A Sequential model whose first layer is a Sequential model, as Keras' data-augmentation examples build it."""
    preprocessing = keras.Sequential([L.Rescaling(1 / 255), L.Normalization(mean=0.5, variance=0.25)],
                                     name="preprocessing")
    return keras.Sequential([
        keras.Input((8, 8, 1), name="pixels"), preprocessing, L.Flatten(), L.Dense(4, activation="softmax"),
    ], name="nested_sequential")


def masked_functional():
    """Token masks in a functional model: Keras lists each Embedding's NotEqual operation as a row."""
    tokens = keras.Input((12,), dtype="int32", name="t")
    pooled = L.GlobalAveragePooling1D()(
        L.LSTM(3, return_sequences=True)(L.Dropout(0.1)(L.Embedding(50, 4, mask_zero=True)(tokens))))
    last = L.LSTM(3)(L.Embedding(50, 4, mask_zero=True)(tokens))
    return keras.Model(tokens, [pooled, last], name="masked_functional")


def variable_length():
    """Inputs with None dimensions: token sequences of any length, images of any size."""
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    image = keras.Input((None, None, 3), name="image")
    text = L.Conv1D(8, 5, strides=2, activation="relu")(L.Embedding(100, 16)(tokens))
    text = L.GlobalMaxPooling1D()(L.MaxPooling1D(2)(text))
    picture = L.Conv2D(4, 3, strides=2, padding="same")(image)
    picture = L.GlobalAveragePooling2D()(L.UpSampling2D()(picture))
    return keras.Model([tokens, image], L.Dense(2)(L.Concatenate()([text, picture])), name="variable_length")


def shared_layers():
    """Layers called more than once: Siamese towers, a shared embedding, one call's output a model output."""
    left = keras.Input((12, 12, 1), name="left")
    right = keras.Input((12, 12, 1), name="right")
    question = keras.Input((6,), dtype="int32", name="question")
    answer = keras.Input((6,), dtype="int32", name="answer")
    conv = L.Conv2D(4, 3, name="tower_conv")
    norm = L.BatchNormalization(name="tower_norm")
    pool = L.GlobalAveragePooling2D()
    towers = [pool(L.ReLU()(norm(conv(image)))) for image in (left, right)]
    embed = L.Embedding(30, 8, name="shared_embedding")
    encode = L.LSTM(5)
    texts = [encode(embed(tokens)) for tokens in (question, answer)]
    distance = L.Subtract()(towers)
    merged = L.Concatenate()([distance] + texts)
    return keras.Model([left, right, question, answer], [L.Dense(1, activation="sigmoid")(merged), towers[1]],
                       name="shared_layers")


def nested_functional():
    """Transfer learning as Keras' guide writes it: a functional base model, frozen, called as a layer."""
    base_input = keras.Input((12, 12, 3), name="base_input")
    h = L.ReLU()(L.BatchNormalization()(L.Conv2D(8, 3, strides=2, use_bias=False)(base_input)))
    g = L.Conv2D(8, 1)(h)
    base = keras.Model(base_input, L.Add()([h, g]), name="base")
    base.trainable = False
    image = keras.Input((12, 12, 3), name="image")
    x = L.GlobalAveragePooling2D()(base(image, training=False))
    return keras.Model(image, L.Dense(3, activation="softmax")(L.Dropout(0.2)(x)), name="nested_functional")


SUMMARY_CASES = [
    recurrent_states, attention_variants, mobile_blocks, resnet_tiny, unused_layer, nested_models, nested_sequential,
    masked_functional, variable_length, shared_layers, nested_functional,
]

MODELS = [
    mlp_iris, cifar10_fcn, mnist_cnn, cifar10_cnn, conv_autoencoder, denoising_autoencoder, fraud_autoencoder,
    text_cnn, text_lstm, transformer_text, resnet8_cifar, lenet5, vgg16, alexnet, resnet18, image_tabular,
]


def shape_list(tensor):
    return [None if d is None else int(d) for d in tensor.shape]


def count(weights):
    total = 0
    for weight in weights:
        size = 1
        for d in weight.shape:
            size *= int(d)
        total += size
    return total


def summary_json(model):
    from keras import tree

    layers = []
    # A functional model's operations include Keras operations on numbers (`x + 3.0`), which its
    # summary lists as rows although they are not layers.
    for layer in getattr(model, "operations", model.layers):
        if isinstance(layer, keras.layers.InputLayer):
            continue  # dlc lists inputs under "inputs", not "layers"
        node = layer._inbound_nodes[0]
        outputs = tree.flatten(node.output_tensors)
        weights = getattr(layer, "weights", [])
        trainable = getattr(layer, "trainable_weights", [])
        layers.append({
            "name": layer.name,
            "type": layer.__class__.__name__,
            "output_shape": shape_list(outputs[0]) if len(outputs) == 1 else [shape_list(t) for t in outputs],
            "params": count(weights),
            "trainable_params": count(trainable),
            "non_trainable_params": count(weights) - count(trainable),
            "inputs": [t._keras_history.operation.name for t in tree.flatten(node.input_tensors)],
        })
    inputs = [{"name": t._keras_history.operation.name, "shape": shape_list(t), "dtype": str(t.dtype)}
              for t in model.inputs]
    def output_name(tensor):
        history = tensor._keras_history
        produced = tree.flatten(history.operation._inbound_nodes[history.node_index].output_tensors)
        return history.operation.name + (f"[{history.tensor_index}]" if len(produced) > 1 else "")

    outputs = [output_name(t) for t in model.outputs]
    trainable = count(model.trainable_weights)
    non_trainable = count(model.non_trainable_weights)
    return {"name": model.name, "layers": layers, "inputs": inputs, "outputs": outputs,
            "total_params": trainable + non_trainable, "trainable_params": trainable,
            "non_trainable_params": non_trainable}


def main(names):
    for folder, builders in [(OUT, MODELS), (OUT.parent / "summary", SUMMARY_CASES)]:
        folder.mkdir(parents=True, exist_ok=True)
        for build in builders:
            if names and build.__name__ not in names:
                continue
            keras.utils.clear_session()  # auto-names start again from `dense`, `conv2d`, ...
            model = build()
            (folder / f"{build.__name__}.keras.json").write_text(json.dumps(summary_json(model), indent=1) + "\n")
            lines = []
            model.summary(print_fn=lambda text, line_break=True: lines.append(text))
            (folder / f"{build.__name__}.keras.txt").write_text("".join(lines))
            print(f"{build.__name__}: {model.count_params():,} parameters")


if __name__ == "__main__":
    main(set(sys.argv[1:]))
