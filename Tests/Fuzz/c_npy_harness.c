/* libFuzzer harness for the .npy reader and writer of the program `dlc compile --emit exe` generates
 * (scripts/fuzz.sh c-npy): each input is written to a file, read as float32 and as int32 data of
 * Tests/Fuzz/c-npy-model.dl's shape, and what was read is written back. */
#define main generated_main
#include "fuzzed_main.c"
#undef main

#include <stdint.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char path[64], written[64];
  long examples = 0;
  FILE *file;
  void *values;
  if (!path[0]) {
    sprintf(path, "/tmp/dlc-fuzz-npy-%ld.npy", (long)getpid());
    sprintf(written, "/tmp/dlc-fuzz-npy-%ld.out.npy", (long)getpid());
  }
  file = fopen(path, "wb");
  if (!file) return 0;
  fwrite(data, 1, size, file);
  fclose(file);
  values = read_npy(path, "'<f4'", FUZZED_X_SIZE, "(N, 3, 2)", &examples);
  if (values) {
    const int shape[] = {(int)examples, 3, 2};
    write_npy(written, values, shape, 3);
    free(values);
  }
  values = read_npy(path, "'<i4'", FUZZED_X_SIZE, "(N, 3, 2)", &examples);
  free(values);
  return 0;
}
