#!/bin/sh
# A fresh machine to a working dlc: system packages, a release build, and the main job on an example model.
set -eu
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product dlc
echo "dlc is at $(swift build -c release --show-bin-path)/dlc"
echo
"$(swift build -c release --show-bin-path)/dlc" summary graphs/mnist_cnn.dl
