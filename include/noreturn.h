/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel functions known never to return (the reference objtool's lists). */
#ifndef ALTORC_NORETURN_H
#define ALTORC_NORETURN_H

#include <stdbool.h>

/* Is name on the list of the 6.1 (or, when kernel_6_12, the 6.12) objtool? */
bool noreturn_listed(const char *name, bool kernel_6_12);

#endif
