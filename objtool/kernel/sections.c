// SPDX-License-Identifier: GPL-2.0
/* Sections of a kernel object by the role the kernel's build gives them. */
#include <string.h>

#include "kernel.h"

/* Data sections whose references to code are not indirect-branch targets. */
bool kernel_ibt_metadata_section(const char *name)
{
	static const char *const exact[] = {
		".altinstructions", ".ibt_endbr_seal", ".orc_unwind_ip", ".parainstructions",
		".retpoline_sites", ".smp_locks", ".static_call_sites", "_error_injection_whitelist",
		"_kprobe_blacklist", "__bug_table", "__ex_table", "__jump_table", "__mcount_loc",
		".kcfi_traps",
	};

	if (!strncmp(name, ".discard", 8) && strcmp(name, ".discard.ibt_endbr_noseal"))
		return true;
	if (!strncmp(name, ".debug", 6) || strstr(name, "__patchable_function_entries"))
		return true;
	for (size_t i = 0; i < sizeof(exact) / sizeof(*exact); i++)
		if (!strcmp(name, exact[i]))
			return true;
	return false;
}

bool kernel_noinstr_section(const struct kernel_rules *k, const char *name)
{
	return !strcmp(name, ".noinstr.text") || !strcmp(name, ".entry.text") ||
	       (k->cpuidle_noinstr && !strcmp(name, ".cpuidle.text")) ||
	       !strncmp(name, ".text..__x86.", 13);
}

const char *kernel_noinstr_walked_section(const struct kernel_rules *k, size_t i)
{
	static const char *const names[] = { ".noinstr.text", ".entry.text", ".cpuidle.text" };
	size_t n = k->cpuidle_noinstr ? 3 : 2;

	return i < n ? names[i] : NULL;
}
