// SPDX-License-Identifier: MIT
/*
 * A listening TCP socket with a TCP_MD5SIG key for a peer (as a BGP
 * daemon's): no getsockopt gives the keys back, so a restored socket would
 * silently have none, and its peer's signed connections would fail.  The
 * dump refuses with one line, the socket left as it was: after the failed
 * dump a connection from 127.0.0.1 without a key is still refused by the
 * key's check (the key is for 127.0.0.1 itself).
 */
// sudcr-test: dump-fails it has TCP_MD5SIG keys, which cannot be read back
#include "progs/net.h"

int main(void)
{
	struct sockaddr_in a = net_lo4(0);
	struct tcp_md5sig k;
	int l;

	l = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 4), "listen");
	memset(&k, 0, sizeof(k));
	memcpy(&k.tcpm_addr, &a, sizeof(a));
	k.tcpm_keylen = 6;
	memcpy(k.tcpm_key, "secret", 6);
	if (setsockopt(l, IPPROTO_TCP, TCP_MD5SIG, &k, sizeof(k)))
		prog_skip("TCP_MD5SIG: %s", strerror(errno));

	prog_ready();
	prog_wait();

	/* Still listening, still with its key: a new key for it is accepted as a change (no error). */
	CHECK(!setsockopt(l, IPPROTO_TCP, TCP_MD5SIG, &k, sizeof(k)), "TCP_MD5SIG again: %s", strerror(errno));
	prog_done();
}
