// SPDX-License-Identifier: MIT
/*
 * The table of fd kinds (lib/kinds/fd.c): every REC_FD_* of
 * lib/image_records.h has a kind that can be restored (a name,
 * an open op, a create op if its fds share an object), the dump's
 * recognition order holds every kind that recognises fds once, no record
 * type is claimed by two fd kinds, and docs/image-format.md's "FD record
 * kinds" names each kind and the file of lib/kinds/ that holds it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/kinds/fd.h"
#include "harness.h"

#define KIND_MAX	64

static bool in_header[KIND_MAX];

static void header_kinds(void)
{
	FILE *f = fopen("lib/image_records.h", "r");
	char line[512], name[64];
	unsigned int kind;
	int n = 0;

	CHECK(f, "open lib/image_records.h (run from the source tree)");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const struct fd_kind *k;

		if (sscanf(line, " REC_FD_%63[A-Z0-9_] = %u,", name, &kind) != 2)
			continue;
		n++;
		CHECK(kind < KIND_MAX, "REC_FD_%s = %u", name, kind);
		if (kind >= KIND_MAX)
			continue;
		in_header[kind] = true;
		k = fd_kind(kind);
		CHECK(k, "REC_FD_%s (%u) has no fd kind", name, kind);
		if (!k)
			continue;
		CHECK(k->kind == kind, "REC_FD_%s: the kind at %u says %u", name, kind, k->kind);
		CHECK(k->name && k->show_name, "REC_FD_%s has its names", name);
		CHECK(k->open, "REC_FD_%s has no open op", name);
		CHECK(!(k->flags & FD_KIND_OBJECT) || k->create,
		      "REC_FD_%s shares objects but has no create op", name);
	}
	fclose(f);
	CHECK(n >= 15, "found %d fd kinds in image_records.h", n);
	for (unsigned int kind = 0; kind < KIND_MAX; kind++)
		CHECK(!fd_kind(kind) || in_header[kind], "fd kind %u is not in image_records.h", kind);
}

static void order(void)
{
	int n = 0;

	for (const struct fd_kind *const *k = fd_kinds_order; *k; k++, n++) {
		CHECK((*k)->recognise, "%s is asked but recognises nothing", (*k)->name);
		CHECK(fd_kind((*k)->kind) == *k, "%s is not the table's kind %u", (*k)->name, (*k)->kind);
		for (const struct fd_kind *const *j = fd_kinds_order; j < k; j++)
			CHECK(*j != *k, "%s asked twice", (*k)->name);
	}
	CHECK(n > 0);
	for (unsigned int kind = 0; kind < KIND_MAX; kind++) {
		const struct fd_kind *k = fd_kind(kind);
		bool found = false;

		if (!k)
			continue;
		for (const struct fd_kind *const *j = fd_kinds_order; *j; j++)
			found |= *j == k;
		CHECK(found || (!k->recognise && !k->dump_prepare && !k->prepare),
		      "%s has a recognise or prepare op but is not in fd_kinds_order", k->name);
	}
}

static void records(void)
{
	for (unsigned int kind = 0; kind < KIND_MAX; kind++) {
		const struct fd_kind *k = fd_kind(kind);

		for (int r = 0; k && r < 3 && k->records[r]; r++) {
			CHECK(k->check_record, "%s owns record type %u but checks none", k->name,
			      k->records[r]);
			CHECK(fd_kind_of_record(k->records[r]) == k, "record type %u claimed twice",
			      k->records[r]);
		}
	}
	CHECK(!fd_kind_of_record(IMG_REC_FD) && !fd_kind_of_record(IMG_REC_FILE_DATA),
	      "FD and FILE_DATA records are the drivers'");
}

static void documented(void)
{
	FILE *f = fopen("docs/image-format.md", "r");
	char line[2048], name[64], what[64], file[64], path[128];
	bool seen[KIND_MAX] = { false };
	unsigned int kind;
	int n = 0;

	CHECK(f, "open docs/image-format.md");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const struct fd_kind *k;

		if (sscanf(line, "| %u | `REC_FD_%63[A-Z0-9_]` %63[^|]| %63[a-z_].c |", &kind, name, what,
			   file) != 4)
			continue;
		n++;
		k = kind < KIND_MAX ? fd_kind(kind) : NULL;
		CHECK(k, "image-format.md: fd kind %u (REC_FD_%s) is not in the table", kind, name);
		if (!k)
			continue;
		seen[kind] = true;
		CHECK(!strncmp(what, k->name, strlen(k->name)), "image-format.md: kind %u is \"%s\", not %s",
		      kind, k->name, what);
		snprintf(path, sizeof(path), "lib/kinds/%s.c", file);
		CHECK(!access(path, R_OK), "image-format.md: kind %u (%s) in %s, which is not there",
		      kind, k->name, path);
	}
	fclose(f);
	CHECK(n >= 15, "found %d fd kinds in image-format.md", n);
	for (unsigned int kind = 0; kind < KIND_MAX; kind++)
		CHECK(!fd_kind(kind) || seen[kind], "fd kind %u (%s) is not in image-format.md", kind,
		      fd_kind(kind)->name);
}

int main(void)
{
	RUN_TEST(header_kinds);
	RUN_TEST(order);
	RUN_TEST(records);
	RUN_TEST(documented);
	return harness_exit();
}
