// SPDX-License-Identifier: GPL-2.0
/*
 * The LOCATION argument of explain, in the forms a kernel prints: an oops'
 * "RIP: 0010:func+0x1c/0x80", a call trace's "func+0x1c/0x80 [module]", a
 * WARNING's raw address, or a person's "func+0x1c".  See cmd_priv.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_priv.h"

static bool parse_hex_span(const char *s, size_t n, uint64_t *out)
{
	char buf[40], *end;
	uint64_t v;

	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '-' || buf[0] == '+' || isspace((unsigned char)buf[0]))
		return false;
	v = strtoull(buf, &end, 16);
	if (*end)
		return false;
	*out = v;
	return true;
}

/* The text between an oops' "RIP: 0010:" (up to the last ':') and a " [module]". */
static void trim(const char *s, const char **start, size_t *len)
{
	const char *colon = strrchr(s, ':');
	const char *space;

	if (colon)
		s = colon + 1;
	while (isspace((unsigned char)*s))
		s++;
	space = strchr(s, ' ');
	*start = s;
	*len = space ? (size_t)(space - s) : strlen(s);
}

int cmd_location_parse(const char *arg, struct cmd_location *loc, struct ao_error *err)
{
	const char *s, *plus, *slash, *end;
	size_t len;

	memset(loc, 0, sizeof(*loc));
	trim(arg, &s, &len);
	end = s + len;
	slash = memchr(s, '/', len);
	if (slash) {
		if (!parse_hex_span(slash + 1, (size_t)(end - slash - 1), &loc->len))
			return ao_fail(err, AO_ERR_USAGE, "bad length in location '%s'", arg);
		loc->has_len = true;
		end = slash;
	}
	plus = NULL;
	for (const char *p = s; p < end; p++)
		if (*p == '+')
			plus = p;
	if (!plus) {
		if (parse_hex_span(s, (size_t)(end - s), &loc->off))
			return 0;      /* a number alone */
		plus = end;
	} else if (!parse_hex_span(plus + 1, (size_t)(end - plus - 1), &loc->off)) {
		return ao_fail(err, AO_ERR_USAGE, "bad offset in location '%s'", arg);
	}
	if (plus == s || (size_t)(plus - s) >= sizeof(loc->name))
		return ao_fail(err, AO_ERR_USAGE, "bad location '%s'", arg);
	memcpy(loc->name, s, (size_t)(plus - s));
	loc->name[plus - s] = '\0';
	return 0;
}

bool cmd_kallsyms_symbol(const struct objsym *s)
{
	return s->sec && s->name && s->name[0] && s->type != STT_SECTION &&
	       s->type != STT_FILE && strncmp(s->name, ".L", 2);
}

/*
 * kallsyms sorts one list by address: in a linked image the next symbol
 * may be in the next section (the last function of .text).
 */
static uint64_t next_in_image(const struct objsym *sym)
{
	struct objfile *f = sym->sec->file;
	uint64_t at = sym->sec->shdr.sh_addr + sym->offset, best = 0;

	for (size_t i = 1; i < f->nr_syms; i++) {
		const struct objsym *s = &f->syms[i];
		uint64_t a;

		if (!cmd_kallsyms_symbol(s) || !(s->sec->shdr.sh_flags & SHF_ALLOC))
			continue;
		a = s->sec->shdr.sh_addr + s->offset;
		if (a > at && (!best || a < best))
			best = a;
	}
	return best ? best - at : 0;
}

uint64_t cmd_kallsyms_size(const struct objsym *sym)
{
	const struct objsec *sec = sym->sec;

	if (!sec)
		return 0;
	for (size_t i = 0; i < sec->nr_syms; i++) {
		const struct objsym *s = sec->syms[i];

		if (s->offset > sym->offset && cmd_kallsyms_symbol(s))
			return s->offset - sym->offset;
	}
	return sec->file->linked ? next_in_image(sym) : 0;
}

bool cmd_length_note(const struct objsym *sym, uint64_t len, char *buf, size_t size)
{
	uint64_t ks = cmd_kallsyms_size(sym);

	if (len == sym->size) {
		snprintf(buf, size, "0x%llx matches %s's size", (unsigned long long)len, sym->name);
		return true;
	}
	if (ks && len == ks) {
		snprintf(buf, size,
			 "0x%llx matches the distance to the next symbol, as kallsyms counts it "
			 "(st_size is 0x%llx)", (unsigned long long)len,
			 (unsigned long long)sym->size);
		return true;
	}
	snprintf(buf, size,
		 "0x%llx DISAGREES: %s has st_size 0x%llx, kallsyms size 0x%llx; "
		 "is this the build that printed the oops?",
		 (unsigned long long)len, sym->name, (unsigned long long)sym->size,
		 (unsigned long long)ks);
	return false;
}
