/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Paravirt patch sites (.parainstructions) as branches (cfg/paravirt_native.c).
 *
 * What the kernel may write over a site of LEN bytes:
 *  - 6.1 (and every kernel since 5.13): a direct `call` to the op (5 bytes)
 *    followed by NOPs, or NOPs only.  Both are stack-neutral, so the site
 *    needs no ORC entry of its own; pv_check_sites() checks, after
 *    validation, that the original is stack-neutral too (else the states
 *    after the patched and the unpatched site would differ).
 *  - before 5.13, native_patch() (arch/x86/kernel/paravirt_patch.c) could
 *    also write a short native template, see arch_pv_templates().  Two of
 *    them move the stack: irq.save_fl `pushf; pop %rax` and irq.restore_fl
 *    `push %rdi; popf`, 8 bytes more between their two instructions.  With
 *    --paravirt-native each site whose type maps to a template becomes an
 *    alternative of the CFG (template + NOP padding), so validation checks
 *    it and ORC gets the RIP+1 entries that objtool of that time never
 *    emitted.  Types map to templates through the DWARF layout of struct
 *    paravirt_patch_template (dwarf_paravirt.h).
 */
#ifndef ALTORC_PARAVIRT_NATIVE_H
#define ALTORC_PARAVIRT_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

/*
 * --paravirt-native, during cfg_build: read .parainstructions into cfg->pv,
 * map types to templates from DWARF, and add each template as an
 * alternative branch of its site.  Says once on stderr when no DWARF
 * carries the struct (the sites stay plain calls).  -1 with cfg->err set on
 * unusable input.
 */
int pv_native_add_branches(struct cfg *cfg);

/* "paravirt site type 30 (.parainstructions entry 4): native template" for reports. */
void pv_native_describe(const struct cfg *cfg, const struct instr *site, char *buf, size_t size);


#endif
