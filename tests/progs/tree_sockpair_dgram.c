// SPDX-License-Identifier: MIT
/*
 * AF_UNIX SOCK_DGRAM socket pairs with ends in different processes of the tree,
 * messages queued in every end: see tree_sockpair.h.
 */
#include "progs/tree_sockpair.h"

int main(void)
{
	return sp_main(SOCK_DGRAM);
}
