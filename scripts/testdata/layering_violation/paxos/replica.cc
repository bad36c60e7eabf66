// A deliberate violation for the layering check's own test: an application reaching into the
// simulator's internals. check_layering.sh must fail on this tree.
#include "platform/process.h"
#include "platform/sim/world.h"
