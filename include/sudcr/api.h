/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_API_H
#define SUDCR_API_H

/*
 * libsudcr and libsudcr-core are built with -fvisibility=hidden: only the
 * declarations marked SUDCR_API are exported from the shared libraries.
 * tests/abi/ holds the exported lists, which `make test` checks.
 */
#define SUDCR_API __attribute__((visibility("default")))

#endif
