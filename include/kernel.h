/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What altorc knows about the kernel an object is built for, apart from
 * the instruction set (arch.h): section roles, and the rules that differ
 * between kernel versions.
 */
#ifndef ALTORC_KERNEL_H
#define ALTORC_KERNEL_H

#include <stdbool.h>

/*
 * Is name a data section whose references to code are bookkeeping (ORC,
 * alternatives, exception tables, DWARF...), not indirect-branch targets?
 * (--ibt: the .ibt_endbr_seal builder and the warnings share it.)
 */
bool kernel_ibt_metadata_section(const char *name);

#endif
