// SPDX-License-Identifier: MIT
/* sudcr sud get|set: show or change the SUD config of a process's threads. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sudcr/freeze.h>
#include <sudcr/log.h>
#include <sudcr/proc.h>
#include <sudcr/sud.h>

#include "cli.h"

static void sud_help(void)
{
	printf("Usage: sudcr sud get PID [--tree] [--json]\n"
	       "       sudcr sud set TID off\n"
	       "       sudcr sud set TID --mode exclusive|inclusive --offset ADDR --len N [--selector ADDR]\n\n"
	       "get  prints the Syscall User Dispatch config of every thread of PID: mode,\n"
	       "     selector address and the byte it points to now (0 ALLOW, 1 BLOCK), and\n"
	       "     the range (for exclusive mode the range where syscalls are allowed,\n"
	       "     for inclusive mode the range where they are dispatched).\n"
	       "     --json  {\"pid\":N,\"threads\":[{\"tid\":N,\"mode\":\"off\"|\"exclusive\"|\"inclusive\",\n"
	       "             \"selector\":\"0x..\"|null,\"selector_value\":N|null,\"offset\":\"0x..\",\"len\":N}]}\n"
	       "     --tree  PID and every descendant, each under a \"process PID:\" line\n"
	       "             (--json: {\"tree\":[{\"pid\":N,\"threads\":[...]},...]}; a zombie\n"
	       "             is \"process PID: zombie\", {\"pid\":N,\"zombie\":true,\"threads\":[]})\n"
	       "set  changes the config of one thread TID.  Arming SUD in a thread that\n"
	       "     does not handle SIGSYS makes its next dispatched syscall kill it.\n\n"
	       "The process is stopped only for the moment of the read or write and is\n"
	       "left running as found.  SIGINT, SIGTERM, SIGHUP and SIGQUIT that arrive\n"
	       "before the change stop the command (exit 1) with the process untouched.\n");
}

static void print_thread_text(pid_t tid, const struct sud_config *c, int sel_ret, uint8_t sel)
{
	printf("%d: mode %s", tid, sud_mode_name(c->mode));
	if (c->mode != SUD_MODE_OFF) {
		printf(" offset 0x%" PRIx64 " len %" PRIu64, c->offset, c->len);
		if (c->selector && !sel_ret)
			printf(" selector 0x%" PRIx64 " (%u, %s)", c->selector, sel,
			       sel == SUD_SELECTOR_ALLOW ? "ALLOW" :
			       sel == SUD_SELECTOR_BLOCK ? "BLOCK" : "invalid");
		else if (c->selector)
			printf(" selector 0x%" PRIx64 " (unreadable: %s)", c->selector, strerror(-sel_ret));
		else
			printf(" selector none");
	}
	printf("\n");
}

static void print_thread_json(bool first, pid_t tid, const struct sud_config *c, int sel_ret, uint8_t sel)
{
	printf("%s{\"tid\":%d,\"mode\":\"%s\",", first ? "" : ",", tid, sud_mode_name(c->mode));
	if (c->selector)
		printf("\"selector\":\"0x%" PRIx64 "\",", c->selector);
	else
		printf("\"selector\":null,");
	if (c->selector && !sel_ret)
		printf("\"selector_value\":%u,", sel);
	else
		printf("\"selector_value\":null,");
	printf("\"offset\":\"0x%" PRIx64 "\",\"len\":%" PRIu64 "}", c->offset, c->len);
}

/* One process: its threads' configs, read while it is stopped, then printed. */
static int sud_get_one(pid_t pid, bool json, bool tree, bool first)
{
	struct task_proc p;
	int ret, err;

	ret = freeze_process(pid, &p);
	if (ret)
		return EXIT_FAIL;
	if (sudcr_cancel_requested()) {
		sudcr_error("sud get interrupted: process %d left as it was", pid);
		thaw_process(&p);
		return EXIT_FAIL;
	}
	struct {
		pid_t tid;
		struct sud_config cfg;
		int sel_ret;
		uint8_t sel;
	} th[p.nr_threads];
	for (int i = 0; i < p.nr_threads && !ret; i++) {
		th[i].tid = p.threads[i].tid;
		ret = sud_get(th[i].tid, &th[i].cfg);
		th[i].sel_ret = th[i].cfg.selector ? sud_read_selector(th[i].tid, &th[i].cfg, &th[i].sel) : -ENOENT;
	}
	int n = p.nr_threads;

	err = thaw_process(&p);
	if (ret || err)
		return EXIT_FAIL;
	if (json)
		printf("%s{\"pid\":%d,\"threads\":[", first ? "" : ",", pid);
	else if (tree)
		printf("process %d:\n", pid);
	for (int i = 0; i < n; i++) {
		if (json)
			print_thread_json(i == 0, th[i].tid, &th[i].cfg, th[i].sel_ret, th[i].sel);
		else
			print_thread_text(th[i].tid, &th[i].cfg, th[i].sel_ret, th[i].sel);
	}
	if (json)
		printf("]}");
	return EXIT_OK;
}

/* --tree: PID and its descendants, parents first (from /proc/PID/task/TID/children). */
static int descendants(pid_t pid, pid_t **out, int *nr)
{
	int n = 1, cap = 16;
	pid_t *v = malloc(cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[0] = pid;
	for (int i = 0; i < n; i++) {
		pid_t *tids;
		int nt;

		if (proc_list_tasks(v[i], &tids, &nt))
			continue;	/* a zombie: no tasks to list */
		for (int k = 0; k < nt; k++) {
			char path[96];
			FILE *f;
			int c;

			snprintf(path, sizeof(path), "/proc/%d/task/%d/children", v[i], tids[k]);
			f = fopen(path, "r");
			if (!f)
				continue;
			while (fscanf(f, "%d", &c) == 1) {
				if (n == cap) {
					pid_t *nv = realloc(v, (cap *= 2) * sizeof(*v));

					if (!nv) {
						fclose(f);
						free(tids);
						free(v);
						return -ENOMEM;
					}
					v = nv;
				}
				v[n++] = c;
			}
			fclose(f);
		}
		free(tids);
	}
	*out = v;
	*nr = n;
	return 0;
}

static int sud_get_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "tree", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	bool json = false, tree = false;
	pid_t pid, *pids;
	int c, n, ret = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":jtv", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 't')
			tree = true;
		else if (c == 'v')
			sudcr_set_log_level(SUDCR_LOG_DEBUG);
		else
			return cli_bad_option("sud get", c, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error("sud get", "expected exactly one PID");
	if (cli_parse_pid(argv[optind], &pid))
		return cli_usage_error("sud get", "'%s' is not a PID", argv[optind]);
	if (!tree) {
		ret = sud_get_one(pid, json, false, true);
		if (json && ret == EXIT_OK)
			printf("\n");
		return ret;
	}
	if (descendants(pid, &pids, &n)) {
		sudcr_error("out of memory");
		return EXIT_FAIL;
	}
	if (json)
		printf("{\"tree\":[");
	for (int i = 0; i < n && ret == EXIT_OK; i++) {
		char state = 0;

		/* A zombie has no threads to read. */
		if (i && !proc_thread_state(pids[i], pids[i], &state) && (state == 'Z' || state == 'X')) {
			if (json)
				printf(",{\"pid\":%d,\"zombie\":true,\"threads\":[]}", pids[i]);
			else
				printf("process %d: zombie\n", pids[i]);
			continue;
		}
		ret = sud_get_one(pids[i], json, true, i == 0);
	}
	if (json && ret == EXIT_OK)
		printf("]}\n");
	free(pids);
	return ret;
}

static int sud_set_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "offset", required_argument, NULL, 'o' },
		{ "len", required_argument, NULL, 'l' },
		{ "selector", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	struct sud_config cfg = { 0 };
	bool have_mode = false, have_off = false, have_len = false;
	struct task_proc p;
	uint64_t caught;
	pid_t tgid;
	struct task_thread *t;
	pid_t tid;
	int c, ret, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":m:o:l:s:v", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (sud_mode_parse(optarg, &cfg.mode))
				return cli_usage_error("sud set", "mode must be off, exclusive or inclusive");
			have_mode = true;
			break;
		case 'o':
			if (cli_parse_u64(optarg, &cfg.offset))
				return cli_usage_error("sud set", "bad --offset '%s'", optarg);
			have_off = true;
			break;
		case 'l':
			if (cli_parse_u64(optarg, &cfg.len))
				return cli_usage_error("sud set", "bad --len '%s'", optarg);
			have_len = true;
			break;
		case 's':
			if (cli_parse_u64(optarg, &cfg.selector))
				return cli_usage_error("sud set", "bad --selector '%s'", optarg);
			break;
		case 'v':
			sudcr_set_log_level(SUDCR_LOG_DEBUG);
			break;
		default:
			return cli_bad_option("sud set", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("sud set", "expected a TID");
	if (cli_parse_pid(argv[optind], &tid))
		return cli_usage_error("sud set", "'%s' is not a TID", argv[optind]);
	optind++;
	if (optind < argc && !strcmp(argv[optind], "off") && !have_mode) {
		cfg.mode = SUD_MODE_OFF;
		have_mode = true;
		optind++;
	}
	if (optind != argc)
		return cli_usage_error("sud set", "unexpected argument '%s'", argv[optind]);
	if (!have_mode)
		return cli_usage_error("sud set", "give 'off' or --mode");
	if (cfg.mode == SUD_MODE_OFF && (have_off || have_len || cfg.selector))
		return cli_usage_error("sud set", "mode off takes no --offset, --len or --selector");
	if (cfg.mode != SUD_MODE_OFF && (!have_off || !have_len))
		return cli_usage_error("sud set", "--mode %s needs --offset and --len", sud_mode_name(cfg.mode));

	ret = proc_thread_group(tid, &tgid, &caught);
	if (ret) {
		sudcr_error("no thread with TID %d", tid);
		return EXIT_FAIL;
	}
	ret = freeze_process(tgid, &p);
	if (ret)
		return EXIT_FAIL;
	t = task_find_thread(&p, tid);
	if (sudcr_cancel_requested()) {
		sudcr_error("sud set interrupted: thread %d left as it was", tid);
		ret = -EINTR;
	} else if (!t) {
		sudcr_error("thread %d of process %d is not running (exited or a zombie)", tid, tgid);
		ret = -ESRCH;
	} else {
		ret = sud_set(tid, &cfg);
	}
	err = thaw_process(&p);
	if (ret || err)
		return EXIT_FAIL;
	if (cfg.mode != SUD_MODE_OFF && !(caught & (1ULL << (SIGSYS - 1))))
		sudcr_warn("process %d does not handle SIGSYS: a dispatched syscall will kill it", tgid);
	return EXIT_OK;
}

static int sud_run(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("sud", "expected 'get' or 'set'");
	/* A signal stops the command, never kills it with the process seized. */
	cli_cancel_on_signals();
	if (!strcmp(argv[1], "get"))
		return sud_get_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "set"))
		return sud_set_cmd(argc - 1, argv + 1);
	return cli_usage_error("sud", "unknown subcommand '%s'", argv[1]);
}

const struct cli_command cmd_sud = {
	.name = "sud",
	.summary = "show or set the SUD config of a process's threads",
	.run = sud_run,
	.help = sud_help,
};
