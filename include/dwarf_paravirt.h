/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Paravirt patch type numbers from DWARF (dwarf/paravirt.c, libdwarf).
 * A .parainstructions entry's type is the slot of the op in struct
 * paravirt_patch_template: offsetof(struct paravirt_patch_template, irq.save_fl)
 * / 8, which depends on the kernel's config.  The debug info of any object
 * built with -g against the kernel's headers (or of a vmlinux) carries the
 * struct's layout.
 */
#ifndef ALTORC_DWARF_PARAVIRT_H
#define ALTORC_DWARF_PARAVIRT_H

#include <stddef.h>

#include "ao_error.h"

/*
 * For each dotted member name ("irq.save_fl"), store its slot in slots[i],
 * or -1 when the struct has no such member.  Returns 1 when path's DWARF
 * defines struct paravirt_patch_template, 0 when path has no debug info or
 * no such struct (slots all -1), -1 when path cannot be read (err set).
 */
int dwarf_pv_slots(const char *path, const char *const *members, size_t n, int *slots,
		   struct ao_error *err);

#endif
