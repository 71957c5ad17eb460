// SPDX-License-Identifier: MIT
/*
 * SUD exclusive mode with an allowed range (the sud_allowed section) and a
 * NULL selector: every syscall issued outside the range is dispatched, so
 * a restore that loses or shifts the range shows as bad results.  Busy
 * loop as in sud_selector_loop; counts exact after restore.
 */
#include "progs/sud_prog.h"

int main(void)
{
	sud_prog_busy(SUD_RANGE, NULL);
}
