/* SPDX-License-Identifier: GPL-2.0 */
/* Functions callable with UACCESS enabled (the reference objtool's lists). */
#ifndef ALTORC_UACCESS_SAFE_H
#define ALTORC_UACCESS_SAFE_H

#include <stdbool.h>

/* Is name on the 6.1 (or, when kernel_6_12, the 6.12) objtool's list? */
bool uaccess_safe_listed(const char *name, bool kernel_6_12);

#endif
