// SPDX-License-Identifier: MIT
#include "net/pkt.h"

#include "rt/alloc.h"
#include "rt/errno.h"

static struct pkt *pkt_free_list;
static unsigned int pkt_avail, pkt_count;

int pkt_pool_init(unsigned int count)
{
	uint8_t *mem;
	unsigned int i;

	mem = alloc_aligned((size_t)count * PKT_BUF_SIZE, 4096);
	if (!mem)
		return -ENOMEM;
	/* Pushed in reverse so the first allocations come from the start. */
	for (i = count; i > 0; i--) {
		struct pkt *p = (struct pkt *)(mem + (size_t)(i - 1) *
					       PKT_BUF_SIZE);

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
	p->data = (uint8_t *)p + PKT_HEADROOM;
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
