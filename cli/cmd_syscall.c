// SPDX-License-Identifier: MIT
/* sudcr syscall: run one syscall inside a process and print its result. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sudcr/arch.h>
#include <sudcr/freeze.h>
#include <sudcr/inject.h>
#include <sudcr/log.h>

#include "cli.h"

static void syscall_help(void)
{
	printf("Usage: sudcr syscall [--tid TID] PID NAME|NR [ARG...]\n\n"
	       "Runs one syscall inside process PID (its main thread, or thread TID) and\n"
	       "prints the return value in decimal; a failing syscall prints a negative\n"
	       "errno (e.g. -9 for EBADF) and sudcr still exits 0.\n\n"
	       "NAME is resolved for the target's architecture (getpid is 39 for x86-64\n"
	       "and 20 for ia32 tasks).  ARGs are integers (decimal, 0x hex, negative);\n"
	       "at most 6.  The call runs with SUD and seccomp suspended and all signals\n"
	       "blocked, so the target's SIGSYS handler never sees it; everything is put\n"
	       "back and the process is left running.  The syscall itself runs for real:\n"
	       "'sudcr syscall PID exit_group 0' ends the target (exit and exit_group\n"
	       "print nothing: they do not return).\n\n"
	       "SIGINT, SIGTERM, SIGHUP and SIGQUIT stop the command without harm to the\n"
	       "process: a call that blocks (pause, read of an empty pipe, nanosleep...)\n"
	       "is interrupted and abandoned, the process goes on exactly as before, and\n"
	       "sudcr exits 1 saying so.  A call that has already returned is reported as\n"
	       "usual.\n");
}

static int syscall_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tid", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	uint64_t args[6] = { 0 };
	struct inject_ctx ic;
	struct task_proc p;
	struct task_thread *t;
	struct arch_regs regs;
	pid_t pid, tid = 0;
	const char *name;
	int64_t nr_arg, result;
	bool exiting = false;
	long nr;
	int c, nargs, ret, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+:t:v", opts, NULL)) != -1) {
		if (c == 't') {
			if (cli_parse_pid(optarg, &tid))
				return cli_usage_error("syscall", "'%s' is not a TID", optarg);
		} else if (c == 'v') {
			sudcr_set_log_level(SUDCR_LOG_DEBUG);
		} else {
			return cli_bad_option("syscall", c, argv);
		}
	}
	if (argc - optind < 2)
		return cli_usage_error("syscall", "expected PID and syscall");
	if (cli_parse_pid(argv[optind], &pid))
		return cli_usage_error("syscall", "'%s' is not a PID", argv[optind]);
	name = argv[optind + 1];
	nargs = argc - optind - 2;
	if (nargs > 6)
		return cli_usage_error("syscall", "at most 6 arguments");
	for (int i = 0; i < nargs; i++) {
		int64_t v;

		if (cli_parse_i64(argv[optind + 2 + i], &v))
			return cli_usage_error("syscall", "argument '%s' is not an integer", argv[optind + 2 + i]);
		args[i] = (uint64_t)v;
	}
	/* A name that does not exist for any arch is a usage error up front. */
	if (cli_parse_i64(name, &nr_arg) && arch_syscall_by_name(ARCH_X86_64, name) < 0 &&
	    arch_syscall_by_name(ARCH_IA32, name) < 0)
		return cli_usage_error("syscall", "unknown syscall '%s'", name);

	/* From here on a signal stops the command, never kills it half-way. */
	cli_cancel_on_signals();
	if (freeze_process(pid, &p))
		return EXIT_FAIL;
	t = task_find_thread(&p, tid ? tid : pid);
	if (!t) {
		sudcr_error("no running thread %d in process %d", tid ? tid : pid, pid);
		ret = -ESRCH;
		goto out;
	}
	ret = arch_get_regs(t->tid, &regs);
	if (ret) {
		sudcr_error("thread %d: cannot read registers: %s", t->tid, strerror(-ret));
		goto out;
	}
	if (!cli_parse_i64(name, &nr_arg)) {
		nr = (long)nr_arg;
	} else {
		nr = arch_syscall_by_name(arch_regs_kind(&regs), name);
		if (nr < 0) {
			sudcr_error("syscall '%s' does not exist for %s tasks", name,
				    arch_name(arch_regs_kind(&regs)));
			ret = -EINVAL;
			goto out;
		}
	}
	ret = inject_begin(&ic, t);
	if (ret)
		goto out;
	if (sudcr_cancel_requested()) {
		sudcr_error("syscall %s in %d interrupted: the call was not made and the process left as it was",
			    name, pid);
		inject_end(&ic);
		ret = -EINTR;
		goto out;
	}
	if (nr == arch_syscall_by_name(ic.kind, "exit") || nr == arch_syscall_by_name(ic.kind, "exit_group")) {
		/*
		 * It does not return: set it up and let the thread go into it,
		 * with SUD still off so that the handler does not get it.
		 */
		struct arch_regs regs = ic.saved_regs;

		arch_setup_syscall(&regs, ic.kind, ic.sc_ip, nr, args);
		ret = arch_set_regs(t->tid, &regs);
		inject_abandon(&ic);
		exiting = !ret;
		goto out;
	}
	ret = inject_syscall(&ic, nr, args, &result);
	err = inject_end(&ic);
	if (ret == -EINTR && !err)
		sudcr_error("syscall %s in %d interrupted: the call was abandoned and the process left as it was",
			    name, pid);
	if (!ret)
		ret = err;
out:
	err = thaw_process(&p);
	if (ret || (err && !exiting))
		return EXIT_FAIL;
	if (!exiting)
		printf("%" PRId64 "\n", result);
	return EXIT_OK;
}

const struct cli_command cmd_syscall = {
	.name = "syscall",
	.summary = "run one syscall inside a process (SUD-safe) and print the result",
	.run = syscall_run,
	.help = syscall_help,
};
