// SPDX-License-Identifier: MIT
/*
 * The 21140A's state for migration (vdev_ops save/load): registers and
 * process states, the descriptor engines' positions and a transmit frame
 * half gathered, the timers' time left, SROM and MII bit-banging state,
 * the address filter, the interrupt output and the counters.
 *
 * Not carried: the SROM contents and the PHY address (built from the
 * options, which must match: the MAC is checked), the link (the port's:
 * the destination's port sets it when it attaches) and the wire.
 *
 * Every value is checked against what the chip could have reached
 * through its registers before it is taken; the interrupt level is
 * recorded, not driven, since the PCI state and the irqchip carry it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "tulip"
#include "base/log.h"
#include "core/vdev.h"
#include "core/vdev_state.h"
#include "emu-devices/tulip_priv.h"

#define TULIP_STATE_VERSION	1

int tulip_save(struct vdev *vd, struct vdev_state_writer *w)
{
	struct tulip *t = vd->priv;
	uint32_t regs[7];

	pthread_mutex_lock(&t->lock);
	regs[0] = t->csr0;
	regs[1] = t->csr3;
	regs[2] = t->csr4;
	regs[3] = t->csr6;
	regs[4] = t->csr7;
	regs[5] = t->csr9;
	regs[6] = t->csr15;
	vdev_state_put_u32(w, "version", TULIP_STATE_VERSION);
	vdev_state_put(w, "mac", t->mac, 6);
	vdev_state_put(w, "csr", regs, sizeof(regs));
	vdev_state_put_u32(w, "status", t->status);
	vdev_state_put_u32(w, "eb", t->eb);
	vdev_state_put_u32(w, "rs", t->rs);
	vdev_state_put_u32(w, "ts", t->ts);
	vdev_state_put_bool(w, "bus_dead", t->bus_dead);
	vdev_state_put_u32(w, "rx_cur", t->rx_cur);
	vdev_state_put_u32(w, "tx_cur", t->tx_cur);
	vdev_state_put_u32(w, "missed", t->missed);
	vdev_state_put_bool(w, "missed_ovf", t->missed_ovf);
	vdev_state_put_u32(w, "cfdd", t->cfdd);
	vdev_state_put_u32(w, "gpt_value", t->gpt_value);
	vdev_state_put_u64(w, "gpt_left_ns", tulip_gpt_left_ns(t));
	vdev_state_put_u8(w, "gp_dir", t->gp_dir);
	vdev_state_put_u8(w, "gp_out", t->gp_out);

	vdev_state_put_u32(w, "srom.phase", t->srom.phase);
	vdev_state_put_bool(w, "srom.cs", t->srom.cs);
	vdev_state_put_bool(w, "srom.sk", t->srom.sk);
	vdev_state_put_bool(w, "srom.dout", t->srom.dout);
	vdev_state_put_u32(w, "srom.nbits", t->srom.nbits);
	vdev_state_put_u32(w, "srom.cmd", t->srom.cmd);
	vdev_state_put_u32(w, "srom.shift", t->srom.shift);
	vdev_state_put_u32(w, "srom.addr", t->srom.addr);
	vdev_state_put_u32(w, "srom.out_bits", t->srom.out_bits);

	vdev_state_put_bool(w, "mii.mdc", t->mii.mdc);
	vdev_state_put_bool(w, "mii.mdi", t->mii.mdi);
	vdev_state_put_u32(w, "mii.phase", t->mii.phase);
	vdev_state_put_u32(w, "mii.nbits", t->mii.nbits);
	vdev_state_put_u32(w, "mii.hdr", t->mii.hdr);
	vdev_state_put_bool(w, "mii.reading", t->mii.reading);
	vdev_state_put_bool(w, "mii.ours", t->mii.ours);
	vdev_state_put_u32(w, "mii.data", t->mii.data);
	vdev_state_put_u32(w, "mii.bmcr", t->mii.bmcr);
	vdev_state_put_u32(w, "mii.anar", t->mii.anar);
	vdev_state_put_bool(w, "mii.latched_low", t->mii.link_latched_low);

	vdev_state_put_u32(w, "filter.type", t->filter.type);
	vdev_state_put(w, "filter.perfect", t->filter.perfect,
		       sizeof(t->filter.perfect));
	vdev_state_put(w, "filter.hash", t->filter.hash,
		       sizeof(t->filter.hash));

	vdev_state_put_bool(w, "tx_in_frame", t->tx_in_frame);
	vdev_state_put_bool(w, "tx_ready", t->tx_ready);
	vdev_state_put_bool(w, "tx_blocked", t->tx_blocked);
	vdev_state_put_u32(w, "tx_first_des1", t->tx_first_des1);
	vdev_state_put_u32(w, "tx_last_des1", t->tx_last_des1);
	vdev_state_put(w, "tx_desc", t->txdesc, t->tx_ndesc * 4u);
	vdev_state_put(w, "tx_buf", t->txbuf, t->tx_len);

	vdev_state_put_bool(w, "irq_level", t->irq_level);
	vdev_state_put_u32(w, "irq_active", t->irq_active);
	vdev_state_put(w, "counters", &t->cnt, sizeof(t->cnt));
	pthread_mutex_unlock(&t->lock);
	return w->err;
}

/* The fields, read into a copy first: nothing is taken unless all is. */
struct tulip_loaded {
	uint8_t mac[6];
	uint32_t regs[7], status, eb, rs, ts, rx_cur, tx_cur, missed, cfdd;
	uint32_t gpt_value;
	uint64_t gpt_left_ns;
	bool bus_dead, missed_ovf;
	uint8_t gp_dir, gp_out;
	struct tulip_srom srom;
	struct tulip_mii mii;
	struct tulip_filter filter;
	bool tx_in_frame, tx_ready, tx_blocked, irq_level;
	uint32_t tx_first_des1, tx_last_des1, irq_active;
	size_t tx_desc_len, tx_len;
	uint32_t txdesc[TULIP_FRAME_DESC_MAX];
	uint8_t txbuf[TULIP_JABBER_BYTES];
	struct tulip_counters cnt;
};

static void tulip_load_fields(struct vdev_state_reader *r,
			      struct tulip_loaded *l)
{
	uint32_t v = 0;

	vdev_state_get(r, "mac", l->mac, 6);
	vdev_state_get(r, "csr", l->regs, sizeof(l->regs));
	vdev_state_get_u32(r, "status", &l->status);
	vdev_state_get_u32(r, "eb", &l->eb);
	vdev_state_get_u32(r, "rs", &l->rs);
	vdev_state_get_u32(r, "ts", &l->ts);
	vdev_state_get_bool(r, "bus_dead", &l->bus_dead);
	vdev_state_get_u32(r, "rx_cur", &l->rx_cur);
	vdev_state_get_u32(r, "tx_cur", &l->tx_cur);
	vdev_state_get_u32(r, "missed", &l->missed);
	vdev_state_get_bool(r, "missed_ovf", &l->missed_ovf);
	vdev_state_get_u32(r, "cfdd", &l->cfdd);
	vdev_state_get_u32(r, "gpt_value", &l->gpt_value);
	vdev_state_get_u64(r, "gpt_left_ns", &l->gpt_left_ns);
	vdev_state_get_u8(r, "gp_dir", &l->gp_dir);
	vdev_state_get_u8(r, "gp_out", &l->gp_out);

	vdev_state_get_u32(r, "srom.phase", &v);
	l->srom.phase = v;
	vdev_state_get_bool(r, "srom.cs", &l->srom.cs);
	vdev_state_get_bool(r, "srom.sk", &l->srom.sk);
	vdev_state_get_bool(r, "srom.dout", &l->srom.dout);
	vdev_state_get_u32(r, "srom.nbits", &v);
	l->srom.nbits = v;
	vdev_state_get_u32(r, "srom.cmd", &l->srom.cmd);
	vdev_state_get_u32(r, "srom.shift", &v);
	l->srom.shift = (uint16_t)v;
	vdev_state_get_u32(r, "srom.addr", &v);
	l->srom.addr = v;
	vdev_state_get_u32(r, "srom.out_bits", &v);
	l->srom.out_bits = v;

	vdev_state_get_bool(r, "mii.mdc", &l->mii.mdc);
	vdev_state_get_bool(r, "mii.mdi", &l->mii.mdi);
	vdev_state_get_u32(r, "mii.phase", &v);
	l->mii.phase = v;
	vdev_state_get_u32(r, "mii.nbits", &v);
	l->mii.nbits = v;
	vdev_state_get_u32(r, "mii.hdr", &l->mii.hdr);
	vdev_state_get_bool(r, "mii.reading", &l->mii.reading);
	vdev_state_get_bool(r, "mii.ours", &l->mii.ours);
	vdev_state_get_u32(r, "mii.data", &v);
	l->mii.data = (uint16_t)v;
	vdev_state_get_u32(r, "mii.bmcr", &v);
	l->mii.bmcr = (uint16_t)v;
	vdev_state_get_u32(r, "mii.anar", &v);
	l->mii.anar = (uint16_t)v;
	vdev_state_get_bool(r, "mii.latched_low", &l->mii.link_latched_low);

	vdev_state_get_u32(r, "filter.type", &l->filter.type);
	vdev_state_get(r, "filter.perfect", l->filter.perfect,
		       sizeof(l->filter.perfect));
	vdev_state_get(r, "filter.hash", l->filter.hash,
		       sizeof(l->filter.hash));

	vdev_state_get_bool(r, "tx_in_frame", &l->tx_in_frame);
	vdev_state_get_bool(r, "tx_ready", &l->tx_ready);
	vdev_state_get_bool(r, "tx_blocked", &l->tx_blocked);
	vdev_state_get_u32(r, "tx_first_des1", &l->tx_first_des1);
	vdev_state_get_u32(r, "tx_last_des1", &l->tx_last_des1);
	vdev_state_get_var(r, "tx_desc", l->txdesc, sizeof(l->txdesc),
			   &l->tx_desc_len);
	vdev_state_get_var(r, "tx_buf", l->txbuf, sizeof(l->txbuf),
			   &l->tx_len);
	vdev_state_get_bool(r, "irq_level", &l->irq_level);
	vdev_state_get_u32(r, "irq_active", &l->irq_active);
	vdev_state_get(r, "counters", &l->cnt, sizeof(l->cnt));
}

/* What the registers and engines could have reached. */
static int tulip_load_check(struct vdev_state_reader *r, const struct tulip *t,
			    const struct tulip_loaded *l)
{
	if (memcmp(l->mac, t->mac, 6))
		return vdev_state_fail(r, "MAC differs: the destination's "
				       "NIC must have the source's mac=");
	if (l->rs > RS_QUEUE || l->ts > TS_CLOSE || l->eb > CSR5_EB_MASK ||
	    (l->status & ~(CSR5_W1C_ALL | CSR5_NIS | CSR5_AIS)) ||
	    l->missed > CSR8_MFC_MASK ||
	    (l->gpt_value & ~(CSR11_VALUE_MASK | CSR11_CON)))
		return vdev_state_fail(r, "21140 registers out of range");
	if (l->srom.phase > SROM_IGNORE || l->srom.nbits > 2 + SROM_ADDR_BITS ||
	    l->srom.addr >= SROM_WORDS || l->srom.out_bits > 16 ||
	    l->mii.phase > MII_DATA || l->mii.nbits > 16)
		return vdev_state_fail(r, "SROM or MII state out of range");
	if (l->filter.type > TULIP_FT_HASH_ONLY)
		return vdev_state_fail(r, "filter type %u", l->filter.type);
	if (l->tx_desc_len % 4 ||
	    (l->tx_desc_len && !l->tx_in_frame && !l->tx_ready) ||
	    (l->tx_ready && !l->tx_desc_len))
		return vdev_state_fail(r, "transmit frame state inconsistent");
	return 0;
}

int tulip_load(struct vdev *vd, struct vdev_state_reader *r)
{
	struct tulip *t = vd->priv;
	struct tulip_loaded *l = calloc(1, sizeof(*l));
	uint32_t version = 0;
	int ret;

	if (!l)
		return vdev_state_fail(r, "out of memory");
	vdev_state_get_u32(r, "version", &version);
	if (!r->err && version != TULIP_STATE_VERSION)
		vdev_state_fail(r, "21140 state version %u", version);
	tulip_load_fields(r, l);
	ret = r->err ? r->err : tulip_load_check(r, t, l);
	if (ret) {
		free(l);
		return ret;
	}

	pthread_mutex_lock(&t->lock);
	t->csr0 = l->regs[0];
	t->csr3 = l->regs[1];
	t->csr4 = l->regs[2];
	t->csr6 = l->regs[3];
	t->csr7 = l->regs[4];
	t->csr9 = l->regs[5];
	t->csr15 = l->regs[6];
	t->status = l->status;
	t->eb = l->eb;
	t->rs = l->rs;
	t->ts = l->ts;
	t->bus_dead = l->bus_dead;
	t->rx_cur = l->rx_cur;
	t->tx_cur = l->tx_cur;
	t->missed = l->missed;
	t->missed_ovf = l->missed_ovf;
	t->cfdd = l->cfdd;
	t->gp_dir = l->gp_dir;
	t->gp_out = l->gp_out;
	/* The bit-banging state; the ROM's words and the PHY's address
	 * stay ours (built from the same options). */
	memcpy(l->srom.words, t->srom.words, sizeof(t->srom.words));
	t->srom = l->srom;
	l->mii.phy_addr = t->mii.phy_addr;
	l->mii.link = t->mii.link;
	t->mii = l->mii;
	t->filter = l->filter;
	t->tx_in_frame = l->tx_in_frame;
	t->tx_ready = l->tx_ready;
	t->tx_blocked = l->tx_blocked;
	t->tx_first_des1 = l->tx_first_des1;
	t->tx_last_des1 = l->tx_last_des1;
	t->tx_ndesc = (unsigned)(l->tx_desc_len / 4);
	memcpy(t->txdesc, l->txdesc, l->tx_desc_len);
	t->tx_len = (unsigned)l->tx_len;
	memcpy(t->txbuf, l->txbuf, l->tx_len);
	t->irq_level = l->irq_level;
	t->irq_active = l->irq_active;
	t->cnt = l->cnt;
	tulip_gpt_restore(t, l->gpt_value, l->gpt_left_ns);
	t->tap_armed = false;
	tulip_tap_update(t);
	pthread_mutex_unlock(&t->lock);
	free(l);
	return 0;
}
