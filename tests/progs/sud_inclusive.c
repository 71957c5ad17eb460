// SPDX-License-Identifier: MIT
/*
 * SUD inclusive mode: only syscalls issued from the sud_intercept section
 * are dispatched.  Busy loop as in sud_selector_loop; the dump and restore
 * must bring back the mode itself (exclusive with the same range would
 * dispatch every other syscall).  Counts exact after restore.
 */
#include "progs/sud_prog.h"

int main(void)
{
	sud_prog_busy(SUD_INCLUSIVE, NULL);
}
