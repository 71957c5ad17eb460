// SPDX-License-Identifier: MIT
/*
 * The robust futex list head (set_robust_list): the same head and length
 * after restore.
 */
#include <linux/futex.h>

#include "progs/prog.h"

static struct robust_list_head head = {
	.list = { .next = &head.list },
	.futex_offset = 24,
	.list_op_pending = NULL,
};

int main(void)
{
	struct robust_list_head *got = NULL;
	size_t len = 0;

	SETUP(!prog_sys3(__NR_set_robust_list, (long)&head, sizeof(head), 0), "set_robust_list");

	prog_ready();
	prog_wait();

	CHECK(!prog_sys3(__NR_get_robust_list, 0, (long)&got, (long)&len), "get_robust_list");
	CHECK(got == &head, "robust list head is %p, expected %p", (void *)got, (void *)&head);
	CHECK(len == sizeof(head), "robust list length %zu", len);
	CHECK(head.futex_offset == 24 && head.list.next == &head.list, "head contents");
	prog_done();
}
