// SPDX-License-Identifier: GPL-2.0
/*
 * The native code x86-64 kernels before 5.13 could patch over a paravirt
 * call site (native_patch(), arch/x86/kernel/paravirt_patch.c of that
 * time).  Two of them move the stack between their two instructions:
 * save_fl's pushf; pop and restore_fl's push; popf.
 */
#include "arch.h"

_Static_assert(10 <= ARCH_PV_TEMPLATES_MAX, "room for every template");

static const struct arch_pv_template templates[] = {
	{ "irq.irq_disable",         1, { 0xfa },             "cli" },
	{ "irq.irq_enable",          1, { 0xfb },             "sti" },
	{ "irq.save_fl",             2, { 0x9c, 0x58 },       "pushf; pop %rax" },
	{ "irq.restore_fl",          2, { 0x57, 0x9d },       "push %rdi; popf" },
	{ "mmu.read_cr2",            3, { 0x0f, 0x20, 0xd0 }, "mov %cr2,%rax" },
	{ "mmu.read_cr3",            3, { 0x0f, 0x20, 0xd8 }, "mov %cr3,%rax" },
	{ "mmu.write_cr3",           3, { 0x0f, 0x22, 0xdf }, "mov %rdi,%cr3" },
	{ "cpu.wbinvd",              2, { 0x0f, 0x09 },       "wbinvd" },
	{ "lock.queued_spin_unlock", 3, { 0xc6, 0x07, 0x00 }, "movb $0,(%rdi)" },
	{ "lock.vcpu_is_preempted",  2, { 0x31, 0xc0 },       "xor %eax,%eax" },
};

const struct arch_pv_template *arch_pv_templates(size_t *nr)
{
	*nr = sizeof(templates) / sizeof(templates[0]);
	return templates;
}
