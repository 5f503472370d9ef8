#!/bin/sh
# Regenerates the pictures in docs/images from graphs/ (run after changing the drawing code).
set -eu
cd "$(dirname "$0")/.."
swift build --product dlc
dlc="$(swift build --show-bin-path)/dlc"
"$dlc" viz graphs/mnist_cnn.dl -o docs/images/mnist_cnn.png
"$dlc" viz --memory graphs/resnet8_cifar.dl -o docs/images/resnet8_cifar.memory.png
