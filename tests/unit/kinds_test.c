// SPDX-License-Identifier: MIT
/*
 * The table of kinds (lib/kinds/kinds.c): no record type is claimed twice,
 * every type of include/sudcr/image_records.h and every type of the table
 * in docs/image-format.md has an owner of the same name, and every type
 * the table owns is documented.
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
			CHECK(t->type > 0 && t->type < 256, "%s: type %u out of 1..255", t->name, t->type);
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
	FILE *f = fopen("include/sudcr/image_records.h", "r");
	char line[512], name[64];
	unsigned int type;
	int n = 0;

	CHECK(f, "open include/sudcr/image_records.h (run from the source tree)");
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

int main(void)
{
	RUN_TEST(unique);
	RUN_TEST(header_types);
	RUN_TEST(doc_types);
	return harness_exit();
}
