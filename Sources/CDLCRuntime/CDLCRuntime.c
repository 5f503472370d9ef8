/* The runtime is header-only here (see include/CDLCRuntime.h); SwiftPM needs one source file. */
#include "CDLCRuntime.h"
