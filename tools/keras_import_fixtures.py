#!/usr/bin/env python3
"""Keras model files for the importer's tests (`dlc import`, and every command reading a .keras file).

Run by hand, not by CI (needs `pip install keras jax keras-hub numpy`):

  KERAS_BACKEND=jax python3 tools/keras_import_fixtures.py [NAME...]

Writes Tests/Fixtures/import/:
  <name>.config.json   for every graphs/ model and summary case (tools/keras_reference.py) and the
                       import cases below: the architecture exactly as a .keras archive holds it. The
                       tests import it and compare the summary with Keras' (the .keras.json/.keras.txt
                       references tools/keras_reference.py records, or the ones written here);
  applications.zip     the same for keras.applications models (app_*), with Keras' summaries
                       (.keras.json, .keras.txt), deflated (delete it to write it anew);
  <name>.keras         whole archives, for the models small enough to commit (under 600 KB), with
                       random trained-looking weights (batch-norm statistics too);
  <name>.h5            the same model saved as a legacy whole-model .h5 (LEGACY_H5 only);
  <name>.inputs.npz    inputs, and <name>.expected.npz Keras' outputs (keyed as dlc names outputs);
                       a model with a None dimension also gets <name>.short.{inputs,expected}.npz,
                       a batch of another length for the same file;
  hostile/             damaged and mismatched files made from mlp_iris.keras, for the error tests;
  app_*.inputs.npz, app_*.expected.npz   Keras' outputs of the keras.applications models with the
                       weights `dlc init --seed 1` gives their imported .dl and deterministic
                       batch-normalization statistics (`statistic`), which the tests draw again
                       (`numerics`: needs a release build of dlc).

  KERAS_BACKEND=jax python3 tools/keras_import_fixtures.py archives [app_NAME...]

checks the whole path for the keras.applications models, which CI cannot (their archives are up to
150 MB): each is saved with random weights, and `dlc run` of the archive on both backends is
compared with Keras. It prints one line per model and writes nothing.
"""

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ["COLUMNS"] = "200"

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_fixtures  # noqa: E402
import keras_reference  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "import"
MAX_ARCHIVE = 600 * 1024
LEGACY_H5 = {
    "mnist_cnn", "import_functional", "nested_models", "shared_layers", "nested_functional", "import_sequential_base",
    "import_functional_base",
}


def import_functional():
    # Built after another Dense, so its layers are dense_1, dense_2: names dlc must keep.
    L.Dense(1)
    x = keras.Input((16,), name="x")
    tokens = keras.Input((10,), dtype="int32", name="tokens")
    a = L.Dense(8)(x)
    b = L.Dense(8, use_bias=False, activation="tanh")(x)
    summed = L.Add()([a, b])
    embedded = L.Embedding(50, 8)(tokens)
    recurrent = L.Bidirectional(L.LSTM(4))(embedded)
    joined = L.Concatenate()([summed, recurrent])
    attended = L.MultiHeadAttention(2, 4)(embedded, embedded)
    pooled = L.GlobalAveragePooling1D()(attended)
    return keras.Model([x, tokens], [joined, L.Dense(3, activation="softmax", name="head")(pooled)],
                       name="import_functional")


def import_names():
    image = keras.Input((8, 8, 3), name="image")
    x = L.Conv2D(4, 3, name="stem.conv-1")(image)
    x = L.BatchNormalization(name="dense")(x)
    x = L.ReLU(max_value=6.0)(x)
    s, h, c = L.LSTM(5, return_sequences=True, return_state=True, name="lstm_7")(L.Reshape((36, 4))(x))
    y = L.Dense(4, name="dense_1")(L.Flatten()(s))
    return keras.Model(image, [y, h, c], name="import_names")


@keras.saving.register_keras_serializable(package="course")
class Scale(L.Layer):
    def call(self, x):
        return x * 2.0


def import_unsupported():
    image = keras.Input((8, 8, 3), name="image")
    x = L.Conv2D(4, 3, data_format="channels_first")(image)
    x = Scale()(x)
    x = L.Dense(4, lora_rank=2)(x)
    x = L.Conv2D(4, 3, dtype="float16")(x)
    return keras.Model(image, x, name="import_unsupported")


def import_masked_text():
    # keras_hub's token and position embedding with mask_zero, read by a bidirectional LSTM.
    import keras_hub

    tokens = keras.Input((12,), dtype="int32", name="tokens")
    embedded = keras_hub.layers.TokenAndPositionEmbedding(100, 16, 8, mask_zero=True)(tokens)
    encoded = L.Bidirectional(L.LSTM(4))(embedded)
    return keras.Model(tokens, L.Dense(2, activation="softmax")(encoded), name="import_masked_text")


def import_variable_text():
    # The IMDB example's shape: token sequences of any length (None), zero-padded, masked.
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    x = L.Embedding(200, 16, mask_zero=True)(tokens)
    x = L.Bidirectional(L.LSTM(8, return_sequences=True))(x)
    x = L.Bidirectional(L.LSTM(8))(x)
    return keras.Model(tokens, L.Dense(1, activation="sigmoid")(x), name="import_variable_text")


def import_operations():
    # Keras operations on a number in a functional model, written as Python writes them.
    pixels = keras.Input((6, 6, 1), name="pixels")
    x = pixels / 255.0
    x = 1.0 - x
    x = L.Conv2D(2, 3)(x)
    x = 0.5 * x + 0.25
    x = L.Flatten()(x)
    return keras.Model(pixels, L.Dense(3)(x) - 1.0, name="import_operations")


def nested_base():
    """A functional base model holding a Sequential model: archive groups two models deep."""
    inputs = keras.Input((8, 8, 3), name="base_input")
    stem = keras.Sequential([L.Conv2D(4, 3), L.BatchNormalization()], name="inner_stem")(inputs)
    return keras.Model(inputs, L.ReLU()(stem), name="base")


def import_sequential_base():
    # A Sequential model whose first layer is a functional model (`keras.Sequential([base_model, ...])`).
    return keras.Sequential([keras.Input((8, 8, 3), name="image"), nested_base(), L.GlobalAveragePooling2D(),
                             L.Dense(2)], name="import_sequential_base")


def import_functional_base():
    image = keras.Input((8, 8, 3), name="image")
    return keras.Model(image, L.Dense(2)(L.Flatten()(nested_base()(image))), name="import_functional_base")


def padded_tokens(rng, lengths, width):
    """Sequences of the given lengths, zero-padded to `width`, as keras.utils.pad_sequences makes them."""
    tokens = np.zeros((len(lengths), width), np.int32)
    for row, length in enumerate(lengths):
        tokens[row, :length] = rng.integers(1, 200, length)
    return tokens


IMPORT_CASES = [
    import_functional, import_names, import_unsupported, import_masked_text, import_variable_text, import_operations,
    import_sequential_base, import_functional_base,
]


def application(name, build, **arguments):
    """A keras.applications model, untrained (weights=None), at a small input size: the architecture is
    what the summary tests compare; the archives are too large to commit."""
    def builder():
        return build(weights=None, **arguments)
    builder.__name__ = name
    return builder


A = keras.applications
APPLICATIONS = [
    application("app_mobilenet", A.MobileNet, input_shape=(96, 96, 3)),
    application("app_mobilenet_v2", A.MobileNetV2, input_shape=(96, 96, 3)),
    application("app_mobilenet_v3_small", A.MobileNetV3Small, input_shape=(96, 96, 3)),
    application("app_mobilenet_v3_large", A.MobileNetV3Large, input_shape=(96, 96, 3)),
    application("app_resnet50", A.ResNet50, input_shape=(64, 64, 3)),
    application("app_resnet50_v2", A.ResNet50V2, input_shape=(64, 64, 3)),
    application("app_densenet121", A.DenseNet121, input_shape=(64, 64, 3)),
    application("app_efficientnet_b0", A.EfficientNetB0, input_shape=(64, 64, 3)),
    application("app_efficientnet_v2_b0", A.EfficientNetV2B0, input_shape=(64, 64, 3)),
    application("app_inception_v3", A.InceptionV3, input_shape=(75, 75, 3)),
    application("app_xception", A.Xception, input_shape=(71, 71, 3)),
    application("app_vgg16", A.VGG16, input_shape=(32, 32, 3)),
    application("app_nasnet_mobile", A.NASNetMobile, input_shape=(96, 96, 3)),
    application("app_convnext_tiny", A.ConvNeXtTiny, input_shape=(32, 32, 3)),
]


def random_value(weight, rng):
    """Weights scaled by fan-in, so deep models keep activations of order one and outputs unsaturated."""
    shape = tuple(int(d) for d in weight.shape)
    leaf = weight.path.split("/")[-1]
    if leaf in ("moving_variance", "gamma", "variance"):
        return rng.uniform(0.5, 1.5, shape)
    if leaf == "count":
        return np.array(100)
    if leaf in ("moving_mean", "beta", "bias", "mean"):
        return rng.normal(0, 0.1, shape)
    if leaf == "embeddings" or len(shape) < 2:
        return rng.normal(0, 1, shape)
    return rng.normal(0, 1 / np.sqrt(np.prod(shape[:-1])), shape)


# keras.applications models run against Keras with weights no file carries: `dlc init --seed 1` of
# the imported .dl (the test draws the same), batch-normalization statistics from `statistic`.
APPLICATION_NUMERICS = [build.__name__ for build in APPLICATIONS]


def leaf_layers(model):
    """The layers that hold weights, with those of nested models (ConvNeXt's Sequential stem) in place."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from leaf_layers(layer)
        else:
            yield layer


# Models without batch normalization whose ReLU layers would shrink dlc's Glorot-initialized
# activations to nothing (VGG16's logits all equal): their kernels are scaled by this (the test too).
KERNEL_GAIN = {"app_vgg16": 1.5}


def statistic(leaf, index):
    """Deterministic, unsaturating moving statistics (the tests compute the same numbers)."""
    if leaf == "moving_mean":
        return 0.2 * np.sin(index + 1.0)
    return 0.75 + 0.25 * (1.0 + np.sin(3.0 * index + 2.0))


def application_numerics(names, dlc):
    for build in APPLICATIONS:
        name = build.__name__
        if name not in APPLICATION_NUMERICS or (names and name not in names):
            continue
        keras.utils.clear_session()
        model = build()
        with tempfile.TemporaryDirectory() as scratch:
            weights_path = Path(scratch) / "w.safetensors"
            subprocess.run([dlc, "init", str(ROOT / "Tests" / "Golden" / "import" / f"{name}.dl"), "-o",
                            str(weights_path), "--seed", "1"], check=True, capture_output=True)
            weights = keras_fixtures.read_safetensors(weights_path)
        for layer in leaf_layers(model):
            for weight in layer.weights:
                leaf = weight.path.split("/")[-1]
                if leaf in ("moving_mean", "moving_variance"):
                    size = int(np.prod(weight.shape))
                    weight.assign(np.array([statistic(leaf, k) for k in range(size)], dtype=np.float32))
                else:
                    value = weights[keras_fixtures.dlc_key(layer, weight)].reshape(weight.shape)
                    if leaf == "kernel":
                        value = value * np.float32(KERNEL_GAIN.get(name, 1.0))
                    weight.assign(value)
        keras_fixtures.settle(model)
        rng = np.random.default_rng(7)
        x = keras_fixtures.random_inputs(model, rng, batch=2)
        y = keras_fixtures.run(model, x)
        np.savez(OUT / f"{name}.inputs.npz", **x)
        np.savez(OUT / f"{name}.expected.npz", **dict(zip(keras_fixtures.output_names(model), y)))
        print(f"{name} numerics: outputs {[o.shape for o in y]}, {np.round(y[0][0][:4], 4)}")


def transfer_learning():
    """Keras' transfer-learning guide: a frozen MobileNetV2 base with its preprocessing, called as a layer."""
    base = A.MobileNetV2(include_top=False, weights=None, input_shape=(96, 96, 3))
    base.trainable = False
    inputs = keras.Input((96, 96, 3))
    x = base(keras.applications.mobilenet_v2.preprocess_input(inputs), training=False)
    x = L.Dropout(0.2)(L.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, L.Dense(5)(x), name="transfer_learning")


def application_archives(names, dlc):
    """The whole path for the keras.applications models, weights and all, too large for CI: each is
    saved as a .keras archive with random weights and statistics, and `dlc run` of the archive (both
    backends) is compared with Keras. Prints one line per model; nothing is written to the repository."""
    for build in APPLICATIONS + [transfer_learning]:
        name = build.__name__
        if names and name not in names:
            continue
        keras.utils.clear_session()
        model = build()
        rng = np.random.default_rng(11)
        for layer in leaf_layers(model):
            for weight in layer.weights:
                weight.assign(random_value(weight, rng).astype(np.float32))
        keras_fixtures.settle(model)
        x = keras_fixtures.random_inputs(model, np.random.default_rng(7), batch=2)
        expected = keras_fixtures.run(model, x)[0]
        with tempfile.TemporaryDirectory() as scratch:
            archive = Path(scratch) / f"{name}.keras"
            model.save(archive)
            np.savez(Path(scratch) / "x.npz", **x)
            errors = []
            for backend in ("interpreter", "c"):
                out = Path(scratch) / f"{backend}.npy"
                done = subprocess.run([dlc, "run", str(archive), "--input", str(Path(scratch) / "x.npz"),
                                       "--backend", backend, "--output", str(out)], capture_output=True, text=True)
                if done.returncode != 0:
                    errors.append(f"{backend}: {done.stderr.strip().splitlines()[0]}")
                    continue
                got = np.load(out)
                scale = np.max(np.abs(expected))
                errors.append(f"{backend} {np.max(np.abs(got - expected)) / scale:.1e}")
            size = archive.stat().st_size
        print(f"{name}: {size / 1e6:.0f} MB archive, {model.count_params():,} parameters; "
              f"error relative to the largest output: {', '.join(errors)}", flush=True)


def randomize(model, rng):
    for layer in model.layers:
        for weight in layer.weights:
            weight.assign(random_value(weight, rng))
    keras_fixtures.settle(model)


def save_archive(model, path):
    model.save(path)
    return path.stat().st_size


def main(names):
    OUT.mkdir(parents=True, exist_ok=True)
    builders = keras_reference.MODELS + keras_reference.SUMMARY_CASES + IMPORT_CASES + APPLICATIONS
    for index, build in enumerate(builders):
        name = build.__name__
        if names and name not in names:
            continue
        keras.utils.clear_session()
        model = build()
        rng = np.random.default_rng(index)
        if build not in APPLICATIONS:
            randomize(model, rng)
        with tempfile.TemporaryDirectory() as scratch:
            archive = Path(scratch) / f"{name}.keras"
            size = save_archive(model, archive)
            with zipfile.ZipFile(archive) as opened:
                config = json.loads(opened.read("config.json"))
            files = {f"{name}.config.json": json.dumps(config, separators=(",", ":"), sort_keys=True) + "\n"}
            if build in IMPORT_CASES or build in APPLICATIONS:
                lines = []
                model.summary(print_fn=lambda text, line_break=True: lines.append(text))
                files[f"{name}.keras.txt"] = "".join(lines)
                files[f"{name}.keras.json"] = json.dumps(keras_reference.summary_json(model), indent=1) + "\n"
            if build in APPLICATIONS:
                # Large and repetitive: kept deflated, all in one archive.
                with zipfile.ZipFile(OUT / "applications.zip", "a", zipfile.ZIP_DEFLATED) as bundle:
                    for file, text in files.items():
                        if file not in bundle.namelist():
                            bundle.writestr(file, text)
            else:
                for file, text in files.items():
                    (OUT / file).write_text(text)
            if size > MAX_ARCHIVE or build is import_unsupported or build in APPLICATIONS:
                print(f"{name}: configuration only ({size:,} bytes as an archive)")
                continue
            vocabulary = min((l.input_dim for l in model.layers if isinstance(l, L.Embedding)), default=10)
            if build is not import_variable_text:
                x = keras_fixtures.random_inputs(model, rng, batch=2, vocabulary=vocabulary)
            if build is import_masked_text:
                # Zero-padded sequences of 8 and 11 tokens, as an IMDB-style dataset feeds them.
                x["tokens"] = rng.integers(1, 100, (2, 12)).astype(np.int32)
                x["tokens"][0, 8:] = 0
                x["tokens"][1, 11:] = 0
            if build is import_variable_text:
                # Two batches of different lengths for one model: 20 tokens (13 and 20 real), then 7 (5 and 7).
                x = {"tokens": padded_tokens(rng, [13, 20], 20)}
                short = {"tokens": padded_tokens(rng, [5, 7], 7)}
                np.savez(OUT / f"{name}.short.inputs.npz", **short)
                np.savez(OUT / f"{name}.short.expected.npz",
                         **dict(zip(keras_fixtures.output_names(model), keras_fixtures.run(model, short))))
            try:
                y = keras_fixtures.run(model, x)
            except Exception as error:  # Keras 3.15's fused attention fails when value_dim != key_dim
                print(f"{name}: configuration only (Keras cannot run it: {type(error).__name__})")
                continue
            (OUT / f"{name}.keras").write_bytes(archive.read_bytes())
        if name in LEGACY_H5:
            model.save(OUT / f"{name}.h5")
        np.savez(OUT / f"{name}.inputs.npz", **x)
        np.savez(OUT / f"{name}.expected.npz", **dict(zip(keras_fixtures.output_names(model), y)))
        print(f"{name}: archive of {size:,} bytes, outputs {[o.shape for o in y]}")


def hostile_fixtures():
    """Files that must give a clear error: made from the committed mlp_iris.keras and fraud_autoencoder.keras."""
    folder = OUT / "hostile"
    folder.mkdir(parents=True, exist_ok=True)
    good = (OUT / "mlp_iris.keras").read_bytes()
    with zipfile.ZipFile(OUT / "mlp_iris.keras") as opened:
        members = {name: opened.read(name) for name in opened.namelist()}
    with zipfile.ZipFile(OUT / "fraud_autoencoder.keras") as opened:
        other_weights = opened.read("model.weights.h5")

    def archive(name, replaced):
        with zipfile.ZipFile(folder / name, "w") as written:
            for member, data in {**members, **replaced}.items():
                if data is not None:
                    written.writestr(member, data)

    (folder / "truncated.keras").write_bytes(good[: len(good) // 2])
    archive("no_config.keras", {"config.json": None})
    archive("config_not_json.keras", {"config.json": b'{"class_name": "Sequential", "config": '})
    archive("weights_not_hdf5.keras", {"model.weights.h5": b"\x89HDF\r\n\x1a\n" + bytes(200)})
    archive("other_weights.keras", {"model.weights.h5": other_weights})
    keras.utils.clear_session()
    model = keras_reference.mlp_iris()
    model.save_weights(folder / "weights_only.weights.h5")
    print(f"hostile: {sorted(p.name for p in folder.iterdir())}")


if __name__ == "__main__":
    arguments = set(sys.argv[1:])
    kinds = {"hostile", "numerics", "archives"}
    if (not arguments or arguments - kinds) and "archives" not in arguments:
        main(arguments - kinds)
    if not arguments or "hostile" in arguments:
        hostile_fixtures()
    if not arguments - kinds or "numerics" in arguments or "archives" in arguments:
        dlc = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip() + "/dlc"
        if "archives" in arguments:
            application_archives(arguments - kinds, dlc)
        else:
            application_numerics(arguments - kinds, dlc)
