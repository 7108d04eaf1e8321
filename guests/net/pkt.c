// SPDX-License-Identifier: MIT
#include "net/pkt.h"

#include "rt/alloc.h"
#include "rt/errno.h"

static struct pkt *pkt_free_list;
static unsigned int pkt_avail, pkt_count;

int pkt_pool_init(unsigned int count)
{
	struct pkt *meta;
	uint8_t *mem;
	unsigned int i;

	/*
	 * The headers live apart from the buffers, in one dense array, so
	 * that the guest's own per-packet writes (alloc, free, rx_burst)
	 * touch a few pages rather than one per buffer: while a migration
	 * logs dirty pages, each first write to a write-protected page is a
	 * fault that costs tens of microseconds on this nested KVM, and a
	 * pool of buffer pages faulting at once stalled a receiver for
	 * longer than its ring holds (README, "Migration in a lab"). The
	 * tail guard keeps a NIC's 2 KiB claim on the last buffer inside
	 * the pool (igbvf_priv.h).
	 */
	meta = alloc_aligned((size_t)count * sizeof(*meta), 64);
	mem = alloc_aligned((size_t)count * PKT_BUF_SIZE + PKT_HEADROOM, 4096);
	if (!meta || !mem)
		return -ENOMEM;
	/* Pushed in reverse so the first allocations come from the start. */
	for (i = count; i > 0; i--) {
		struct pkt *p = &meta[i - 1];

		p->buf = mem + (size_t)(i - 1) * PKT_BUF_SIZE;
		p->index = i - 1;
		p->next = pkt_free_list;
		pkt_free_list = p;
	}
	pkt_avail += count;
	pkt_count += count;
	return 0;
}

struct pkt *pkt_alloc(void)
{
	struct pkt *p = pkt_free_list;

	if (!p)
		return NULL;
	pkt_free_list = p->next;
	pkt_avail--;
	p->next = NULL;
	p->data = p->buf + PKT_HEADROOM;
	p->len = 0;
	p->flags = 0;
	p->rx_tsc = 0;
	return p;
}

void pkt_free(struct pkt *p)
{
	p->next = pkt_free_list;
	pkt_free_list = p;
	pkt_avail++;
}

void pkt_free_bulk(struct pkt **p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		pkt_free(p[i]);
}

unsigned int pkt_pool_avail(void)
{
	return pkt_avail;
}

unsigned int pkt_pool_size(void)
{
	return pkt_count;
}
