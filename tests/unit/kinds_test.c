// SPDX-License-Identifier: MIT
/*
 * The table of kinds (lib/kinds/kinds.c): no record type is claimed twice,
 * every type of lib/image_records.h and every type of the table
 * in docs/image-format.md has an owner of the same name, and every type
 * the table owns is documented.  The steps: the dependencies of their
 * order hold, and the records the MISC record counts are collected before
 * it is written.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/kinds/kinds.h"
#include "harness.h"

static bool upper_eq(const char *lower, const char *upper, size_t n)
{
	size_t i;

	for (i = 0; i < n && lower[i]; i++)
		if (toupper((unsigned char)lower[i]) != upper[i])
			return false;
	return i == n && !lower[i];
}

static void unique(void)
{
	int nr_kinds = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k; k++, nr_kinds++) {
		CHECK((*k)->name && (*k)->types, "kind %d has a name and types", nr_kinds);
		for (const struct cr_kind *const *j = cr_kinds; j < k; j++)
			CHECK(strcmp((*j)->name, (*k)->name), "kind %s twice", (*k)->name);
		for (const struct cr_rec_type *t = (*k)->types; t->name; t++) {
			CHECK(t->type > 0 && t->type < 255, "%s: type %u out of 1..254", t->name, t->type);
			CHECK(cr_kind_of_type(t->type) == *k, "type %u (%s) claimed by another kind too",
			      t->type, t->name);
			for (const struct cr_kind *const *j = cr_kinds; *j; j++)
				for (const struct cr_rec_type *u = (*j)->types; u->name; u++)
					CHECK(u == t || (u->type != t->type && strcmp(u->name, t->name)),
					      "type %u (%s) and %u (%s) collide", t->type, t->name, u->type,
					      u->name);
		}
	}
	CHECK(nr_kinds > 0);
	CHECK(!strcmp(sudcr_record_name(0), "unknown"));
}

static void owned(uint32_t type, const char *name, size_t len, const char *where)
{
	const struct cr_kind *k = cr_kind_of_type(type);

	CHECK(k, "%s: type %u (%.*s) has no kind", where, type, (int)len, name);
	CHECK(!k || upper_eq(sudcr_record_name(type), name, len), "%s: type %u is %.*s, the table says %s",
	      where, type, (int)len, name, sudcr_record_name(type));
}

static void header_types(void)
{
	FILE *f = fopen("lib/image_records.h", "r");
	char line[512], name[64];
	unsigned int type;
	int n = 0;

	CHECK(f, "open lib/image_records.h (run from the source tree)");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " IMG_REC_%63[A-Z0-9_] = %u,", name, &type) == 2) {
			owned(type, name, strlen(name), "image_records.h");
			n++;
		}
	fclose(f);
	CHECK(n > 20, "found %d types in image_records.h", n);
}

static bool documented[128];

static void doc_types(void)
{
	FILE *f = fopen("docs/image-format.md", "r");
	char line[8192], name[64];
	unsigned int type;
	int n = 0;

	CHECK(f, "open docs/image-format.md");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "| %u | %63[A-Z0-9_] |", &type, name) == 2 && type < 128) {
			owned(type, name, strlen(name), "image-format.md");
			documented[type] = true;
			n++;
		}
	fclose(f);
	CHECK(n > 20, "found %d types in image-format.md", n);
	for (const struct cr_kind *const *k = cr_kinds; *k; k++)
		for (const struct cr_rec_type *t = (*k)->types; t->name; t++)
			CHECK(t->type >= 128 || documented[t->type], "type %u (%s) of kind %s is not in image-format.md",
			      t->type, t->name, (*k)->name);
}

/* show's sections: each of a type its kind owns, at a rank of its own, with a printer. */
static void show_sections(void)
{
	int n = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k; k++)
		for (const struct cr_rec_show *t = (*k)->show; t && t->type; t++, n++) {
			CHECK(cr_kind_of_type(t->type) == *k, "%s: a show section for type %u, not its own",
			      (*k)->name, t->type);
			CHECK(t->print && t->text, "%s: section of type %u has a printer and a heading", (*k)->name, t->type);
			for (const struct cr_kind *const *j = cr_kinds; *j; j++)
				for (const struct cr_rec_show *u = (*j)->show; u && u->type; u++)
					CHECK(u == t || (u->rank != t->rank && u->type != t->type),
					      "show sections of types %u and %u share a rank or a type", u->type, t->type);
		}
	CHECK(n >= 7, "found %d show sections", n);
}

static int place(const char *name)
{
	int i = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k; k++, i++)
		if (!strcmp((*k)->name, name))
			return i;
	CHECK(false, "no kind %s", name);
	return -1;
}

static void steps(void)
{
	static const uint32_t counted[] = { IMG_REC_RLIMIT, IMG_REC_ITIMER, IMG_REC_POSIX_TIMER,
					    IMG_REC_SECCOMP };
	const struct cr_kind *first_collect = NULL;
	int last_restore = -1, i = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k; k++, i++) {
		const struct cr_kind *c = *k;

		if (c->collect && !first_collect)
			first_collect = c;
		CHECK(!c->collect || !(c->flags & CR_KIND_DUMP_LAST),
		      "%s: a collect step and CR_KIND_DUMP_LAST", c->name);
		CHECK(!c->dump_free || c->collect || c->dump, "%s: dump_free without a dump", c->name);
		CHECK(!c->free || c->prepare, "%s: free without prepare", c->name);
		if (c->restore || c->restore_thread)
			last_restore = i;
	}
	/* MISC is written first by its kind, once the kinds it counts have collected. */
	CHECK(first_collect && first_collect == cr_kind_of_type(IMG_REC_MISC),
	      "the first kind with a collect step owns MISC");
	CHECK(cr_kind_of_type(IMG_REC_THREAD_MISC) == cr_kind_of_type(IMG_REC_MISC));
	for (size_t n = 0; n < sizeof(counted) / sizeof(counted[0]); n++) {
		const struct cr_kind *c = cr_kind_of_type(counted[n]);

		CHECK(c && c->collect && c->dump, "type %u: counted in MISC, so collected first",
		      counted[n]);
	}
	/* Restore: files before cwd, umask and rlimits; no_new_privs before the filters. */
	CHECK(place("files") < place("fs") && place("files") < place("rlimit"));
	CHECK(place("misc") < place("fs") && place("misc") < place("seccomp"));
	CHECK(place("prctl") < place("seccomp"));
	CHECK(place("procattr") < place("sched"), "procattr's prepare makes sched's state");
	CHECK(place("procattr") < place("seccomp") && place("sched") < place("seccomp"));
	/* Credentials last. */
	CHECK(last_restore == place("creds"), "creds has the last restore step");
	i = place("sched");
	CHECK(i >= 0 && cr_kinds[i]->finish, "sched's policy is set after injection");
}

int main(void)
{
	RUN_TEST(unique);
	RUN_TEST(header_types);
	RUN_TEST(doc_types);
	RUN_TEST(steps);
	RUN_TEST(show_sections);
	return harness_exit();
}
