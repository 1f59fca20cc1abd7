/*
 * Where a run's time goes, phase by phase, for whoever profiles altorc on a
 * big object (a vmlinux.o): with ALTORC_PHASES set in the environment each
 * ao_phase_end() prints, on stderr, the wall time, the process's CPU
 * time (all threads) and its minor page faults since the previous one, and
 * its peak resident memory so far.  Otherwise it costs one test.
 * Called from the main thread only; the output is not part of any format
 * kbuild or CI reads.
 */
#ifndef AO_PHASES_H
#define AO_PHASES_H

/* Start the clock (the command line is read): the first phase begins here. */
void ao_phases_start(void);

/* The phase that ends now, named by a short literal ("decode", "write"). */
void ao_phase_end(const char *name);

#endif
