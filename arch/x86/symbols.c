// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols the x86 kernel build treats specially.  Only global symbols
 * count: a local symbol of the same name is the object's own business.
 */
#include <string.h>

#include "arch.h"

static bool global_prefixed(const struct objsym *s, const char *prefix)
{
	return s->bind == STB_GLOBAL && !strncmp(s->name, prefix, strlen(prefix));
}

static bool global_named(const struct objsym *s, const char *name)
{
	return s->bind == STB_GLOBAL && !strcmp(s->name, name);
}

bool arch_is_retpoline_thunk(const struct objsym *s)
{
	return global_prefixed(s, "__x86_indirect_");
}

bool arch_is_return_thunk(const struct objsym *s)
{
	return global_named(s, "__x86_return_thunk");
}

bool arch_is_static_call_tramp_name(const char *name)
{
	return !strncmp(name, "__SCT__", 7);
}

bool arch_is_static_call_tramp(const struct objsym *s)
{
	return s->bind == STB_GLOBAL && arch_is_static_call_tramp_name(s->name);
}

bool arch_is_fentry(const struct objsym *s)
{
	return global_named(s, "__fentry__");
}

bool arch_is_embedded_thunk(const struct objsym *s)
{
	return global_named(s, "retbleed_return_thunk") || global_named(s, "srso_safe_ret");
}

bool arch_call_needs_no_frame(const char *name)
{
	return !strcmp(name, "__fentry__") || !strcmp(name, "retbleed_return_thunk") ||
	       !strcmp(name, "srso_safe_ret");
}
