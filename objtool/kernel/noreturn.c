// SPDX-License-Identifier: GPL-2.0
/*
 * Global functions that never return.  A call to one ends its path, so the
 * bytes after it (often padding or another function's code) are not
 * reached from it.  The two kernels' objtools know different sets; both
 * lists are sorted for bsearch.
 */
#include "kernel_priv.h"

static const char *const noreturn_6_1[] = {
	"__invalid_creds", "__module_put_and_kthread_exit", "__reiserfs_panic",
	"__stack_chk_fail", "__ubsan_handle_builtin_unreachable", "cpu_bringup_and_idle",
	"cpu_startup_entry", "do_exit", "do_group_exit", "do_task_dead",
	"ex_handler_msr_mce", "fortify_panic", "kthread_complete_and_exit", "kthread_exit",
	"kunit_try_catch_throw", "lbug_with_loc", "machine_real_restart", "make_task_dead",
	"panic", "rewind_stack_and_make_dead", "sev_es_terminate", "snp_abort",
	"stop_this_cpu", "usercopy_abort", "xen_start_kernel",
};

static const char *const noreturn_6_12[] = {
	"__fortify_panic", "__ia32_sys_exit", "__ia32_sys_exit_group", "__kunit_abort",
	"__module_put_and_kthread_exit", "__reiserfs_panic", "__stack_chk_fail",
	"__tdx_hypercall_failed", "__ubsan_handle_builtin_unreachable", "__x64_sys_exit",
	"__x64_sys_exit_group", "arch_cpu_idle_dead", "bch2_trans_in_restart_error",
	"bch2_trans_restart_error", "bch2_trans_unlocked_error", "cpu_bringup_and_idle",
	"cpu_startup_entry", "do_exit", "do_group_exit", "do_task_dead", "ex_handler_msr_mce",
	"hlt_play_dead", "hv_ghcb_terminate", "kthread_complete_and_exit", "kthread_exit",
	"kunit_try_catch_throw", "machine_real_restart", "make_task_dead", "mpt_halt_firmware",
	"nmi_panic_self_stop", "panic", "panic_smp_self_stop", "rest_init",
	"rewind_stack_and_make_dead", "rust_begin_unwind", "rust_helper_BUG",
	"sev_es_terminate", "snp_abort", "start_kernel", "stop_this_cpu", "usercopy_abort",
	"x86_64_start_kernel", "x86_64_start_reservations", "xen_cpu_bringup_again",
	"xen_start_kernel",
};

const struct kernel_name_list noreturn_list_6_1 = {
	noreturn_6_1, sizeof(noreturn_6_1) / sizeof(*noreturn_6_1)
};
const struct kernel_name_list noreturn_list_6_12 = {
	noreturn_6_12, sizeof(noreturn_6_12) / sizeof(*noreturn_6_12)
};
