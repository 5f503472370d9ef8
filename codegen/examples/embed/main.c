/* Classifies a handwritten digit with C that dlc generated from graphs/mnist_cnn.dl.
 *
 *   dlc compile graphs/mnist_cnn.dl --weights trained.safetensors -o codegen/examples/embed/generated
 *   make -C codegen/examples/embed
 *   codegen/examples/embed/classify [digit.pgm]
 *
 * The model needs no allocation: its working memory is one arena of MNIST_CNN_ARENA_BYTES,
 * here a static array. Without an image, a hand-drawn "7" is classified. */
#include <stdio.h>

#include "mnist_cnn.h"

static float arena[(MNIST_CNN_ARENA_BYTES + sizeof(float) - 1) / sizeof(float) + 1];

/* A 28×28 8-bit binary PGM ("P5"), scaled to [0, 1] as the model was trained. */
static int read_pgm(const char *path, float *image) {
  unsigned char pixels[28 * 28];
  int width, height, maximum, i;
  FILE *file = fopen(path, "rb");
  if (!file) return 0;
  if (fscanf(file, "P5 %d %d %d", &width, &height, &maximum) != 3 || width != 28 || height != 28 || maximum != 255 ||
      fgetc(file) == EOF || fread(pixels, 1, sizeof pixels, file) != sizeof pixels) {
    fclose(file);
    return 0;
  }
  fclose(file);
  for (i = 0; i < 28 * 28; i++) image[i] = (float)pixels[i] / 255.0f;
  return 1;
}

/* A "7": a bar across the top and a stroke down to the bottom left. */
static void draw_seven(float *image) {
  int row, column;
  for (row = 0; row < 28; row++)
    for (column = 0; column < 28; column++) image[row * 28 + column] = 0.0f;
  for (column = 6; column < 22; column++) image[5 * 28 + column] = image[6 * 28 + column] = 1.0f;
  for (row = 7; row < 24; row++) {
    column = 21 - (row - 7) * 10 / 17;
    image[row * 28 + column] = image[row * 28 + column - 1] = 1.0f;
  }
}

int main(int argc, char **argv) {
  float image[MNIST_CNN_IMAGE_SIZE], probabilities[MNIST_CNN_OUTPUT_SIZE];
  int status, digit, best = 0;
  if (argc > 1) {
    if (!read_pgm(argv[1], image)) {
      fprintf(stderr, "%s: error: expected a 28x28 binary PGM (P5) with maximum 255\n", argv[1]);
      return 1;
    }
  } else {
    draw_seven(image);
  }
  status = mnist_cnn_run(image, probabilities, arena);
  if (status != MNIST_CNN_OK) {
    fprintf(stderr, "error: mnist_cnn_run returned %d\n", status);
    return 1;
  }
  for (digit = 0; digit < MNIST_CNN_OUTPUT_SIZE; digit++) {
    printf("%d: %.4f\n", digit, probabilities[digit]);
    if (probabilities[digit] > probabilities[best]) best = digit;
  }
  printf("predicted digit: %d\n", best);
  return 0;
}
