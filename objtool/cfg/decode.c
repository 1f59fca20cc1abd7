// SPDX-License-Identifier: GPL-2.0
/*
 * First CFG pass: decode every executable section into per-section
 * instruction arrays and tie each instruction to its function symbol.
 * Also derives the per-function facts the later passes need: .cold
 * parent/child links and aliases (several symbols over one range).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "ao_threads.h"
#include "arch_decode.h"
#include "cfg_priv.h"

static bool sec_is_text(const char *name)
{
	return strcmp(name, ".altinstr_replacement") && strcmp(name, ".altinstr_aux") &&
	       strncmp(name, ".discard.", 9);
}

/* Append n (at most INSN_MAX_OPS) ops to cfg's pool as insn's. */
static int store_ops(struct cfg *cfg, struct instr *insn, const struct stack_op *ops, unsigned n)
{
	if (AO_GROW(cfg->err, cfg->ops, cfg->cap_ops, cfg->nr_ops + n, 4096))
		return -1;
	insn->ops_index = (uint32_t)cfg->nr_ops;
	insn->nr_ops = (uint8_t)n;
	for (unsigned k = 0; k < n; k++)   /* a loop, not a library call */
		cfg->ops[cfg->nr_ops++] = ops[k];
	return 0;
}

/* Keep stack ops in one pool: most instructions have none. */
int cfg_store_ops(struct cfg *cfg, struct instr *insn, const struct insn_decoded *d)
{
	return d->nr_ops ? store_ops(cfg, insn, d->ops, d->nr_ops) : 0;
}

/*
 * Decoding is the costliest pass and the only one whose work splits
 * cleanly: a section is cut into chunks at function starts, chunks are
 * decoded on threads into compact records, and the instruction arrays are
 * then filled in section order on one thread.  A chunk boundary is an
 * instruction boundary of the sequential decode only if the chunk before
 * ends exactly there; when one does not (data or odd padding in the code),
 * or when a chunk fails, that section is decoded again in one piece, so
 * the instructions, stack-op pool and errors are the sequential ones.
 */

/*
 * The automatic choice: threads from about a million instructions of code
 * (as validate/walk_threads.c); chunks no smaller than this.
 */
#define DECODE_THREADS_MIN_BYTES (3u << 20)
#define DECODE_CHUNK_MIN (64u << 10)

/* What decoding keeps of an instruction until its section's array exists. */
struct dec_rec {
	int64_t disp;
	uint8_t len;
	uint8_t kind;
	uint8_t nr_ops;
	bool has_target;
};

struct dec_chunk {
	struct objsec *sec;
	uint64_t start, end;
	struct dec_rec *recs;
	size_t nr, cap;
	struct stack_op *ops;
	size_t nr_ops, cap_ops;
	uint64_t stop;     /* where decoding stopped: >= end when it ran to the end */
	bool failed;       /* the decoder rejected the bytes at stop */
	bool nomem;
};

static bool chunk_grow(struct dec_chunk *c, size_t more_ops)
{
	if (c->nr == c->cap) {
		size_t old = c->cap;

		if (AO_GROW(NULL, c->recs, c->cap, c->nr + 1, (size_t)(c->end - c->start) / 3 + 16))
			return false;
		ao_advise_huge(c->recs + old, (c->cap - old) * sizeof(*c->recs));
	}
	return !AO_GROW(NULL, c->ops, c->cap_ops, c->nr_ops + more_ops, 1024);
}

/* What a record keeps of a decoded instruction. */
static struct dec_rec rec_of(const struct insn_decoded *d)
{
	return (struct dec_rec){ .disp = d->disp, .len = d->len, .kind = d->kind,
				 .nr_ops = d->nr_ops, .has_target = d->has_target };
}

/* The instruction at off in sec; -1 when the decoder rejects its bytes. */
static int decode_at(const struct cfg *cfg, struct arch_decode_cache *memo, struct objsec *sec,
		     uint64_t off, struct insn_decoded *d)
{
	if (arch_decode_cached(cfg->decoder, memo, sec->data + off, sec->size - off, d))
		return -1;
	/* iret inside a function (sync_core) is a plain stack adjustment */
	if ((d->flags & INSN_F_IRET) && objf_func_at(sec, off))
		arch_decode_iret_in_func(d);
	return 0;
}

/*
 * Decode [start, end) of the chunk's section; thread-safe (reads only shared
 * data) as long as no other thread uses memo (NULL: none).
 */
static void decode_chunk(const struct cfg *cfg, struct arch_decode_cache *memo,
			 struct dec_chunk *c)
{
	struct insn_decoded d;
	uint64_t off;

	for (off = c->start; off < c->end; off += d.len) {
		if (decode_at(cfg, memo, c->sec, off, &d)) {
			c->failed = true;
			break;
		}
		if (!chunk_grow(c, d.nr_ops)) {
			c->nomem = true;
			break;
		}
		c->recs[c->nr++] = rec_of(&d);
		/* at most INSN_MAX_OPS: a loop, not a library call */
		for (unsigned k = 0; k < d.nr_ops; k++)
			c->ops[c->nr_ops++] = d.ops[k];
	}
	c->stop = off;
}

static void chunk_free(struct dec_chunk *c)
{
	free(c->recs);
	free(c->ops);
	c->recs = NULL;
	c->ops = NULL;
	c->nr = c->cap = c->nr_ops = c->cap_ops = 0;
}

/* Lookups by offset start from a block's first instruction (cfg_lower_bound). */
static int index_blocks(struct cfg *cfg, struct code_section *cs)
{
	size_t nb = (cs->sec->size >> CFG_BLOCK_SHIFT) + 1, i = 0;

	cs->block_first = ao_calloc(cfg->err, nb, sizeof(*cs->block_first));
	if (!cs->block_first)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		while (i < cs->nr && cs->insns[i].offset < (uint64_t)b << CFG_BLOCK_SHIFT)
			i++;
		cs->block_first[b] = (uint32_t)i;
	}
	cs->nr_blocks = nb;
	return 0;
}

/* insn, at off in sec, as decoded (rec) with its nr_ops ops (may be NULL when none). */
static int set_insn(struct cfg *cfg, struct instr *insn, struct objsec *sec, uint64_t off,
		    const struct dec_rec *r, const struct stack_op *ops)
{
	memset(insn, 0, sizeof(*insn));
	insn->sec = sec;
	insn->offset = (uint32_t)off;
	insn->len = r->len;
	insn->kind = r->kind;
	if (r->disp) {   /* a direct branch: it gets its extra now */
		if (!cfg_extra(cfg, insn))
			return -1;
		insn->x->disp = (int32_t)r->disp;
	}
	insn->has_target = r->has_target;
	if (r->kind == INSN_BUG)
		insn->flags |= IF_DEAD_END;   /* ud2 is a dead end unless annotated */
	return r->nr_ops ? store_ops(cfg, insn, ops, r->nr_ops) : 0;
}

/* The array is complete: chain it and index it for lookups by offset. */
static int close_section(struct cfg *cfg, struct code_section *cs)
{
	for (size_t i = 0; i + 1 < cs->nr; i++)
		cs->insns[i].has_next = true;
	cfg->nr_insns += cs->nr;
	return index_blocks(cfg, cs);
}

/* The section's instruction array from its chunks' records, in order. */
static int fill_section(struct cfg *cfg, struct code_section *cs, struct dec_chunk *c, size_t n)
{
	struct objsec *sec = cs->sec;
	size_t total = 0;

	for (size_t k = 0; k < n; k++)
		total += c[k].nr;
	cs->insns = ao_reallocarray(cfg->err, NULL, total ? total : 1, sizeof(*cs->insns));
	if (!cs->insns)
		return -1;
	ao_advise_huge(cs->insns, total * sizeof(*cs->insns));
	for (size_t k = 0; k < n; k++) {
		const struct stack_op *ops = c[k].ops;
		uint64_t off = c[k].start;

		for (size_t j = 0; j < c[k].nr; j++) {
			const struct dec_rec *r = &c[k].recs[j];

			if (set_insn(cfg, &cs->insns[cs->nr++], sec, off, r, ops))
				return -1;
			if (r->nr_ops)   /* ops is NULL in a chunk without any */
				ops += r->nr_ops;
			off += r->len;
		}
		chunk_free(&c[k]);
	}
	return close_section(cfg, cs);
}

/*
 * With one thread, a section is decoded straight into its instruction
 * array: the chunks' records are there for the threads, and without them
 * the decode writes no second array, 16 bytes an instruction, copied and
 * freed.  The array starts with room for an instruction per two bytes
 * (6.12's xfs.o has one per 3.3): virtual room, touched only as it fills,
 * so that it seldom has to move.  For the 78 6.12 modules the decode's
 * page faults went from 31,000 to 21,000.  Same instructions, ops and
 * errors as a chunk.
 */
static int decode_section(struct cfg *cfg, struct arch_decode_cache *memo, struct code_section *cs)
{
	struct objsec *sec = cs->sec;
	struct insn_decoded d;
	size_t cap = 0;

	for (uint64_t off = 0; off < sec->size; off += d.len) {
		if (decode_at(cfg, memo, sec, off, &d))
			return objf_fail(cfg->file, cfg->err, sec, off, "can't decode instruction");
		if (cs->nr == cap) {
			size_t old = cap;

			if (AO_GROW(cfg->err, cs->insns, cap, cs->nr + 1, sec->size / 2 + 16))
				return -1;
			ao_advise_huge(cs->insns + old, (cap - old) * sizeof(*cs->insns));
		}
		const struct dec_rec r = rec_of(&d);

		if (set_insn(cfg, &cs->insns[cs->nr++], sec, off, &r, d.ops))
			return -1;
	}
	return close_section(cfg, cs);
}

/*
 * The chunks of one section agree with a sequential decode when none failed
 * and each but the last ended exactly where the next one starts.
 */
static bool chunks_agree(const struct dec_chunk *c, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (c[k].failed || c[k].nomem || (k + 1 < n && c[k].stop != c[k].end))
			return false;
	return true;
}

/* Build one section from its chunks, decoding it again in one piece if they disagree. */
static int finish_section(struct cfg *cfg, struct objsec *sec, struct dec_chunk *c, size_t n)
{
	struct code_section *cs = &cfg->csecs[sec->index];

	if (!chunks_agree(c, n)) {
		if (cfg->opts.verbose)
			fprintf(stderr, "altorc: %s: %s: chunks disagree, decoded again in one piece\n",
				cfg->file->path, sec->name);
		for (size_t k = 0; k < n; k++)
			chunk_free(&c[k]);
		c[0].end = sec->size;
		c[0].failed = c[0].nomem = false;
		decode_chunk(cfg, NULL, &c[0]);
		n = 1;
		if (c[0].nomem) {
			chunk_free(&c[0]);
			return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory");
		}
		if (c[0].failed) {
			chunk_free(&c[0]);
			return objf_fail(cfg->file, cfg->err, sec, c[0].stop, "can't decode instruction");
		}
	}
	return fill_section(cfg, cs, c, n);
}

static bool decodes(const struct objsec *sec)
{
	return sec->is_exec && sec->shdr.sh_type != SHT_NOBITS;
}

/* How many threads decode: the option, or by the amount of code. */
static unsigned decode_threads(const struct cfg *cfg, uint64_t bytes)
{
	return ao_auto_threads(cfg->opts.threads, bytes >= DECODE_THREADS_MIN_BYTES);
}

/*
 * Cut sec into chunks of about want bytes at function starts; appends to
 * *v (grown as needed); -1 when out of memory.
 */
static int cut_section(struct objsec *sec, uint64_t want, struct dec_chunk **v, size_t *nr,
		       size_t *cap)
{
	uint64_t start = 0;

	for (size_t i = 0; i <= sec->nr_syms; i++) {
		uint64_t at = i < sec->nr_syms ? sec->syms[i]->offset : sec->size;

		if (i < sec->nr_syms && (sec->syms[i]->type != STT_FUNC || at < start + want ||
					 at >= sec->size))
			continue;
		if (at <= start)
			continue;
		if (AO_GROW(NULL, *v, *cap, *nr + 1, 64))
			return -1;
		memset(&(*v)[*nr], 0, sizeof(**v));
		(*v)[*nr].sec = sec;
		(*v)[*nr].start = start;
		(*v)[*nr].end = at;
		(*nr)++;
		start = at;
	}
	return 0;
}

/*
 * The decode memos (arch_decode_cache_new()), one per thread at work: a job
 * takes an idle one, or makes one while fewer than DECODE_MEMOS exist, and
 * gives it back when done.  A job that finds none decodes without.
 */
#define DECODE_MEMOS 16

struct decode_jobs {
	const struct cfg *cfg;
	struct dec_chunk *chunks;
	uint64_t bytes;          /* of code in all: sizes the memos */
	pthread_mutex_t lock;
	struct arch_decode_cache *memo[DECODE_MEMOS];
	bool busy[DECODE_MEMOS];
};

static int memo_take(struct decode_jobs *j)
{
	int got = -1;

	pthread_mutex_lock(&j->lock);
	for (int m = 0; m < DECODE_MEMOS && got < 0; m++) {
		if (j->busy[m])
			continue;
		if (!j->memo[m])
			j->memo[m] = arch_decode_cache_new((size_t)j->bytes);
		if (j->memo[m]) {
			j->busy[m] = true;
			got = m;
		}
	}
	pthread_mutex_unlock(&j->lock);
	return got;
}

static void memo_give_back(struct decode_jobs *j, int m)
{
	if (m < 0)
		return;
	pthread_mutex_lock(&j->lock);
	j->busy[m] = false;
	pthread_mutex_unlock(&j->lock);
}

static void decode_job(void *ctx, size_t i)
{
	struct decode_jobs *j = ctx;
	int m = memo_take(j);

	decode_chunk(j->cfg, m < 0 ? NULL : j->memo[m], &j->chunks[i]);
	memo_give_back(j, m);
}

/* Decode every chunk, on threads when asked; the memos are freed after. */
static void decode_chunks(const struct cfg *cfg, unsigned threads, struct dec_chunk *chunks,
			  size_t nr, uint64_t bytes)
{
	struct decode_jobs j = { .cfg = cfg, .chunks = chunks, .bytes = bytes };

	pthread_mutex_init(&j.lock, NULL);
	ao_run_jobs(threads, 0, nr, decode_job, &j);
	pthread_mutex_destroy(&j.lock);
	for (int m = 0; m < DECODE_MEMOS; m++)
		arch_decode_cache_free(j.memo[m]);
}

/*
 * Section bytes and relocations, in section order: libelf is not shared
 * between threads.  Relocations are loaded here, not on first lookup:
 * objf_rel_at() cannot report a bad table and would read it as "no
 * relocation" (found by tests/scripts/malformed.sh).  Returns the index of
 * the first section that failed (its error in *lerr), else nr_secs.
 */
static size_t load_sections(struct cfg *cfg, struct ao_error *lerr, uint64_t *bytes)
{
	struct objfile *f = cfg->file;

	*bytes = 0;
	for (size_t i = 1; i < f->nr_secs; i++) {
		struct objsec *sec = &f->secs[i];

		if (!decodes(sec))
			continue;
		if (objf_sec_data(sec, lerr) || objf_sec_rels(sec, lerr))
			return i;
		if (sec->size > UINT32_MAX) {   /* struct instr holds 32-bit offsets */
			objf_fail(f, lerr, sec, 0, "code section too large (4 GiB or more)");
			return i;
		}
		cfg->csecs[i].sec = sec;
		cfg->csecs[i].is_text = sec_is_text(sec->name);
		if (sec->data)
			*bytes += sec->size;
	}
	return f->nr_secs;
}

/* One thread: each section straight into its array, one memo for them all. */
static int decode_sequential(struct cfg *cfg, size_t bad, uint64_t bytes)
{
	struct objfile *f = cfg->file;
	struct arch_decode_cache *memo = arch_decode_cache_new((size_t)bytes);
	int ret = 0;

	for (size_t i = 1; i < bad && !ret; i++) {
		struct objsec *sec = &f->secs[i];

		if (decodes(sec) && sec->data && sec->size)
			ret = decode_section(cfg, memo, &cfg->csecs[i]);
	}
	arch_decode_cache_free(memo);
	return ret;
}

/* Threads: sections cut into chunks at function starts, decoded, then filled in order. */
static int decode_threaded(struct cfg *cfg, size_t bad, uint64_t bytes, unsigned threads)
{
	struct objfile *f = cfg->file;
	struct dec_chunk *chunks = NULL;
	size_t nr = 0, cap = 0, k = 0;
	int ret = 0;

	for (size_t i = 1; i < bad; i++) {
		struct objsec *sec = &f->secs[i];
		uint64_t want = sec->size / (threads * 4u);

		if (!decodes(sec) || !sec->data || !sec->size)
			continue;
		if (cut_section(sec, want < DECODE_CHUNK_MIN ? DECODE_CHUNK_MIN : want, &chunks, &nr,
				&cap)) {
			free(chunks);
			return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory");
		}
	}
	if (cfg->opts.verbose)
		fprintf(stderr, "altorc: %s: decoding %zu chunks on %u threads\n", f->path, nr, threads);
	decode_chunks(cfg, threads, chunks, nr, bytes);
	/* In section order, as the sequential decode met them: instructions, ops, errors. */
	while (k < nr) {
		size_t n = 1;

		while (k + n < nr && chunks[k + n].sec == chunks[k].sec)
			n++;
		if (!ret && finish_section(cfg, chunks[k].sec, &chunks[k], n))
			ret = -1;
		for (size_t j = k; j < k + n; j++)
			chunk_free(&chunks[j]);
		k += n;
	}
	free(chunks);
	return ret;
}

static int decode_all(struct cfg *cfg)
{
	struct objfile *f = cfg->file;
	struct ao_error lerr = { 0 };
	size_t bad;
	uint64_t bytes;
	unsigned threads;
	int ret;

	bad = load_sections(cfg, &lerr, &bytes);
	threads = decode_threads(cfg, bytes);
	ret = threads > 1 ? decode_threaded(cfg, bad, bytes, threads)
			  : decode_sequential(cfg, bad, bytes);
	if (!ret && bad < f->nr_secs) {
		*cfg->err = lerr;
		ret = -1;
	}
	return ret;
}

/* Symbols over the same range: the last one in the table stands for all. */
static void link_aliases(struct cfg *cfg, struct objsec *sec)
{
	for (size_t i = 0; i < sec->nr_syms; i++) {
		struct objsym *s = sec->syms[i];
		struct func_info *fi = &cfg->finfo[s->index];

		if (!fi->alias)
			fi->alias = s;
		for (size_t j = i + 1; j < sec->nr_syms && sec->syms[j]->offset == s->offset; j++) {
			struct objsym *t = sec->syms[j];

			if (t->type == s->type && t->size == s->size) {
				struct objsym *later = t->index > s->index ? t : s;
				struct objsym *earlier = later == t ? s : t;

				cfg->finfo[earlier->index].alias = later;
			}
		}
	}
}

/* The first function symbol called name[0..len) (names of .cold parts' parents). */
static struct objsym *find_func_by_name(struct objfile *f, const char *name, size_t len)
{
	char buf[512];
	struct objsym *s;

	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (s = objf_sym_by_name(f, buf); s; s = objf_sym_next_same_name(f, s))
		if (s->type == STT_FUNC)
			return s;
	return NULL;
}

/* foo.cold is the out-of-line part of foo: validated as part of it. */
static void link_cold_parts(struct cfg *cfg)
{
	struct objfile *f = cfg->file;

	for (size_t i = 1; i < f->nr_syms; i++) {
		struct objsym *s = &f->syms[i];
		struct func_info *fi = &cfg->finfo[i];
		const char *cold;
		struct objsym *parent;

		if (s->type != STT_FUNC)
			continue;
		if (!fi->pfunc)
			fi->pfunc = s;
		if (!fi->cfunc)
			fi->cfunc = s;
		cold = strstr(s->name, ".cold");
		if (!cold)
			continue;
		parent = find_func_by_name(f, s->name, (size_t)(cold - s->name));
		if (!parent)
			continue;
		fi->pfunc = parent;
		cfg->finfo[parent->index].cfunc = s;
		if (!cfg->finfo[parent->index].pfunc)
			cfg->finfo[parent->index].pfunc = parent;
	}
}

static int assign_functions(struct cfg *cfg, struct code_section *cs)
{
	struct objsec *sec = cs->sec;

	for (size_t i = 0; i < sec->nr_syms; i++) {
		struct objsym *func = sec->syms[i];
		struct instr *insn;

		if (func->type != STT_FUNC || cfg->finfo[func->index].alias != func)
			continue;
		insn = cfg_find(cfg, sec, func->offset);
		if (!insn)
			return objf_fail(cfg->file, cfg->err, sec, func->offset,
					 "%s(): can't find starting instruction", func->name);
		for (; insn && insn->offset < func->offset + func->size; insn = cfg_insn_next(insn))
			insn->func = func;
	}
	return 0;
}

int cfg_decode_sections(struct cfg *cfg)
{
	struct objfile *f = cfg->file;

	if (decode_all(cfg))
		return -1;

	for (size_t i = 1; i < f->nr_secs; i++)
		link_aliases(cfg, &f->secs[i]);
	link_cold_parts(cfg);

	for (size_t i = 1; i < f->nr_secs; i++)
		if (cfg->csecs[i].sec && assign_functions(cfg, &cfg->csecs[i]))
			return -1;
	return 0;
}
