/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_LOG_PRIVATE_H
#define SUDCR_LOG_PRIVATE_H

/* The log's private half, beyond the public sudcr/log.h.  Not exported. */

#include <sudcr/log.h>

/*
 * Errors reported so far: a driver that gets an error nobody reported
 * (a thread that vanished, which the layers below do not each report)
 * says it once.
 */
unsigned long sudcr_log_errors(void);

#endif
