// SPDX-License-Identifier: MIT
/*
 * The packet channel as the switch sees a hostile endpoint: a real
 * channel whose shared memory the input overwrites, either the header
 * (pktchan_open must refuse what it cannot trust) or the ring indices and
 * slot lengths (the data path must refuse them and mark the channel
 * broken). Input: [mode][offset lo][offset hi][bytes...].
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "wire/pktchan.h"

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static uint8_t hdr[3 + sizeof(struct pktchan_shm_hdr)];
	static uint8_t idx[3 + 8], far[3 + 8], slot[3 + 4];
	static uint8_t odd[3 + sizeof(struct pktchan_shm_hdr)];
	static struct fuzz_seed seeds[5];
	struct pktchan_shm_hdr h = {
		.magic = PKTCHAN_MAGIC, .version = PKTCHAN_VERSION,
		.nslots = 64, .slot_size = PKTCHAN_SLOT_SIZE,
	};
	uint32_t prod_cons[2] = { 5, 0 };

	hdr[0] = 0;
	memcpy(hdr + 3, &h, sizeof(h));
	idx[0] = 1;
	memcpy(idx + 3, prod_cons, sizeof(prod_cons));
	/* The producer a whole ring and more ahead. */
	far[0] = 1;
	prod_cons[0] = 1000;
	memcpy(far + 3, prod_cons, sizeof(prod_cons));
	/* Slot 3 claims a frame of 4 GiB. */
	slot[0] = 2;
	slot[2] = 3;
	memset(slot + 3, 0xff, 4);
	/* A header the switch must refuse: 3 slots, not a power of two. */
	h.nslots = 3;
	memcpy(odd + 3, &h, sizeof(h));
	seeds[0] = (struct fuzz_seed){ hdr, sizeof(hdr), "header" };
	seeds[1] = (struct fuzz_seed){ idx, sizeof(idx), "ring-indices" };
	seeds[2] = (struct fuzz_seed){ far, sizeof(far), "producer-overrun" };
	seeds[3] = (struct fuzz_seed){ slot, sizeof(slot), "slot-length-huge" };
	seeds[4] = (struct fuzz_seed){ odd, sizeof(odd), "header-odd-nslots" };
	*out = seeds;
	return 5;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pktchan *ep, *sw;
	struct pktchan_shm_hdr h;
	uint8_t *shm, frame[PKTCHAN_FRAME_MAX];
	void *bufs[4];
	uint16_t lens[4];
	size_t off, n;
	unsigned i;

	if (size < 3)
		return 0;
	ep = pktchan_create(64);
	if (!ep)
		abort();
	shm = mmap(NULL, sizeof(h), PROT_READ, MAP_SHARED, pktchan_memfd(ep),
		   0);
	if (shm == MAP_FAILED)
		abort();
	memcpy(&h, shm, sizeof(h));
	munmap(shm, sizeof(h));
	shm = mmap(NULL, h.total_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   pktchan_memfd(ep), 0);
	if (shm == MAP_FAILED)
		abort();

	/* Mode 0: the header. Otherwise: the up ring's indices, or a slot. */
	if (data[0] % 3 == 0)
		off = 0;
	else if (data[0] % 3 == 1)
		off = h.up_ring_off + ((data[1] & 1) ? 64 : 0);
	else
		off = h.up_slots_off + (size_t)(data[2] % h.nslots) *
			PKTCHAN_SLOT_SIZE;
	n = size - 3;
	if (n > h.total_size - off)
		n = h.total_size - off;
	memcpy(shm + off, data + 3, n);

	sw = pktchan_open(dup(pktchan_memfd(ep)), dup(pktchan_kick_switch_fd(ep)),
			  dup(pktchan_kick_endpoint_fd(ep)), PKTCHAN_SIDE_SWITCH);
	if (sw) {
		const void *f;
		uint16_t flen;

		for (i = 0; i < 4; i++)
			bufs[i] = frame;
		pktchan_rx_pending(sw);
		if (pktchan_peek(sw, &f, &flen) == 0) {
			if (flen == 0 || flen > PKTCHAN_FRAME_MAX)
				abort();	/* peek handed out a bad length */
			memcpy(frame, f, flen);
			pktchan_release(sw, 1);
		}
		pktchan_recv_burst(sw, bufs, sizeof(frame), lens, 4);
		pktchan_arm_wait(sw);
		lens[0] = 60;
		pktchan_send_burst(sw, (const void *const *)bufs, lens, 1);
		pktchan_destroy(sw);
	}
	munmap(shm, h.total_size);
	pktchan_destroy(ep);
	return 0;
}
