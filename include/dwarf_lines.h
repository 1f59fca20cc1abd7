/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DWARF of a relocatable object through libdwarf (dwarf/access.c), and the
 * source line of an address (dwarf/lines.c).
 *
 * In a .o every code section starts at address 0, so the addresses in
 * .debug_line and .debug_frame only mean something once the relocations
 * are applied, and even then .text+0x10 and .init.text+0x10 look alike.
 * dwarf_access therefore hands libdwarf the object's sections (read through
 * objfile, i.e. libelf) with the relocations applied against a synthetic
 * layout that gives each allocated section its own base address, the way a
 * linker would.  An address libdwarf reports maps back to one section.
 */
#ifndef ALTORC_DWARF_LINES_H
#define ALTORC_DWARF_LINES_H

#include <stdbool.h>
#include <stdint.h>

#include <libdwarf.h>

#include "objfile.h"

struct dwarf_obj;

/*
 * Open f's DWARF.  Returns 0 with *out set, 1 when f has no DWARF at all
 * (*out NULL), -1 with err set when libdwarf rejects it.
 */
int dwarf_obj_open(struct objfile *f, struct dwarf_obj **out, struct ao_error *err);
void dwarf_obj_close(struct dwarf_obj *d);
Dwarf_Debug dwarf_obj_debug(const struct dwarf_obj *d);

/* The synthetic address of sec+off, and back (false: in no allocated section). */
uint64_t dwarf_obj_addr(const struct dwarf_obj *d, const struct objsec *sec, uint64_t off);
bool dwarf_obj_locate(const struct dwarf_obj *d, uint64_t addr, struct objsec **sec,
		      uint64_t *off);

/* Copy libdwarf's message for e into err (naming the file) and free e; returns -1. */
int dwarf_obj_fail(const struct dwarf_obj *d, Dwarf_Error e, struct ao_error *err,
		   const char *what);

/* ---- line table --------------------------------------------------------- */

struct dwarf_lines;

/*
 * Load every CU's line table.  Returns 0 with *out set (NULL when f has no
 * line information), -1 with err set.
 */
int dwarf_lines_load(struct objfile *f, struct dwarf_lines **out, struct ao_error *err);
void dwarf_lines_free(struct dwarf_lines *l);

/*
 * The source position of sec+off: the last line-table row at the greatest
 * address <= off within one sequence.  False when no sequence covers it.
 * *file stays valid until dwarf_lines_free().
 */
bool dwarf_lines_find(const struct dwarf_lines *l, const struct objsec *sec, uint64_t off,
		      const char **file, unsigned *line);

#endif
