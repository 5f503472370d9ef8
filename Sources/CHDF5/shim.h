// HDF5's C API (Debian: libhdf5-dev), for the weights inside Keras archives. HDF5 names its
// property-list classes, native types and defaults with macros over globals, which Swift cannot
// import; these functions give them to Swift.
#include <hdf5.h>

static inline hid_t dlc_h5_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t dlc_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t dlc_h5_default(void) { return H5P_DEFAULT; }
static inline hid_t dlc_h5_all(void) { return H5S_ALL; }
static inline unsigned dlc_h5_read_only(void) { return H5F_ACC_RDONLY; }
static inline hid_t dlc_h5_c_string(void) { return H5T_C_S1; }

/// Stops HDF5 from printing its error stack on stderr: dlc reports what failed in its own words.
static inline void dlc_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
static inline size_t dlc_h5_variable(void) { return H5T_VARIABLE; }
