// SPDX-License-Identifier: GPL-2.0
/*
 * objfile: the temporary copy a write edits (see objf_copy_start() in
 * include/objfile.h and the header of elf/write.c).
 *
 * The copy goes next to the original (rename(2) must stay within one
 * filesystem) and is made in chunks: after each one of a large copy we ask
 * the kernel to start writing it back (sync_file_range,
 * SYNC_FILE_RANGE_WRITE), which does not wait.  Made early, on its own
 * thread while the analysis runs, the copy is then mostly clean on disk by
 * the time the write edits it, and the flush before the rename only has
 * the edited pages left; for an 840 MB vmlinux.o that was over a second of
 * waiting at the very end.
 * Nothing here is needed for durability: the write still fsyncs the copy
 * before renaming it.
 *
 * Whoever holds a copy owns its temporary file: objf_copy_discard() stops
 * the thread and unlinks it, and objf_copy_take() hands both the file and
 * the duty to unlink it to the write.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objfile.h"
#include "elf_priv.h"

/* Bytes copied between two checks for a stop and two writeback requests. */
#define COPY_CHUNK (8u << 20)
/*
 * Writeback is started early only for copies this large: for a module's
 * few MB the final flush has little to wait for anyway, and ext4's
 * posix_fallocate() that extends the copy then waits for the writeback in
 * flight (6.12 xfs.o, 45 MB: 5 to 7 ms, where it takes 0.1 ms without).
 */
#define COPY_WRITEBACK_MIN ((off_t)64 << 20)

struct objf_copy {
	int src;                 /* the original, read-only */
	bool own_src;            /* src is ours to close (not the objfile's) */
	struct stat st;          /* of the original when the copy began */
	int fd;                  /* the copy */
	char path[PATH_MAX];     /* the copy's name; "" once unlinked or handed over */

	pthread_t thread;
	bool threaded;           /* thread started and not yet joined */
	atomic_bool stop;        /* discarded: the thread ends at its next chunk */
	bool by_hand;            /* the kernel could not copy: read and write */
	off_t copied;            /* bytes [0, copied) are in the copy */

	/* Outcome, read once the copy is over. */
	const char *failed;      /* which step failed, or NULL */
	int error;               /* its errno (0: the file shrank) */
};

static int copy_fail(struct objf_copy *c, const char *what, int error)
{
	c->failed = what;
	c->error = error;
	return -1;
}

/* Copy [pos, pos + len) with read/write. */
static int copy_by_hand(struct objf_copy *c, off_t pos, off_t len)
{
	char buf[1 << 16];

	while (len > 0) {
		ssize_t n = pread(c->src, buf, len < (off_t)sizeof(buf) ? (size_t)len : sizeof(buf), pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return copy_fail(c, "reading", errno);
		if (n == 0)
			return copy_fail(c, "the file shrank while being copied", 0);
		for (ssize_t done = 0; done < n;) {
			ssize_t m = pwrite(c->fd, buf + done, (size_t)(n - done), pos + done);

			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0)
				return copy_fail(c, "writing the temporary file", errno);
			done += m;
		}
		pos += n;
		len -= n;
	}
	return 0;
}

/*
 * Copy [pos, pos + len).  The kernel copies without bringing the bytes
 * through our memory (and shares the blocks where the filesystem can);
 * from the first refusal on, read and write instead.
 */
static int copy_chunk(struct objf_copy *c, off_t pos, off_t len)
{
	off_t in = pos, out = pos, end = pos + len;

	while (!c->by_hand && in < end) {
		ssize_t n = copy_file_range(c->src, &in, c->fd, &out, (size_t)(end - in), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == ENOSYS || errno == EXDEV || errno == EINVAL ||
			      errno == EOPNOTSUPP || errno == EPERM || errno == EBADF))
			c->by_hand = true;
		else if (n < 0)
			return copy_fail(c, "copying to the temporary file", errno);
		else if (n == 0)
			return copy_fail(c, "the file shrank while being copied", 0);
	}
	return in < end ? copy_by_hand(c, in, end - in) : 0;
}

static void *copy_run(void *p)
{
	struct objf_copy *c = p;

	while (c->copied < c->st.st_size) {
		off_t pos = c->copied;
		off_t len = c->st.st_size - pos < COPY_CHUNK ? c->st.st_size - pos : COPY_CHUNK;

		if (atomic_load(&c->stop))
			return NULL;
		if (copy_chunk(c, pos, len))
			return NULL;
		/*
		 * Start writing the chunk back now rather than all of it in the
		 * final flush.  Only a hint: its errors (and any writeback
		 * error) come back from the write's fsync.
		 */
		if (c->st.st_size >= COPY_WRITEBACK_MIN)
			(void)sync_file_range(c->fd, pos, len, SYNC_FILE_RANGE_WRITE);
		c->copied = pos + len;
	}
	return NULL;
}

/*
 * A copy made early exists for the whole analysis, seconds on a vmlinux.o:
 * when SIGINT, SIGTERM or SIGHUP ends the run (make interrupted), the
 * temporary file named here goes too.  One at a time (one write per run);
 * a name left after its file was renamed or unlinked only makes unlink()
 * fail.  Only signals still at their default action are taken over.
 */
static char doomed_path[PATH_MAX];
static volatile sig_atomic_t doomed;
static const int doom_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void doom_handler(int sig)
{
	if (doomed)
		unlink(doomed_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void doom_on_signal(const char *path)
{
	static bool installed;

	doomed = 0;
	memcpy(doomed_path, path, sizeof(doomed_path));
	doomed = 1;
	for (size_t i = 0; !installed && i < sizeof(doom_signals) / sizeof(*doom_signals); i++) {
		struct sigaction old, sa = { .sa_handler = doom_handler };

		if (!sigaction(doom_signals[i], NULL, &old) && old.sa_handler == SIG_DFL)
			sigaction(doom_signals[i], &sa, NULL);
	}
	installed = true;
}

void objf_copy_forget(void)
{
	doomed = 0;
}

/* Create c's temporary file beside path, with the original's permissions. */
static int copy_open(struct objf_copy *c, const char *path, struct ao_error *err)
{
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path + 1) : 0;
	const char *base = slash ? slash + 1 : path;

	if (fstat(c->src, &c->st))
		return ao_fail(err, AO_ERR_IO, "%s: %s", path, strerror(errno));
	if (snprintf(c->path, sizeof(c->path), "%.*s.%s.XXXXXX", dir_len, path, base) >=
	    (int)sizeof(c->path)) {
		c->path[0] = '\0';
		return ao_fail(err, AO_ERR_IO, "%s: path too long", path);
	}
	c->fd = mkstemp(c->path);
	if (c->fd < 0) {
		c->path[0] = '\0';
		return ao_fail(err, AO_ERR_IO, "%s: creating a temporary file: %s", path,
			       strerror(errno));
	}
	doom_on_signal(c->path);
	/* mkstemp made it 0600. */
	if (fchmod(c->fd, c->st.st_mode & 07777))
		return ao_fail(err, AO_ERR_IO, "%s: copying permissions: %s", path, strerror(errno));
	return 0;
}

/*
 * A copy, not yet made, of the original open on src (own_src: closed with
 * the copy).  Nothing is left behind on failure.
 */
static struct objf_copy *copy_create(const char *path, int src, bool own_src,
				     struct ao_error *err)
{
	struct objf_copy *c = ao_calloc(err, 1, sizeof(*c));

	if (!c) {
		if (own_src)
			close(src);
		return NULL;
	}
	c->src = src;
	c->own_src = own_src;
	c->fd = -1;
	if (copy_open(c, path, err)) {
		objf_copy_discard(c);
		return NULL;
	}
	return c;
}

int objf_copy_start(struct objf_copy **out, const char *path, struct ao_error *err)
{
	int src = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (src < 0)
		return ao_fail(err, AO_ERR_IO, "%s: %s", path, strerror(errno));
	*out = copy_create(path, src, true, err);
	if (!*out)
		return -1;
	/* Without a thread the copy is made when the write takes it. */
	(*out)->threaded = !pthread_create(&(*out)->thread, NULL, copy_run, *out);
	return 0;
}

/* Wait for the thread, if any; the copy is over after this. */
static void copy_join(struct objf_copy *c)
{
	if (c->threaded)
		pthread_join(c->thread, NULL);
	c->threaded = false;
}

void objf_copy_discard(struct objf_copy *c)
{
	if (!c)
		return;
	atomic_store(&c->stop, true);
	copy_join(c);
	if (c->fd >= 0)
		close(c->fd);
	if (c->path[0]) {
		unlink(c->path);
		objf_copy_forget();
	}
	if (c->own_src)
		close(c->src);
	free(c);
}

void objf_copy_attach(struct objfile *f, struct objf_copy *c)
{
	objf_copy_discard(objf_impl(f)->copy);
	objf_impl(f)->copy = c;
}

/* Is the copy of the file f has open, as it is now? */
static bool copy_is_of(const struct objf_copy *c, const struct objfile *f)
{
	struct stat st;

	return !fstat(f->fd, &st) && st.st_dev == c->st.st_dev && st.st_ino == c->st.st_ino &&
	       st.st_size == c->st.st_size && st.st_mtim.tv_sec == c->st.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == c->st.st_mtim.tv_nsec;
}

/*
 * The copy attached to f when it is of f's file, else one made now from
 * f's own descriptor (a file replaced or rewritten since the copy began
 * would otherwise get edits planned from another file's layout).
 */
static int copy_for(struct objfile *f, struct objf_copy **out, struct ao_error *err)
{
	struct objf_copy *c = objf_impl(f)->copy;

	objf_impl(f)->copy = NULL;
	if (c && copy_is_of(c, f)) {
		copy_join(c);
		*out = c;
		return 0;
	}
	objf_copy_discard(c);
	*out = copy_create(f->path, f->fd, false, err);
	return *out ? 0 : -1;
}

int objf_copy_take(struct objfile *f, int *fd, char *path, off_t *size, struct ao_error *err)
{
	struct objf_copy *c;
	int ret = copy_for(f, &c, err);

	if (!ret && !c->failed)
		copy_run(c);   /* the rest, if any: all of it when no thread ran */
	if (!ret && c->failed)
		ret = c->error ? ao_fail(err, AO_ERR_IO, "%s: %s: %s", f->path, c->failed,
					 strerror(c->error))
			       : ao_fail(err, AO_ERR_IO, "%s: %s", f->path, c->failed);
	if (!ret) {
		*fd = c->fd;
		*size = c->st.st_size;
		memcpy(path, c->path, sizeof(c->path));
		c->fd = -1;
		c->path[0] = '\0';
	}
	objf_copy_discard(c);
	return ret;
}
