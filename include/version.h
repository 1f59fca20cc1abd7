/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which build this is: the release version (the VERSION file) and the git
 * commit the binary was built from, so an ORC table or a findings file can be
 * traced to the code that produced it.
 */
#ifndef ALTORC_VERSION_H
#define ALTORC_VERSION_H

/* "0.1.0" */
const char *altorc_version(void);
/* Abbreviated commit hash, "-dirty" appended for uncommitted changes; "unknown" outside git. */
const char *altorc_commit(void);

#endif
