// SPDX-License-Identifier: MIT
/*
 * A VM's RAM as the switch sees it (sw.h): the regions of an ATTACH
 * mapped MAP_SHARED, for the data planes that read and write guest
 * memory themselves (pv backends, SR-IOV VFs). And the one check both
 * make of every memfd they map: sealed against shrinking, or the VMM
 * could truncate it under us and SIGBUS the whole switch. And the dirty
 * log a migrating VMM hands over (DIRTY_LOG), checked here once so the
 * data path can mark pages without a bounds doubt.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vswitch/sw.h"

int sw_memfd_check(int fd, uint64_t offset, uint64_t size, const char *what,
		   char *err, size_t errlen)
{
	int seals = fcntl(fd, F_GET_SEALS);
	struct stat sb;

	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		snprintf(err, errlen, "%s: memfd not sealed against shrinking",
			 what);
		return -EPERM;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size < offset ||
	    (uint64_t)sb.st_size - offset < size) {
		snprintf(err, errlen, "%s beyond its memfd", what);
		return -EINVAL;
	}
	return 0;
}

int sw_guest_mem_map(struct guest_mem *gm, const struct attach_msg *m,
		     char *err, size_t errlen)
{
	const struct attach_req *r = &m->u.attach;

	memset(gm, 0, sizeof(*gm));
	gm->fd = -1;
	if (r->nregions > GUEST_MEM_MAX_REGIONS) {
		snprintf(err, errlen, "%u RAM regions, at most %u",
			 r->nregions, GUEST_MEM_MAX_REGIONS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < r->nregions; i++) {
		const struct attach_region *g = &r->regions[i];
		int fd = m->fds[g->fd_index];
		char what[32];
		void *p;
		int ret;

		snprintf(what, sizeof(what), "region %u", i);
		ret = sw_memfd_check(fd, g->offset, g->size, what, err,
				     errlen);
		if (ret < 0) {
			sw_guest_mem_unmap(gm);
			return ret;
		}
		p = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, (off_t)g->offset);
		if (p == MAP_FAILED) {
			ret = -errno;
			snprintf(err, errlen, "region %u: mmap: %s", i,
				 strerror(errno));
			sw_guest_mem_unmap(gm);
			return ret;
		}
		gm->regions[i] = (struct guest_mem_region){
			.gpa = g->gpa, .size = g->size,
			.fd_offset = g->offset, .hva = p,
		};
		gm->nregions = i + 1;
		gm->size += g->size;
	}
	return 0;
}

void sw_guest_mem_unmap(struct guest_mem *gm)
{
	for (unsigned i = 0; i < gm->nregions; i++)
		if (gm->regions[i].hva)
			munmap(gm->regions[i].hva, gm->regions[i].size);
	gm->nregions = 0;
	gm->size = 0;
}

bool sw_guest_mem_one_fd(const struct attach_msg *m)
{
	const struct attach_req *r = &m->u.attach;

	for (unsigned i = 1; i < r->nregions; i++)
		if (r->regions[i].fd_index != r->regions[0].fd_index)
			return false;
	return true;
}

int sw_dirty_log_map(struct sw_dirty_log *dl, const struct attach_msg *m,
		     const struct guest_mem *gm, bool one_fd, char *err,
		     size_t errlen)
{
	const struct attach_dirty_log *d = &m->u.dirty_log;
	const uint64_t max_pages = GUEST_MEM_MAX >> DIRTY_LOG_PAGE_SHIFT;
	uint64_t need;
	void *p;
	int ret;

	memset(dl, 0, sizeof(*dl));
	if (!one_fd) {
		snprintf(err, errlen, "guest RAM comes from more than one "
			 "memfd: one dirty log cannot cover it");
		return -EINVAL;
	}
	if (m->nfds != 1 || d->size > dirty_log_shm_size(max_pages)) {
		snprintf(err, errlen, "dirty log of %llu bytes, at most %zu",
			 (unsigned long long)d->size,
			 dirty_log_shm_size(max_pages));
		return -EINVAL;
	}
	ret = sw_memfd_check(m->fds[0], 0, d->size, "dirty log", err,
			     errlen);
	if (ret < 0)
		return ret;
	p = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 m->fds[0], 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "dirty log: mmap: %s", strerror(errno));
		return ret;
	}
	/* The header is the VMM's: copied once, checked against the size
	 * we mapped; the view keeps its own geometry from here. */
	if (dirty_log_view_map(&dl->view, p, d->size, max_pages) < 0) {
		munmap(p, d->size);
		snprintf(err, errlen, "dirty log: bad header (magic, version "
			 "or geometry beyond its %llu bytes)",
			 (unsigned long long)d->size);
		return -EINVAL;
	}
	if (dirty_log_view_covers(&dl->view, gm, &need) < 0) {
		snprintf(err, errlen, "dirty log too small: %llu pages, guest "
			 "RAM reaches page %llu",
			 (unsigned long long)dl->view.npages,
			 (unsigned long long)need);
		munmap(p, d->size);
		memset(dl, 0, sizeof(*dl));
		return -ERANGE;
	}
	dl->base = p;
	dl->size = d->size;
	return 0;
}

void sw_dirty_log_unmap(struct sw_dirty_log *dl)
{
	if (dl->base)
		munmap(dl->base, dl->size);
	memset(dl, 0, sizeof(*dl));
}
