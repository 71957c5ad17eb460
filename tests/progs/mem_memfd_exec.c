// SPDX-License-Identifier: MIT
/*
 * memfds as the programs that use them for code and sealed data have
 * them: one holding a script, run with execveat(fd, "", AT_EMPTY_PATH)
 * after restore (ETXTBSY if the restored fd counts as a writer of it),
 * one sealed against writes with a shared read-only mapping of it, and one
 * made with MFD_NOEXEC_SEAL.  After restore: the script runs, the sealed
 * one keeps its seals, content and mapping (which still follows it and
 * cannot become writable), and the noexec one stays so.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "progs/prog.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static const char script[] = "#!/bin/sh\nexit 42\n";

static int run(int fd)
{
	char *argv[] = { "memfd-script", NULL }, *envp[] = { NULL };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		_exit(errno == ETXTBSY ? 100 : 101);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	const int write_seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	unsigned char data[8192];
	char flags[512];
	struct stat st;
	int code, sealed, noexec, ret;
	unsigned char *map;

	code = memfd_create("prog-script", MFD_ALLOW_SEALING);
	sealed = memfd_create("prog-sealed", MFD_ALLOW_SEALING);
	SETUP(code >= 0 && sealed >= 0, "memfd_create: %s", strerror(errno));
	SETUP(write(code, script, sizeof(script) - 1) == (ssize_t)sizeof(script) - 1 && !fchmod(code, 0700),
	      "write the script");
	ret = run(code);
	if (ret == 101)
		prog_skip("execveat of a memfd does not work here (noexec?)");
	SETUP(ret == 42, "the script exits %d before the dump", ret);
	prog_fill(data, sizeof(data), 77);
	SETUP(write(sealed, data, sizeof(data)) == (ssize_t)sizeof(data), "write");
	SETUP(!fcntl(sealed, F_ADD_SEALS, write_seals), "F_ADD_SEALS: %s", strerror(errno));
	map = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, sealed, 0);
	SETUP(map != MAP_FAILED, "mmap of the sealed memfd: %s", strerror(errno));
	noexec = memfd_create("prog-noexec", MFD_NOEXEC_SEAL);
	SETUP(noexec >= 0 || errno == EINVAL, "memfd_create(MFD_NOEXEC_SEAL): %s", strerror(errno));

	prog_ready();
	prog_wait();

	ret = run(code);
	CHECK(ret == 42, "execveat of the memfd after restore: %s",
	      ret == 100 ? "ETXTBSY (the restored fd is a writer)" : "it did not run");
	CHECK(fcntl(sealed, F_GET_SEALS) == write_seals, "seals 0x%x, were 0x%x", fcntl(sealed, F_GET_SEALS),
	      write_seals);
	CHECK(!memcmp(map, data, sizeof(data)), "the mapping of the sealed memfd lost its content");
	CHECK(!prog_vmflags(map, flags, sizeof(flags)) && !strstr(flags, " mw "),
	      "the mapping of the write-sealed memfd may be made writable: '%s'", flags);
	CHECK(mprotect(map, 2 * page, PROT_READ | PROT_WRITE) < 0, "the write seal does not hold for the mapping");
	CHECK(pwrite(sealed, "x", 1, 0) < 0 && errno == EPERM, "F_SEAL_WRITE does not hold");
	if (noexec >= 0) {
		CHECK(fcntl(noexec, F_GET_SEALS) & F_SEAL_EXEC, "MFD_NOEXEC_SEAL memfd lost F_SEAL_EXEC");
		CHECK(!fstat(noexec, &st) && !(st.st_mode & 0111), "MFD_NOEXEC_SEAL memfd is executable");
		CHECK(fchmod(noexec, 0755) < 0 && errno == EPERM, "MFD_NOEXEC_SEAL memfd can be made executable");
	}
	prog_done();
}
