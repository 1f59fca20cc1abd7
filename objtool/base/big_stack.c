// SPDX-License-Identifier: GPL-2.0
/*
 * A call on a deep stack: see ao_call_on_big_stack() in include/ao_threads.h.
 * Apart from the rest of base/ because <ucontext.h> names registers
 * (REG_R8, ...) as our own x86 headers do.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "ao_sanitize.h"
#include "ao_threads.h"

struct big_call {
	int (*fn)(void *);
	void *arg;
	int ret;
};

static void *thread_main(void *p)
{
	struct big_call *c = p;

	c->ret = c->fn(c->arg);
	return NULL;
}

static bool run_on_thread(struct big_call *c, size_t size)
{
	pthread_attr_t attr;
	pthread_t t;
	bool ok = false;

	if (pthread_attr_init(&attr))
		return false;
	if (!pthread_attr_setstacksize(&attr, size) && !pthread_create(&t, &attr, thread_main, c)) {
		pthread_join(t, NULL);
		ok = true;
	}
	pthread_attr_destroy(&attr);
	return ok;
}

/* ASan follows a switch to a stack of our own only in part: a thread there. */
#if !AO_ASAN
/* makecontext() passes ints only: the call goes through this. */
static _Thread_local struct big_call *switched_call;

static void switched_main(void)
{
	switched_call->ret = switched_call->fn(switched_call->arg);
}

/*
 * On this thread, on a stack mapped for the call.  A second thread made
 * the whole process multi-threaded for one call: its creation, a malloc
 * arena of its own, and every munmap after it a TLB flush on the other
 * CPU; for the 78 6.12 modules that was 6 to 10% of altorc's CPU.  The
 * lowest page is a guard: running off the end faults, as on a thread.
 */
static bool run_switched(struct big_call *c, size_t size)
{
	struct big_call *outer = switched_call;
	ucontext_t back, big;
	void *stack;
	bool ok;

	stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return false;
	ok = !mprotect(stack, 4096, PROT_NONE) && !getcontext(&big);
	if (ok) {
		big.uc_stack.ss_sp = stack;
		big.uc_stack.ss_size = size;
		big.uc_link = &back;
		makecontext(&big, switched_main, 0);
		switched_call = c;
		ok = !swapcontext(&back, &big);
		switched_call = outer;
	}
	munmap(stack, size);
	return ok;
}
#endif

int ao_call_on_big_stack(int (*fn)(void *), void *arg, size_t size)
{
	struct big_call c = { fn, arg, -1 };

#if !AO_ASAN
	if (run_switched(&c, size))
		return c.ret;
#endif
	if (run_on_thread(&c, size))
		return c.ret;
	return fn(arg);   /* neither: the stack we have */
}
