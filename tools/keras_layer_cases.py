#!/usr/bin/env python3
"""Records what Keras 3 says about each layer case: output shapes, parameter counts and weights.

Every tier-1 layer appears here with non-default arguments. Each case is written twice, as a
.dl call and as the Keras layer, and the expectations go to Tests/Golden/layers/cases.json,
which DLCLayersTests replays through dlc. Run by hand, not by CI:

  KERAS_BACKEND=jax python3 tools/keras_layer_cases.py
"""

import json
import os
import re
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Golden" / "layers" / "cases.json"
CASES = []


def case(name, inputs, call, build, dtype="float32"):
    """inputs: .dl shapes such as "[15, 15, 3]" (an "i32" prefix for token ids)."""
    CASES.append((name, inputs, call, build))


def position_embedding(length):
    import keras_hub

    return keras_hub.layers.PositionEmbedding(length)


# Core
case("dense", ["[16]"], "Dense(8)", lambda: L.Dense(8))
case("dense_no_bias_relu", ["[16]"], 'Dense(8, use_bias=false, activation="relu")',
     lambda: L.Dense(8, use_bias=False, activation="relu"))
case("dense_sequence", ["[5, 16]"], "Dense(4)", lambda: L.Dense(4))
case("dense_feature_map", ["[3, 4, 5]"], "Dense(6)", lambda: L.Dense(6))
case("dense_frozen", ["[6]"], "Dense(3, trainable=false)", lambda: L.Dense(3, trainable=False))
case("activation_gelu", ["[10]"], 'Activation("gelu")', lambda: L.Activation("gelu"))
case("activation_swish", ["[10]"], "Activation(swish)", lambda: L.Activation("swish"))
case("activation_hard_swish", ["[10]"], 'Activation("hard_swish")', lambda: L.Activation("hard_swish"))
case("flatten", ["[4, 5, 6]"], "Flatten()", lambda: L.Flatten())
case("reshape_inferred", ["[4, 6]"], "Reshape((3, -1))", lambda: L.Reshape((3, -1)))
case("reshape", ["[24]"], "Reshape((2, 3, 4))", lambda: L.Reshape((2, 3, 4)))
case("permute", ["[4, 5, 6]"], "Permute((3, 1, 2))", lambda: L.Permute((3, 1, 2)))
case("repeat_vector", ["[7]"], "RepeatVector(3)", lambda: L.RepeatVector(3))
case("rescaling", ["[4, 4, 3]"], "Rescaling(0.00392156862745098, offset=-1)",
     lambda: L.Rescaling(1 / 255, offset=-1))
case("dropout", ["[10]"], "Dropout(0.3, seed=7)", lambda: L.Dropout(0.3, seed=7))
case("spatial_dropout1d", ["[8, 4]"], "SpatialDropout1D(0.2)", lambda: L.SpatialDropout1D(0.2))
case("spatial_dropout2d", ["[8, 8, 4]"], "SpatialDropout2D(0.2)", lambda: L.SpatialDropout2D(0.2))
case("gaussian_noise", ["[10]"], "GaussianNoise(0.1)", lambda: L.GaussianNoise(0.1))
case("gaussian_dropout", ["[10]"], "GaussianDropout(0.2)", lambda: L.GaussianDropout(0.2))

# Convolution
case("conv1d_strided", ["[20, 3]"], "Conv1D(4, 5, strides=2)", lambda: L.Conv1D(4, 5, strides=2))
case("conv1d_causal_dilated", ["[20, 3]"], 'Conv1D(4, 3, padding="causal", dilation_rate=2)',
     lambda: L.Conv1D(4, 3, padding="causal", dilation_rate=2))
case("conv1d_groups", ["[20, 6]"], 'Conv1D(6, 3, padding="same", groups=3, use_bias=false)',
     lambda: L.Conv1D(6, 3, padding="same", groups=3, use_bias=False))
case("conv2d_rect_strided", ["[15, 15, 3]"], "Conv2D(8, (3, 5), strides=(2, 1))",
     lambda: L.Conv2D(8, (3, 5), strides=(2, 1)))
case("conv2d_dilated_no_bias", ["[15, 15, 3]"], "Conv2D(8, 3, dilation_rate=2, use_bias=false)",
     lambda: L.Conv2D(8, 3, dilation_rate=2, use_bias=False))
case("conv2d_same_strided", ["[15, 15, 3]"], 'Conv2D(4, 3, padding="same", strides=2)',
     lambda: L.Conv2D(4, 3, padding="same", strides=2))
case("conv2d_groups", ["[8, 8, 4]"], "Conv2D(6, 3, groups=2)", lambda: L.Conv2D(6, 3, groups=2))
case("conv2d_transpose_valid", ["[7, 7, 4]"], "Conv2DTranspose(8, 3, strides=2)",
     lambda: L.Conv2DTranspose(8, 3, strides=2))
case("conv2d_transpose_same", ["[7, 7, 4]"], 'Conv2DTranspose(8, 3, strides=2, padding="same")',
     lambda: L.Conv2DTranspose(8, 3, strides=2, padding="same"))
case("conv2d_transpose_output_padding", ["[7, 7, 4]"],
     'Conv2DTranspose(8, 4, strides=2, padding="same", output_padding=1, use_bias=false)',
     lambda: L.Conv2DTranspose(8, 4, strides=2, padding="same", output_padding=1, use_bias=False))
case("conv2d_transpose_dilated", ["[7, 7, 4]"], "Conv2DTranspose(8, 3, dilation_rate=2)",
     lambda: L.Conv2DTranspose(8, 3, dilation_rate=2))
case("depthwise_conv2d_multiplier", ["[9, 9, 4]"], "DepthwiseConv2D(3, depth_multiplier=2)",
     lambda: L.DepthwiseConv2D(3, depth_multiplier=2))
case("depthwise_conv2d_strided", ["[9, 9, 4]"], 'DepthwiseConv2D((3, 3), strides=2, padding="same", use_bias=false)',
     lambda: L.DepthwiseConv2D((3, 3), strides=2, padding="same", use_bias=False))
case("separable_conv2d_multiplier", ["[9, 9, 4]"], "SeparableConv2D(8, 3, depth_multiplier=2)",
     lambda: L.SeparableConv2D(8, 3, depth_multiplier=2))
case("separable_conv2d_strided", ["[9, 9, 4]"], 'SeparableConv2D(8, 3, strides=2, padding="same", use_bias=false)',
     lambda: L.SeparableConv2D(8, 3, strides=2, padding="same", use_bias=False))

# Pooling
case("max_pooling1d_strided", ["[11, 3]"], "MaxPooling1D(3, strides=2)", lambda: L.MaxPooling1D(3, strides=2))
case("max_pooling1d_same", ["[11, 3]"], 'MaxPooling1D(padding="same")', lambda: L.MaxPooling1D(padding="same"))
case("max_pooling2d_rect", ["[11, 9, 3]"], "MaxPooling2D((3, 2), strides=(2, 1))",
     lambda: L.MaxPooling2D((3, 2), strides=(2, 1)))
case("max_pooling2d_same", ["[11, 9, 3]"], 'MaxPooling2D(2, padding="same")', lambda: L.MaxPooling2D(2, padding="same"))
case("average_pooling1d", ["[11, 3]"], "AveragePooling1D(4, strides=3)", lambda: L.AveragePooling1D(4, strides=3))
case("average_pooling2d_same", ["[11, 9, 3]"], 'AveragePooling2D(3, strides=2, padding="same")',
     lambda: L.AveragePooling2D(3, strides=2, padding="same"))
case("global_max_pooling1d_keepdims", ["[11, 3]"], "GlobalMaxPooling1D(keepdims=true)",
     lambda: L.GlobalMaxPooling1D(keepdims=True))
case("global_max_pooling2d", ["[11, 9, 3]"], "GlobalMaxPooling2D()", lambda: L.GlobalMaxPooling2D())
case("global_average_pooling1d", ["[11, 3]"], "GlobalAveragePooling1D()", lambda: L.GlobalAveragePooling1D())
case("global_average_pooling2d_keepdims", ["[11, 9, 3]"], "GlobalAveragePooling2D(keepdims=true)",
     lambda: L.GlobalAveragePooling2D(keepdims=True))

# Resizing
case("up_sampling1d", ["[5, 3]"], "UpSampling1D(size=3)", lambda: L.UpSampling1D(size=3))
case("up_sampling2d_rect", ["[5, 4, 3]"], "UpSampling2D(size=(2, 3))", lambda: L.UpSampling2D(size=(2, 3)))
case("up_sampling2d_bilinear", ["[5, 4, 3]"], 'UpSampling2D(interpolation="bilinear")',
     lambda: L.UpSampling2D(interpolation="bilinear"))
case("zero_padding1d", ["[5, 3]"], "ZeroPadding1D(padding=(1, 2))", lambda: L.ZeroPadding1D(padding=(1, 2)))
case("zero_padding2d_asymmetric", ["[5, 4, 3]"], "ZeroPadding2D(padding=((1, 2), (3, 4)))",
     lambda: L.ZeroPadding2D(padding=((1, 2), (3, 4))))
case("zero_padding2d_pair", ["[5, 4, 3]"], "ZeroPadding2D((2, 1))", lambda: L.ZeroPadding2D((2, 1)))
case("cropping1d", ["[8, 3]"], "Cropping1D(cropping=(1, 2))", lambda: L.Cropping1D(cropping=(1, 2)))
case("cropping2d_asymmetric", ["[8, 9, 3]"], "Cropping2D(cropping=((1, 2), (0, 3)))",
     lambda: L.Cropping2D(cropping=((1, 2), (0, 3))))
case("cropping2d_int", ["[8, 9, 3]"], "Cropping2D(1)", lambda: L.Cropping2D(1))

# Normalization
case("batch_normalization", ["[8, 8, 4]"], "BatchNormalization()", lambda: L.BatchNormalization())
case("normalization", ["[6, 6, 3]"], "Normalization()", lambda: L.Normalization())
case("normalization_given_invert", ["[5, 4]"],
     "Normalization(mean=(0.5, -1, 2, 0), variance=(4, 1, 0.25, 2), invert=true)",
     lambda: L.Normalization(mean=[0.5, -1, 2, 0], variance=[4, 1, 0.25, 2], invert=True))
case("normalization_axis1_scalar", ["[4, 6]"], "Normalization(axis=1, mean=2.0, variance=9.0)",
     lambda: L.Normalization(axis=1, mean=2.0, variance=9.0))
case("batch_normalization_axis1_no_center", ["[5, 7]"], "BatchNormalization(axis=1, center=false)",
     lambda: L.BatchNormalization(axis=1, center=False))
case("batch_normalization_no_scale", ["[6]"], "BatchNormalization(scale=false, epsilon=1e-5)",
     lambda: L.BatchNormalization(scale=False, epsilon=1e-5))
case("layer_normalization", ["[5, 6]"], "LayerNormalization(epsilon=1e-6)", lambda: L.LayerNormalization(epsilon=1e-6))
case("layer_normalization_two_axes", ["[5, 6]"], "LayerNormalization(axis=(1, 2))",
     lambda: L.LayerNormalization(axis=(1, 2)))
case("layer_normalization_rms", ["[5, 6]"], "LayerNormalization(rms_scaling=true)",
     lambda: L.LayerNormalization(rms_scaling=True))
case("layer_normalization_no_center", ["[5, 6]"], "LayerNormalization(center=false)",
     lambda: L.LayerNormalization(center=False))

# Embeddings
case("embedding", ["i32[7]"], "Embedding(50, 4)", lambda: L.Embedding(50, 4))
case("embedding_2d_mask", ["i32[3, 5]"], "Embedding(10, 2, mask_zero=true)", lambda: L.Embedding(10, 2, mask_zero=True))
case("position_embedding", ["[6, 4]"], "PositionEmbedding(10)", lambda: position_embedding(10))


def token_and_position_embedding(*arguments, **keywords):
    import keras_hub

    return keras_hub.layers.TokenAndPositionEmbedding(*arguments, **keywords)


def layer_scale(*arguments):
    from keras.src.applications.convnext import LayerScale

    return LayerScale(*arguments)


case("layer_scale", ["[4, 6]"], "LayerScale(1e-6, 6)", lambda: layer_scale(1e-6, 6))
case("token_and_position_embedding", ["i32[6]"], "TokenAndPositionEmbedding(50, 10, 8)",
     lambda: token_and_position_embedding(50, 10, 8))

# Recurrent
case("simple_rnn", ["[6, 3]"], "SimpleRNN(4)", lambda: L.SimpleRNN(4))
case("simple_rnn_sequences_state", ["[6, 3]"], "SimpleRNN(4, return_sequences=true, return_state=true)",
     lambda: L.SimpleRNN(4, return_sequences=True, return_state=True))
case("lstm_sequences", ["[6, 3]"], "LSTM(5, return_sequences=true)", lambda: L.LSTM(5, return_sequences=True))
case("lstm_state_no_bias", ["[6, 3]"], "LSTM(5, return_state=true, use_bias=false)",
     lambda: L.LSTM(5, return_state=True, use_bias=False))
case("gru", ["[6, 3]"], "GRU(4, dropout=0.2, recurrent_dropout=0.1)", lambda: L.GRU(4, dropout=0.2, recurrent_dropout=0.1))
case("gru_reset_before", ["[6, 3]"], "GRU(4, reset_after=false, return_sequences=true)",
     lambda: L.GRU(4, reset_after=False, return_sequences=True))
case("gru_state", ["[6, 3]"], "GRU(4, return_state=true)", lambda: L.GRU(4, return_state=True))
case("bidirectional_lstm", ["[6, 3]"], "Bidirectional(LSTM(4))", lambda: L.Bidirectional(L.LSTM(4)))
case("bidirectional_gru_sum", ["[6, 3]"], 'Bidirectional(GRU(3, return_sequences=true), merge_mode="sum")',
     lambda: L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum"))
case("bidirectional_lstm_state", ["[6, 3]"], "Bidirectional(LSTM(4, return_state=true))",
     lambda: L.Bidirectional(L.LSTM(4, return_state=True)))
case("bidirectional_rnn_ave", ["[6, 3]"], 'Bidirectional(SimpleRNN(3), merge_mode="ave")',
     lambda: L.Bidirectional(L.SimpleRNN(3), merge_mode="ave"))
case("bidirectional_no_merge", ["[6, 3]"], "Bidirectional(LSTM(2), merge_mode=none)",
     lambda: L.Bidirectional(L.LSTM(2), merge_mode=None))

# Attention
case("multi_head_attention", ["[6, 8]", "[4, 8]"], "MultiHeadAttention(2, 3)", lambda: L.MultiHeadAttention(2, 3))
case("multi_head_attention_key", ["[6, 8]", "[4, 5]", "[4, 7]"], "MultiHeadAttention(num_heads=3, key_dim=2)",
     lambda: L.MultiHeadAttention(num_heads=3, key_dim=2))
case("multi_head_attention_options", ["[6, 8]", "[4, 8]"],
     "MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, output_shape=5, use_bias=false)",
     lambda: L.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, output_shape=5, use_bias=False))

# Merge
for keras_name in ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]:
    case(keras_name.lower(), ["[4, 5]", "[4, 5]"], f"{keras_name}()", lambda n=keras_name: getattr(L, n)())
case("add_three", ["[3]", "[3]", "[3]"], "Add()", lambda: L.Add())


class Operation(keras.layers.Layer):
    """A Keras operation on a number (`x / 255.0`, `1.5 - x`) as a layer named as Keras names the
    operation in a functional model, which dlc writes as a layer with constant=."""

    def __init__(self, compute, name):
        super().__init__(name=name)
        self.compute = compute

    def call(self, x):
        return self.compute(x)


case("true_divide", ["[4, 5]"], "TrueDivide(constant=255.0)", lambda: Operation(lambda x: x / 255.0, "true_divide"))
case("subtract_constant_first", ["[4, 5]"], "Subtract(constant=1.5, constant_first=true)",
     lambda: Operation(lambda x: 1.5 - x, "subtract"))
case("multiply_constant", ["[4, 5]"], "Multiply(constant=-0.5)", lambda: Operation(lambda x: -0.5 * x, "multiply"))
case("add_broadcast", ["[4, 1]", "[4, 5]"], "Add()", lambda: L.Add())
case("concatenate", ["[4, 5]", "[4, 3]"], "Concatenate()", lambda: L.Concatenate())
case("concatenate_axis1", ["[4, 5]", "[2, 5]"], "Concatenate(axis=1)", lambda: L.Concatenate(axis=1))
case("dot_vectors", ["[5]", "[5]"], "Dot(axes=1)", lambda: L.Dot(axes=1))
case("dot_pair_axes", ["[3, 4]", "[5, 4]"], "Dot(axes=(2, 2))", lambda: L.Dot(axes=(2, 2)))
case("dot_normalized", ["[3, 4]", "[3, 6]"], "Dot(axes=1, normalize=true)", lambda: L.Dot(axes=1, normalize=True))

# Activation layers
case("relu_options", ["[10]"], "ReLU(max_value=6, negative_slope=0.1, threshold=0.5)",
     lambda: L.ReLU(max_value=6, negative_slope=0.1, threshold=0.5))
case("relu_default", ["[10]"], "ReLU()", lambda: L.ReLU())
case("relu_threshold", ["[10]"], "ReLU(threshold=0.5)", lambda: L.ReLU(threshold=0.5))
case("relu_max_value", ["[10]"], "ReLU(max_value=1.5)", lambda: L.ReLU(max_value=1.5))
case("relu_slope_max_value", ["[10]"], "ReLU(max_value=2, negative_slope=0.1)",
     lambda: L.ReLU(max_value=2, negative_slope=0.1))
case("leaky_relu", ["[10]"], "LeakyReLU(negative_slope=0.2)", lambda: L.LeakyReLU(negative_slope=0.2))
case("leaky_relu_alpha", ["[10]"], "LeakyReLU(alpha=0.1)", lambda: L.LeakyReLU(alpha=0.1))
case("prelu", ["[4, 4, 3]"], "PReLU()", lambda: L.PReLU())
case("prelu_shared", ["[4, 4, 3]"], "PReLU(shared_axes=(1, 2))", lambda: L.PReLU(shared_axes=(1, 2)))
case("elu", ["[10]"], "ELU(alpha=0.5)", lambda: L.ELU(alpha=0.5))
case("softmax_axis", ["[3, 4]"], "Softmax(axis=1)", lambda: L.Softmax(axis=1))

# Every activation function, for the interpreter's numerics (shapes and parameters are trivial).
for activation in ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "hard_sigmoid", "tanh",
                   "softmax", "log_softmax", "softplus", "softsign", "silu", "mish", "exponential", "hard_silu"]:
    case(f"activation_{activation}", ["[3, 5]"], f'Activation("{activation}")',
         lambda activation=activation: L.Activation(activation))
case("dense_softmax_sequence", ["[4, 6]"], 'Dense(5, activation="log_softmax")',
     lambda: L.Dense(5, activation="log_softmax"))
case("conv2d_tanh", ["[6, 6, 2]"], 'Conv2D(3, 3, activation="tanh", padding="same")',
     lambda: L.Conv2D(3, 3, activation="tanh", padding="same"))
case("lstm_backwards", ["[5, 3]"], "LSTM(4, go_backwards=true, return_sequences=true)",
     lambda: L.LSTM(4, go_backwards=True, return_sequences=True))
case("gru_relu_hard_sigmoid", ["[5, 3]"], 'GRU(4, activation="relu", recurrent_activation="hard_sigmoid")',
     lambda: L.GRU(4, activation="relu", recurrent_activation="hard_sigmoid"))
case("multi_head_attention_axes", ["[3, 4, 8]", "[3, 5, 8]"], "MultiHeadAttention(2, 4, attention_axes=2)",
     lambda: L.MultiHeadAttention(2, 4, attention_axes=2))
case("multi_head_attention_2d", ["[3, 4, 8]", "[2, 5, 8]"], "MultiHeadAttention(2, 4)",
     lambda: L.MultiHeadAttention(2, 4))
case("softmax_two_axes", ["[3, 4, 2]"], "Softmax(axis=(1, 2))", lambda: L.Softmax(axis=(1, 2)))
case("average_pooling2d_strided_same", ["[7, 7, 2]"], 'AveragePooling2D(3, strides=2, padding="same")',
     lambda: L.AveragePooling2D(3, strides=2, padding="same"))


# Added after the rest, so the earlier cases keep their random seeds (their index).
case("masking", ["[5, 3]"], "Masking(mask_value=0.25)", lambda: L.Masking(mask_value=0.25))
case("layer_normalization_apart", ["[3, 4, 2]"], "LayerNormalization(axis=(1, 3))",
     lambda: L.LayerNormalization(axis=(1, 3)))
case("group_normalization", ["[6, 6, 8]"], "GroupNormalization(groups=4)", lambda: L.GroupNormalization(groups=4))
case("group_normalization_instance", ["[5, 6]"], "GroupNormalization(groups=-1, epsilon=1e-5, center=false)",
     lambda: L.GroupNormalization(groups=-1, epsilon=1e-5, center=False))
case("group_normalization_axis1", ["[4, 3, 2]"], "GroupNormalization(groups=2, axis=1, scale=false)",
     lambda: L.GroupNormalization(groups=2, axis=1, scale=False))
case("unit_normalization", ["[5, 6]"], "UnitNormalization()", lambda: L.UnitNormalization())
case("unit_normalization_axes", ["[3, 4, 2]"], "UnitNormalization(axis=(1, 3))",
     lambda: L.UnitNormalization(axis=(1, 3)))
case("conv1d_transpose", ["[7, 3]"], "Conv1DTranspose(4, 3, strides=2)", lambda: L.Conv1DTranspose(4, 3, strides=2))
case("conv1d_transpose_same", ["[7, 3]"], 'Conv1DTranspose(4, 4, strides=2, padding="same", activation="relu")',
     lambda: L.Conv1DTranspose(4, 4, strides=2, padding="same", activation="relu"))
case("conv1d_transpose_output_padding", ["[6, 2]"],
     'Conv1DTranspose(3, 3, strides=3, padding="same", output_padding=1, use_bias=false)',
     lambda: L.Conv1DTranspose(3, 3, strides=3, padding="same", output_padding=1, use_bias=False))
case("conv1d_transpose_dilated", ["[6, 2]"], "Conv1DTranspose(3, 3, dilation_rate=2)",
     lambda: L.Conv1DTranspose(3, 3, dilation_rate=2))


def shape_list(tensor):
    return [None if d is None else int(d) for d in tensor.shape]

def dlc_weight_name(path, layer_name):
    """Keras' variable.path below the layer, with the recurrent cell dropped and Bidirectional's
    inner layers named forward/backward (spec §3)."""
    parts = path.split("/")
    if parts and parts[0] == layer_name:
        parts = parts[1:]
    renamed = []
    for part in parts:
        if part.endswith("_cell") or re.fullmatch(r".*_cell(_\d+)?", part):
            continue
        if part.startswith("forward_"):
            part = "forward"
        elif part.startswith("backward_"):
            part = "backward"
        elif re.fullmatch(r"variable_\d+", part):
            part = "variable"  # Keras numbers unnamed variables across the session (LayerScale's)
        renamed.append(part)
    return "/".join(renamed)


def record(name, inputs, call, build):
    from keras import tree

    keras.utils.clear_session()
    tensors = []
    for index, spec in enumerate(inputs):
        dtype = "int32" if spec.startswith("i32") else "float32"
        dims = json.loads(spec.removeprefix("i32"))
        tensors.append(keras.Input(tuple(dims), name=f"x{index}", dtype=dtype))
    layer = build()
    if isinstance(layer, L.MultiHeadAttention):
        outputs = layer(*tensors)
    elif len(tensors) > 1:
        outputs = layer(tensors)
    else:
        outputs = layer(tensors[0])
    outputs = tree.flatten(outputs)
    weights = [{"name": dlc_weight_name(w.path, layer.name), "shape": [int(d) for d in w.shape],
                "trainable": w.trainable} for w in layer.weights]
    return {"name": name, "inputs": inputs, "call": call,
            "output_shapes": [shape_list(t) for t in outputs],
            "params": layer.count_params(),
            "trainable_params": sum(int(__import__("math").prod(w["shape"])) for w in weights if w["trainable"]),
            "weights": weights}


def main():
    results = [record(*c) for c in CASES]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1) + "\n")
    print(f"{len(results)} layer cases written to {OUT}")


if __name__ == "__main__":
    main()
