// SPDX-License-Identifier: MIT
/*
 * Guest RAM in a memfd. A memfd (rather than anonymous memory) so the
 * switch can map the same pages for the pv backend and the SR-IOV model,
 * and so migration and tests can share it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOG_SUBSYS "mem"
#include "base/log.h"
#include "core/guest_mem.h"

#define HUGE_2M (2ull << 20)

void guest_mem_layout(struct guest_mem *gm, uint8_t *base, uint64_t size)
{
	uint64_t low = size < GUEST_MEM_LOW_LIMIT ? size : GUEST_MEM_LOW_LIMIT;

	gm->base = base;
	gm->size = size;
	gm->nregions = 1;
	gm->regions[0] = (struct guest_mem_region){
		.gpa = 0, .size = low, .fd_offset = 0, .hva = base,
	};
	if (size > low) {
		gm->regions[1] = (struct guest_mem_region){
			.gpa = GUEST_MEM_HIGH_BASE,
			.size = size - low,
			.fd_offset = low,
			.hva = base + low,
		};
		gm->nregions = 2;
	}
}

/* Free 2 MiB pages in the pool, or 0 if there is no pool. */
static uint64_t guest_mem_free_hugepages(void)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/"
			"free_hugepages", "r");
	unsigned long long n = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

static int guest_mem_map(struct guest_mem *gm, uint64_t size, bool huge)
{
	unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING |
			 (huge ? MFD_HUGETLB : 0);
	void *p;
	int fd;

	fd = memfd_create("iopath-guest-ram", flags);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size) < 0)
		goto fail;
	/*
	 * Sealed at its size: the switch maps this memfd for the pv backend
	 * and must not take SIGBUS because someone shrank it later; it
	 * refuses guest RAM without F_SEAL_SHRINK.
	 */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		log_warn("cannot seal guest RAM: %s", strerror(errno));
	/* MAP_SHARED on hugetlbfs reserves the pages now, so a short pool
	 * fails here instead of with SIGBUS later. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	gm->fd = fd;
	gm->hugetlb = huge;
	guest_mem_layout(gm, p, size);
	return 0;
fail:
	{
		int err = errno;

		close(fd);
		return -err;
	}
}

int guest_mem_create(struct guest_mem *gm, uint64_t size, bool no_huge)
{
	uint64_t phys = (uint64_t)sysconf(_SC_PHYS_PAGES) *
			(uint64_t)sysconf(_SC_PAGESIZE);
	int ret;

	memset(gm, 0, sizeof(*gm));
	gm->fd = -1;
	if (size == 0 || size % HUGE_2M) {
		log_err("guest memory must be a non-zero multiple of 2 MiB");
		return -EINVAL;
	}
	if (size > GUEST_MEM_MAX) {
		log_err("guest memory %llu MiB is over the limit of %llu MiB",
			(unsigned long long)(size >> 20),
			(unsigned long long)(GUEST_MEM_MAX >> 20));
		return -EINVAL;
	}
	if (size > phys) {
		log_err("guest memory %llu MiB is more than this host has "
			"(%llu MiB)", (unsigned long long)(size >> 20),
			(unsigned long long)(phys >> 20));
		return -ENOMEM;
	}
	if (!no_huge && guest_mem_free_hugepages() >= size / HUGE_2M) {
		ret = guest_mem_map(gm, size, true);
		if (ret == 0) {
			log_debug("guest RAM: %llu MiB on 2 MiB pages",
				  (unsigned long long)(size >> 20));
			return 0;
		}
		log_info("hugetlb guest RAM failed (%s), using 4 KiB pages",
			 strerror(-ret));
	}
	ret = guest_mem_map(gm, size, false);
	if (ret < 0)
		log_err("cannot allocate %llu MiB of guest RAM: %s",
			(unsigned long long)(size >> 20), strerror(-ret));
	return ret;
}

void guest_mem_destroy(struct guest_mem *gm)
{
	if (gm->base)
		munmap(gm->base, gm->size);
	if (gm->fd >= 0)
		close(gm->fd);
	gm->base = NULL;
	gm->fd = -1;
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	unsigned i;

	if (len == 0)
		return NULL;
	for (i = 0; i < gm->nregions; i++) {
		const struct guest_mem_region *r = &gm->regions[i];

		/* Written so that no sum can overflow. */
		if (gpa >= r->gpa && gpa - r->gpa < r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst,
		   uint64_t len)
{
	void *p = guest_mem_ptr(gm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src,
		    uint64_t len)
{
	void *p = guest_mem_ptr(gm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}
