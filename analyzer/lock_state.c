/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <errno.h>
#include <stdlib.h>

#include "lock_state.h"

const char *ls_kind_name(enum gs_lock_kind kind)
{
	switch (kind) {
	case GS_LOCK_MUTEX:
		return "mutex";
	case GS_LOCK_COND:
		return "condvar";
	default:
		return "semaphore";
	}
}

int ls_contended(const struct gs_lock *l)
{
	if (l->kind == GS_LOCK_COND) {
		return l->acquisitions > 0 || l->timeouts > 0;
	}
	return l->contended > 0 || l->busy > 0;
}

/* A freed mutex's memory may come back as a semaphore: the kind is part
 * of the key (user-space addresses leave the top bits free). */
static uint64_t lock_key(uint64_t address, enum gs_lock_kind kind)
{
	return address ^ ((uint64_t) kind << 62);
}

static struct gs_lock *lock_get(struct gs_process *p, uint64_t address, enum gs_lock_kind kind)
{
	uint64_t key = lock_key(address, kind);
	struct gs_lock *l = idmap_get(&p->locks, key);

	if (l) {
		return l;
	}
	l = calloc(1, sizeof(*l));
	if (!l || idmap_put(&p->locks, key, l) != 0) {
		free(l);
		return NULL;
	}
	l->address = address;
	l->kind = kind;
	return l;
}

static void call_begin(struct gs_thread *t, struct gs_lock *l, int64_t ts, uint64_t serial)
{
	t->call.lock = l;
	t->call.ts = ts;
	t->call.serial = serial;
	t->call.contended = l->holder && l->holder != t;
}

/* Ends the thread's call on l; returns its wait, or -1 if its begin was
 * not seen. */
static int64_t call_end(struct gs_thread *t, struct gs_lock *l, int64_t ts)
{
	if (t->call.lock != l) {
		return -1;
	}
	t->call.lock = NULL;
	return ts > t->call.ts ? ts - t->call.ts : 0;
}

static int wait_sample(struct gs_lock *l, int64_t wait)
{
	return wait >= 0 ? hist_add(&l->wait, (uint64_t) wait) : 0;
}

static void hold_end(struct gs_lock *l, struct gs_thread *t, int64_t ts, int *rc)
{
	if (l->holder != t) {
		/* Locked before the trace began, or by a thread whose unlock
		 * was lost: the hold time is unknown. */
		l->holder = NULL;
		l->depth = 0;
		return;
	}
	if (l->depth > 1) {
		l->depth--;
		return;
	}
	if (hist_add(&l->hold, (uint64_t) (ts > l->hold_ts ? ts - l->hold_ts : 0)) != 0) {
		*rc = -1;
	}
	l->holder = NULL;
	l->depth = 0;
}

/* owned: a mutex has a holder until it unlocks; a semaphore does not. */
static void acquired(struct gs_lock *l, struct gs_thread *t, int64_t ts, int contended, int owned)
{
	l->acquisitions++;
	if (owned && l->holder == t) {
		l->depth++;		/* recursive mutex */
		return;
	}
	if (contended) {
		l->contended++;
	}
	if (l->last_owner && l->last_owner != t) {
		l->owner_changes++;
	}
	l->last_owner = t;
	if (owned) {
		l->holder = t;
		l->depth = 1;
		l->hold_ts = ts;
	}
}

static int mutex_event(struct gs_thread *t, struct gs_lock *l, const struct gs_event *ev, int64_t ts)
{
	int rc = 0;
	int64_t wait;
	int contended;

	switch (ev->type) {
	case GS_EV_MUTEX_LOCK_BEGIN:
	case GS_EV_MUTEX_TIMEDLOCK_BEGIN:
		call_begin(t, l, ts, l->acquisitions);
		break;
	case GS_EV_MUTEX_LOCK_END:
	case GS_EV_MUTEX_TIMEDLOCK_END:
		/* Contended: held by another at the call, or taken by
		 * another while the caller was blocked. */
		contended = t->call.lock == l
			&& (t->call.contended || l->acquisitions > t->call.serial);
		wait = call_end(t, l, ts);
		if (ev->ret == 0) {
			rc = wait_sample(l, wait);
			acquired(l, t, ts, contended, 1);
		} else if (ev->ret == ETIMEDOUT) {
			l->timeouts++;
		}
		break;
	case GS_EV_MUTEX_TRYLOCK:
		if (ev->ret == 0) {
			acquired(l, t, ts, 0, 1);
		} else if (ev->ret == EBUSY) {
			l->busy++;
		}
		break;
	case GS_EV_MUTEX_UNLOCK:
		hold_end(l, t, ts, &rc);
		break;
	default:
		break;
	}
	return rc;
}

static int cond_event(struct gs_thread *t, struct gs_lock *c, struct gs_lock *m,
		const struct gs_event *ev, int64_t ts)
{
	int rc = 0;
	int64_t wait;

	switch (ev->type) {
	case GS_EV_COND_WAIT_BEGIN:
		call_begin(t, c, ts, 0);
		/* The wait releases the mutex ... */
		hold_end(m, t, ts, &rc);
		break;
	case GS_EV_COND_WAIT_END:
		wait = call_end(t, c, ts);
		rc = wait_sample(c, wait);
		c->acquisitions++;
		if (ev->ret == ETIMEDOUT) {
			c->timeouts++;
		}
		/* ... and returns with it held again. */
		m->holder = t;
		m->depth = 1;
		m->hold_ts = ts;
		break;
	case GS_EV_COND_SIGNAL:
		c->signals++;
		break;
	case GS_EV_COND_BROADCAST:
		c->broadcasts++;
		break;
	default:
		break;
	}
	return rc;
}

static int sem_event(struct gs_thread *t, struct gs_lock *s, const struct gs_event *ev, int64_t ts)
{
	int rc = 0;
	int64_t wait;
	int contended;

	switch (ev->type) {
	case GS_EV_SEM_WAIT_BEGIN:
		call_begin(t, s, ts, s->posts);
		break;
	case GS_EV_SEM_WAIT_END:
		/* It waited if it needed a post that came meanwhile. */
		contended = t->call.lock == s && s->posts > t->call.serial;
		wait = call_end(t, s, ts);
		if (ev->ret == 0) {
			rc = wait_sample(s, wait);
			acquired(s, t, ts, contended, 0);
		} else if (ev->err == ETIMEDOUT) {
			s->timeouts++;
		}
		break;
	case GS_EV_SEM_TRYWAIT:
		if (ev->ret == 0) {
			acquired(s, t, ts, 0, 0);
		} else if (ev->err == EAGAIN) {
			s->busy++;
		}
		break;
	case GS_EV_SEM_POST:
		s->posts++;
		break;
	default:
		break;
	}
	return rc;
}

int ls_feed(struct gs_thread *t, const struct gs_event *ev, int64_t ts)
{
	struct gs_process *p = t->proc;
	struct gs_lock *l, *m;

	switch (ev->type) {
	case GS_EV_MUTEX_LOCK_BEGIN:
	case GS_EV_MUTEX_LOCK_END:
	case GS_EV_MUTEX_TRYLOCK:
	case GS_EV_MUTEX_TIMEDLOCK_BEGIN:
	case GS_EV_MUTEX_TIMEDLOCK_END:
	case GS_EV_MUTEX_UNLOCK:
		l = lock_get(p, ev->addr, GS_LOCK_MUTEX);
		return l ? mutex_event(t, l, ev, ts) : -1;
	case GS_EV_COND_WAIT_BEGIN:
	case GS_EV_COND_WAIT_END:
		l = lock_get(p, ev->addr, GS_LOCK_COND);
		m = lock_get(p, ev->addr2, GS_LOCK_MUTEX);
		return l && m ? cond_event(t, l, m, ev, ts) : -1;
	case GS_EV_COND_SIGNAL:
	case GS_EV_COND_BROADCAST:
		l = lock_get(p, ev->addr, GS_LOCK_COND);
		return l ? cond_event(t, l, NULL, ev, ts) : -1;
	case GS_EV_SEM_WAIT_BEGIN:
	case GS_EV_SEM_WAIT_END:
	case GS_EV_SEM_TRYWAIT:
	case GS_EV_SEM_POST:
		l = lock_get(p, ev->addr, GS_LOCK_SEM);
		return l ? sem_event(t, l, ev, ts) : -1;
	default:
		return 0;
	}
}

void ls_free_process(struct gs_process *p)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&p->locks, &pos, &v)) {
		struct gs_lock *l = v;

		hist_free(&l->wait);
		hist_free(&l->hold);
		free(l);
	}
	idmap_free(&p->locks);
}
