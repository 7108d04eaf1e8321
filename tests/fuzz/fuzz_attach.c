// SPDX-License-Identifier: MIT
/*
 * The attach protocol's parser, as the switch sees a hostile client: any
 * bytes, with 0..8 real descriptors alongside. Whatever the verdict, the
 * descriptors must end up either owned by the parsed message or closed.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "wire/attach_proto.h"

static void fuzz_hdr(uint8_t *buf, uint16_t type, uint32_t len)
{
	struct attach_msg_hdr h = {
		.magic = ATTACH_MAGIC, .version = ATTACH_VERSION,
		.type = type, .len = len, .seq = 1,
	};

	memcpy(buf, &h, sizeof(h));
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static uint8_t hello[1 + 16 + sizeof(struct attach_hello)];
	static uint8_t attach[1 + 16 + sizeof(struct attach_req)];
	static uint8_t pvcfg[1 + 16 + sizeof(struct attach_pv_config)];
	static uint8_t attach_pv[1 + 16 + sizeof(struct attach_req)];
	static uint8_t pvcfg4[1 + 16 + sizeof(struct attach_pv_config)];
	static uint8_t detach[1 + 16], pvreset[1 + 16];
	static struct fuzz_seed seeds[7];
	struct attach_hello h = { .version_min = 1, .version_max = 1 };
	struct attach_req r = { .kind = ATTACH_KIND_PKTCHAN, .vlan = 1,
				.nfds = 3 };
	struct attach_pv_config c = { .ring_size = 256, .num_queues = 1,
				      .evt_page_gpa = 0x100000, .nfds = 2 };

	/* First byte: how many fds the harness passes along. */
	hello[0] = 0;
	fuzz_hdr(hello + 1, ATTACH_MSG_HELLO, sizeof(hello) - 1);
	strcpy(h.client, "fuzz");
	memcpy(hello + 17, &h, sizeof(h));

	attach[0] = 3;
	fuzz_hdr(attach + 1, ATTACH_MSG_ATTACH, sizeof(attach) - 1);
	strcpy(r.port, "p1");
	strcpy(r.vm, "vm1");
	memcpy(r.mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(attach + 17, &r, sizeof(r));

	pvcfg[0] = 2;
	fuzz_hdr(pvcfg + 1, ATTACH_MSG_PV_CONFIG, sizeof(pvcfg) - 1);
	c.q[0] = (struct attach_pv_queue){
		.tx_ring_gpa = 0x200000, .rx_ring_gpa = 0x201000,
		.tx_port = 0, .rx_port = 1, .tx_kick_fd = 0, .rx_kick_fd = 1,
		.tx_irq_fd = ATTACH_PV_NO_FD, .rx_irq_fd = ATTACH_PV_NO_FD,
	};
	memcpy(pvcfg + 17, &c, sizeof(c));

	/* A pv port: guest RAM in one memfd, below and above 4 GiB. */
	attach_pv[0] = 1;
	fuzz_hdr(attach_pv + 1, ATTACH_MSG_ATTACH, sizeof(attach_pv) - 1);
	r.kind = ATTACH_KIND_PV;
	r.nfds = 1;
	r.nregions = 2;
	r.regions[0] = (struct attach_region){ .gpa = 0, .size = 3ull << 30 };
	r.regions[1] = (struct attach_region){ .gpa = 1ull << 32,
		.size = 1ull << 30, .offset = 3ull << 30 };
	memcpy(attach_pv + 17, &r, sizeof(r));

	/* Four queues, every port with its kick and irq eventfds. */
	pvcfg4[0] = 8;
	fuzz_hdr(pvcfg4 + 1, ATTACH_MSG_PV_CONFIG, sizeof(pvcfg4) - 1);
	c.num_queues = 4;
	c.nfds = 8;
	c.features = 7;
	for (unsigned q = 0; q < 4; q++)
		c.q[q] = (struct attach_pv_queue){
			.tx_ring_gpa = 0x200000 + 0x2000 * q,
			.rx_ring_gpa = 0x201000 + 0x2000 * q,
			.tx_port = (uint16_t)(2 * q),
			.rx_port = (uint16_t)(2 * q + 1),
			.tx_kick_fd = (uint16_t)(2 * q),
			.rx_kick_fd = (uint16_t)(2 * q + 1),
			.tx_irq_fd = (uint16_t)(2 * q + 1),
			.rx_irq_fd = (uint16_t)(2 * q),
		};
	memcpy(pvcfg4 + 17, &c, sizeof(c));

	/* Header-only messages. */
	fuzz_hdr(detach + 1, ATTACH_MSG_DETACH, sizeof(detach) - 1);
	fuzz_hdr(pvreset + 1, ATTACH_MSG_PV_RESET, sizeof(pvreset) - 1);

	seeds[0] = (struct fuzz_seed){ hello, sizeof(hello), "hello" };
	seeds[1] = (struct fuzz_seed){ attach, sizeof(attach),
				       "attach-pktchan" };
	seeds[2] = (struct fuzz_seed){ pvcfg, sizeof(pvcfg), "pv-config" };
	seeds[3] = (struct fuzz_seed){ attach_pv, sizeof(attach_pv),
				       "attach-pv-two-regions" };
	seeds[4] = (struct fuzz_seed){ pvcfg4, sizeof(pvcfg4),
				       "pv-config-four-queues" };
	seeds[5] = (struct fuzz_seed){ detach, sizeof(detach), "detach" };
	seeds[6] = (struct fuzz_seed){ pvreset, sizeof(pvreset), "pv-reset" };
	*out = seeds;
	return 7;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds[ATTACH_MAX_FDS] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	struct attach_msg msg;
	unsigned nfds, i;
	char err[256];

	if (size < 1)
		return 0;
	nfds = data[0] % (ATTACH_MAX_FDS + 1);
	for (i = 0; i < nfds; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		if (fds[i] < 0)
			abort();
	}
	if (attach_msg_parse(data + 1, size - 1, fds, nfds, &msg, err,
			     sizeof(err)) == 0)
		attach_msg_close_fds(&msg);
	/* Accepted or refused, nothing may stay open. */
	for (i = 0; i < nfds; i++)
		if (fcntl(fds[i], F_GETFD) != -1)
			abort();
	return 0;
}
