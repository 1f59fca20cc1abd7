/* SPDX-License-Identifier: GPL-2.0 */
/* Private to objtool/kernel/: the name lists the rows of rules.c point at. */
#ifndef ALTORC_KERNEL_PRIV_H
#define ALTORC_KERNEL_PRIV_H

#include "kernel.h"

extern const struct kernel_name_list noreturn_list_6_1, noreturn_list_6_12;
extern const struct kernel_name_list uaccess_safe_list_6_1, uaccess_safe_list_6_12;

#endif
