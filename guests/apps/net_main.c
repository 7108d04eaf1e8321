// SPDX-License-Identifier: MIT
/*
 * net: the traffic apps on whatever NIC the probe table finds (apps never
 * know the path). app=ping|echo|pktgen|sink|reflect; each app's own
 * parameters and final record are in its file's header comment.
 *
 * Common parameters:
 *   ip=10.0.0.2/24   our address (required; prefix 24 if omitted)
 *   gw=10.0.0.1      gateway for off-link destinations (optional)
 *   mode=adaptive|poll|irq  spin on the rings while frames keep coming,
 *                    then sleep on NIC interrupts (default); only spin;
 *                    or sleep as soon as the rings are idle
 *   poll_us=0        adaptive: spin this long on dry rings before sleeping
 *   mac=02:..        override the NIC's own (SROM) address
 *   bar=mmio|io      21140: CSRs through the memory (default) or I/O BAR
 *   desc=ring|chain  21140: descriptor list mode
 *   rx_ring=, tx_ring=  descriptors per ring, up to 4096
 *   pool=            packet buffers (default: the rings' need, at least
 *                    4096; 2 KiB each, so 4096-slot rings take ~20 MiB)
 *   phy=N            MII PHY address (default: scan)
 *   intx=0           irq mode: never fall back to INTx when there is no MSI
 *   rx_zc=1          21140: zero-copy RX (buffer swap; unsafe on QEMU)
 *   link_ms=N        ping, echo, reflect: read the link every N ms and print
 *                    {"event":"link","up":..} when it changed (0: off)
 *
 * Records: boot; {"event":"netdev","driver":"tulip","model":"21140A",
 * "bdf":"00:03.0","mac":"02:..","link":true,"mode":"adaptive","poll_us":..,
 * "irq":"msi","drv":{"bar":"mmio","desc":"ring","rx_ring":256,
 * "tx_ring":128,"srom_words":64,"srom_crc_ok":true,"srom_mac":"..","phy":1,
 * "phy_id":"0x...","csr_reads":..,"csr_writes":..,...,"irqs":..,
 * "sleeps":..,"arms":..,"spin_hits":..,"sleep_us":..,"spin_us":..,...}};
 * {"event":"init","init_us":..};
 * the app's record; {"event":"done","app":"ping","ok":true}.
 * {"event":"error","app":..,"msg":..} on failure.
 * Exit: 0 the app succeeded, 1 it failed (or no NIC), 2 bad parameters.
 */
#include "apps/net_app.h"
#include "apps/report.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/console.h"
#include "rt/rt.h"
#include "rt/string.h"

struct net_app {
	const char *name;
	int (*run)(struct net_stack *s);
};

static const struct net_app net_apps[] = {
	{ "ping", net_app_ping },
	{ "echo", net_app_echo },
	{ "pktgen", net_app_pktgen },
	{ "sink", net_app_sink },
	{ "reflect", net_app_reflect },
};

static void net_error(const char *app, const char *msg, int err)
{
	struct json j;

	json_begin(&j, "error");
	json_kv_str(&j, "app", app);
	json_kv_str(&j, "msg", msg);
	if (err)
		json_kv_i64(&j, "err", err);
	json_end(&j);
}

static int net_done(const char *app, int code)
{
	struct json j;

	json_begin(&j, "done");
	json_kv_str(&j, "app", app);
	json_kv_bool(&j, "ok", code == RT_EXIT_OK);
	json_end(&j);
	return code;
}

int app_main(void)
{
	static struct net_stack stack;
	const char *name = cmdline_get("app");
	const struct net_app *app = NULL;
	struct netdev_conf conf;
	struct netdev *nd;
	struct json j;
	uint64_t t0;
	unsigned int i;
	int err = 0;

	report_boot("net");
	for (i = 0; name && i < sizeof(net_apps) / sizeof(net_apps[0]); i++)
		if (!strcmp(name, net_apps[i].name))
			app = &net_apps[i];
	if (!app) {
		net_error(name ? name : "", "app=ping|echo|pktgen|sink|reflect",
			  0);
		return net_done(name ? name : "", RT_EXIT_USAGE);
	}
	if (netdev_conf_from_cmdline(&conf)) {
		net_error(app->name, "bad mode=, poll_us=, mac=, bar= or desc=",
			  0);
		return net_done(app->name, RT_EXIT_USAGE);
	}
	if (pkt_pool_init((unsigned int)cmdline_get_u64("pool",
					netdev_pool_want(&conf)))) {
		net_error(app->name, "no memory for packet buffers", 0);
		return net_done(app->name, RT_EXIT_FAIL);
	}
	t0 = clock_tsc();
	nd = netdev_probe(&conf, &err);
	if (!nd) {
		net_error(app->name, err == -19 ? "no supported NIC" :
			  "NIC initialisation failed", err);
		return net_done(app->name, RT_EXIT_FAIL);
	}
	if (net_stack_init(&stack, nd, cmdline_get("ip"), cmdline_get("gw"))) {
		net_error(app->name, "ip=a.b.c.d[/len] required, gw= optional",
			  0);
		return net_done(app->name, RT_EXIT_USAGE);
	}
	netdev_report(nd, "netdev");
	json_begin(&j, "init");
	json_kv_u64(&j, "init_us", clock_tsc_to_ns(clock_tsc() - t0) / 1000);
	json_end(&j);
	return net_done(app->name, app->run(&stack));
}
