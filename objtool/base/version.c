// SPDX-License-Identifier: GPL-2.0
/*
 * The Makefile passes both strings with -D for this file only, so changing
 * commit rebuilds one object; a build without them (another build system)
 * still links and says so.
 */
#include "version.h"

#ifndef ALTORC_VERSION
#define ALTORC_VERSION "0.0.0"
#endif
#ifndef ALTORC_COMMIT
#define ALTORC_COMMIT "unknown"
#endif

const char *altorc_version(void)
{
	return ALTORC_VERSION;
}

const char *altorc_commit(void)
{
	return ALTORC_COMMIT;
}
