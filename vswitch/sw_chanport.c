// SPDX-License-Identifier: MIT
/*
 * Packet-channel ports ("pktchan"): a VM NIC or a test tool on a packet
 * channel (wire/pktchan.h), attached over the attach socket (sw_vmport.c).
 *
 * The channel is a pair of rings in a memfd the peer shares with us, and
 * the peer may scribble on it at any time: every frame is copied out of
 * shared memory once, into an mbuf, before anything looks at it. A
 * channel the peer breaks (the pktchan layer's checks fail) marks the
 * port broken; the control thread then drops its attach connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "base/json_counters.h"
#include "vswitch/sw.h"
#include "wire/pktchan.h"

struct sw_chanport {
	struct pktchan *ch;
	struct rte_mempool *pool;
};

/* ---- the data path (forwarding thread) ---- */

static unsigned sw_chan_rx(struct sw_port *p, struct rte_mbuf **pkts,
			   unsigned n)
{
	struct sw_chanport *v = p->priv;
	unsigned got = 0;

	while (got < n) {
		const void *frame;
		uint16_t len;
		struct rte_mbuf *m;
		char *dst;

		if (pktchan_peek(v->ch, &frame, &len) < 0)
			break;
		m = rte_pktmbuf_alloc(v->pool);
		if (!m) {
			p->st.rx_nombuf++;
			break;		/* the frame stays for the next round */
		}
		dst = rte_pktmbuf_append(m, len);
		if (!dst) {
			/* Bigger than an mbuf: count it and let it go. */
			rte_pktmbuf_free(m);
			p->st.rx_packets++;
			p->st.rx_bytes += len;
			p->st.drops[FWD_DROP_OVERSIZED]++;
			pktchan_release(v->ch, 1);
			continue;
		}
		/*
		 * One copy out of shared memory: everything after this looks
		 * at our private copy, which the peer cannot change.
		 */
		memcpy(dst, frame, len);
		pktchan_release(v->ch, 1);
		pkts[got++] = m;
	}
	return got;
}

static unsigned sw_chan_tx(struct sw_port *p, struct rte_mbuf **pkts,
			   unsigned n)
{
	struct sw_chanport *v = p->priv;
	const void *frames[SW_BURST];
	uint16_t lens[SW_BURST];
	unsigned sent;

	if (n > SW_BURST)
		n = SW_BURST;
	for (unsigned i = 0; i < n; i++) {
		frames[i] = rte_pktmbuf_mtod(pkts[i], const void *);
		lens[i] = rte_pktmbuf_data_len(pkts[i]);
	}
	sent = pktchan_send_burst(v->ch, frames, lens, n);
	rte_pktmbuf_free_bulk(pkts, sent);
	return sent;
}

static int sw_chan_wait_fd(struct sw_port *p)
{
	struct sw_chanport *v = p->priv;

	return pktchan_wait_fd(v->ch);
}

static bool sw_chan_arm_wait(struct sw_port *p)
{
	struct sw_chanport *v = p->priv;

	return pktchan_arm_wait(v->ch);
}

static bool sw_chan_broken(struct sw_port *p)
{
	struct sw_chanport *v = p->priv;

	return pktchan_broken(v->ch);
}

/* show-ports: the channel's own counters. */
static void sw_chan_json(struct sw_port *p, json_t *o)
{
	struct sw_chanport *v = p->priv;
	struct pktchan_stats st;
	json_t *c = json_object();

	pktchan_get_stats(v->ch, &st);
	json_object_set_new(c, "client", json_string(sw_vmport_client(p)));
	JSON_COUNTER(c, st, tx_full);
	JSON_COUNTER(c, st, tx_refused);
	JSON_COUNTER(c, st, kicks_sent);
	json_object_set_new(c, "rx_pending",
			    json_integer(pktchan_rx_pending(v->ch)));
	json_object_set_new(o, "channel", c);
}

/* ---- the control thread ---- */

static void sw_chan_disconnect(struct sw_port *p)
{
	sw_vmport_disconnect(p, "packet channel broken");
}

static void sw_chan_destroy(struct sw_port *p)
{
	struct sw_chanport *v = p->priv;

	if (v) {
		pktchan_destroy(v->ch);
		free(v);
	}
	free(p);
}

static const struct sw_port_ops sw_chan_ops = {
	.kind = "pktchan",
	.rx_burst = sw_chan_rx,
	.tx_burst = sw_chan_tx,
	.wait_fd = sw_chan_wait_fd,
	.arm_wait = sw_chan_arm_wait,
	.broken = sw_chan_broken,
	.json = sw_chan_json,
	.disconnect = sw_chan_disconnect,
	.destroy = sw_chan_destroy,
};

int sw_chanport_create(struct sw *sw, int conn_fd, struct attach_msg *m,
		       struct sw_port *p, char *err, size_t errlen)
{
	struct sw_chanport *v;

	(void)conn_fd;		/* the channel is all it talks over */
	if (m->nfds != 3) {
		snprintf(err, errlen, "pktchan needs 3 fds, got %u", m->nfds);
		return -EBADF;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v->ch = pktchan_open(m->fds[0], m->fds[1], m->fds[2],
			     PKTCHAN_SIDE_SWITCH);
	if (!v->ch) {
		int ret = -errno;

		snprintf(err, errlen, "bad packet channel: %s",
			 strerror(errno));
		free(v);
		return ret < 0 ? ret : -EINVAL;
	}
	/* The channel owns the fds now. */
	for (unsigned i = 0; i < m->nfds; i++)
		m->fds[i] = -1;
	m->nfds = 0;
	v->pool = sw->pool;
	p->priv = v;
	p->ops = &sw_chan_ops;
	return 0;
}
