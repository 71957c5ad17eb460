/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_API_H
#define SUDCR_API_H

/*
 * libsudcr and libsudcr-core are built with -fvisibility=hidden: only the
 * declarations marked SUDCR_API are exported from the shared libraries.
 * tests/abi/ holds the exported lists, which `make test` checks.
 */
#define SUDCR_API __attribute__((visibility("default")))

/*
 * siginfo_t, which public headers use: <signal.h> declares it only when
 * POSIX is asked for, so a plain -std=c99 build would lack it.  glibc's
 * header of the type alone declares it whatever the feature macros.
 */
#include <signal.h>
#if defined(__GLIBC__) && !defined(__USE_POSIX199309)
#include <bits/types/siginfo_t.h>
#endif

#endif
