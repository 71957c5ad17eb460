/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_DUMP_TTY_H
#define SUDCR_DUMP_TTY_H

/*
 * The job's terminal (lib/kinds/tty.c), which --shell-job replaces at
 * restore: what the dump reads of it.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <termios.h>
#include <sys/ioctl.h>

#include "image.h"
#include "image_records.h"

/* The terminal behind @g, a reference to a tty fd of the target (TIOCGDEV), or -errno. */
int dump_tty_device(int g, dev_t *dev);
/* The controlling terminal of tty_nr (field 7 of /proc/PID/stat): 0 if none. */
dev_t dump_tty_of_stat(int tty_nr);
/* "/dev/pts/3", or "tty 136:3" where sysfs does not say. */
void dump_tty_name(dev_t dev, char *buf, size_t len);
/* The IMG_REC_TTY record of terminal @g (modes, window size), lowest fd @fd. */
int dump_tty_write(struct img_writer *img, int fd, const char *link, int g, dev_t dev, bool ctty);

/* The modes and window size of terminal @g into @m, or -errno. */
int tty_modes_read(int g, struct rec_termios *m);
/* @m into @tio (whose other fields stay) and @ws; -EINVAL for speeds that are not valid. */
int tty_modes_termios(const struct rec_termios *m, struct termios *tio, struct winsize *ws);
/* Its padding is zero (an image's record). */
bool tty_modes_valid(const struct rec_termios *m);

#endif
