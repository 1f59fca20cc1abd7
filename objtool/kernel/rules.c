// SPDX-License-Identifier: GPL-2.0
/*
 * The supported kernels, one row each: what their objtools do differently
 * (include/kernel.h names each behaviour).  A new kernel is a new row.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel_priv.h"

static const struct kernel_rules rows[] = {
	{
		.name = "6.1",
		.major = 6, .minor = 1,
		.unwind_abi = 1,
		.decoder = ARCH_OBJTOOL_6_1,
		.noreturn = &noreturn_list_6_1,
		.uaccess_safe = &uaccess_safe_list_6_1,
		.mcount_loc_align = 1,
		.reads_unreachable_annotations = true,
		.c_jump_table_section = ".rodata..c_jump_table",
		.call_names_pv_slot = true,
		.unret_failure_fails_run = true,
		.retpoline_option = "RETPOLINE",
		.rethunk_option = "RETHUNK",
	},
	{
		.name = "6.12",
		.major = 6, .minor = 12,
		.unwind_abi = 2,
		.decoder = ARCH_OBJTOOL_6_12,
		.noreturn = &noreturn_list_6_12,
		.uaccess_safe = &uaccess_safe_list_6_12,
		.noreturn_weak = true,
		.nested_alternatives = true,
		.alternatives_last_first = true,
		.cpuidle_noinstr = true,
		.mcount_nop_needs_mnop = true,
		.mcount_loc_align = 8,
		.warn_once_per_function = true,
		.restore_waits_for_save = true,
		.sibling_frame_check_in_func = true,
		.sibling_from_code_symbol = true,
		.pfx_is_padding = true,
		.conflict_at_site = true,
		.unreachable_per_function = true,
		.ibt_same_parent = true,
		.ibt_range_end = true,
		.c_jump_table_section = ".data.rel.ro.c_jump_table",
		.jump_tables_in_data_rel_ro = true,
		.jump_table_ends_at_next_of_func = true,
		.jump_table_skips_func_end = true,
		.jump_table_cases_first = true,
		.noinstr_trusts_static_calls = true,
		.unret_begin_annotated = true,
		.unret_context_switch_ends = true,
		.retpoline_option = "MITIGATION_RETPOLINE",
		.rethunk_option = "MITIGATION_RETHUNK",
	},
};

const struct kernel_rules *kernel_rules_at(size_t i)
{
	return i < sizeof(rows) / sizeof(*rows) ? &rows[i] : NULL;
}

size_t kernel_rules_count(void)
{
	return sizeof(rows) / sizeof(*rows);
}

const struct kernel_rules *kernel_rules_find(const char *name)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return NULL;
}

const struct kernel_rules *kernel_rules_default(void)
{
	return &rows[0];
}

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool kernel_name_listed(const struct kernel_name_list *list, const char *name)
{
	return name && bsearch(name, list->names, list->nr, sizeof(*list->names), cmp_name);
}
