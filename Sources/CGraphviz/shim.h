// Graphviz's rendering API (Debian: libgraphviz-dev).
#include <graphviz/gvc.h>
