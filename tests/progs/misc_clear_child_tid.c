// SPDX-License-Identifier: MIT
/*
 * clear_child_tid (set_tid_address): the address comes back
 * (PR_GET_TID_ADDRESS).
 */
#include <sys/prctl.h>

#include "progs/prog.h"

#ifndef PR_GET_TID_ADDRESS
#define PR_GET_TID_ADDRESS 40
#endif

static int tid_word = -1;

int main(void)
{
	int *got = NULL;
	long tid;

	tid = prog_sys3(__NR_set_tid_address, (long)&tid_word, 0, 0);
	SETUP(tid == getpid(), "set_tid_address");

	prog_ready();
	prog_wait();

	CHECK(!prctl(PR_GET_TID_ADDRESS, &got, 0, 0, 0), "PR_GET_TID_ADDRESS");
	CHECK(got == &tid_word, "clear_child_tid is %p, expected %p", (void *)got, (void *)&tid_word);
	prog_done();
}
