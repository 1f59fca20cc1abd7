/* SPDX-License-Identifier: GPL-2.0 */
/* Function-prefix padding gets its function's entry state (validate/prefix.c). */
#ifndef ALTORC_PREFIX_H
#define ALTORC_PREFIX_H

#include "cfg.h"

void prefix_propagate(struct cfg *cfg);

#endif
