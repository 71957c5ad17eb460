// SPDX-License-Identifier: MIT
/*
 * SUD exclusive mode with a selector and no allowed range, the selector
 * toggled to BLOCK right before each intercepted call (the handler sets it
 * back to ALLOW), in a busy loop that the dump interrupts anywhere: in the
 * loop, in the handler, or with a SIGSYS in flight.  The counts of calls
 * and dispatches must match exactly after restore, and interception must
 * go on.
 */
#include "progs/sud_prog.h"

int main(void)
{
	sud_prog_busy(SUD_SELECTOR, NULL);
}
