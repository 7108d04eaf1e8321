/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VMM_VMM_MIGRATE_H
#define IOPATH_VMM_VMM_MIGRATE_H

/*
 * Live migration, the two VMM ends (DESIGN.md, Migration). The stream is
 * core/migrate_stream.h over one TCP connection.
 *
 * Source (vmm_migrate_out.c), from the control socket:
 *   {"cmd":"migrate","to":"tcp:HOST:PORT","downtime_ms":30,"max_s":60}
 *   {"cmd":"migrate-status"}   {"cmd":"migrate-cancel"}
 * Pre-copy: round 1 sends all RAM with dirty logging on; then rounds of
 * what was written meanwhile, until what is left fits the downtime
 * budget at the bandwidth measured so far. Then the switch-over: the
 * vCPUs stop, the NICs leave their switch, the last pages go, then the
 * irqchip, clock and vCPU state, the PCI host, every device, END. When
 * the destination answers that it runs, this VMM exits with status 0
 * ("migrated to ..."). If rounds stop shrinking, auto-converge throttles
 * the guest (its vCPUs are held for a growing share of every 20 ms:
 * 20%, then 10% more, up to 99%), and status says so. A migration that
 * fails or is cancelled at any point (the destination gone, the
 * connection cut, the stream refused, max_s passed) leaves this VM
 * running as it was: vCPUs released, dirty logging off, NICs attached
 * again.
 *
 * VFs (vmm_migrate_vf.c): the standby design. Only a VF with mac= and a pv
 * NIC of that MAC with standby=1 may migrate; before round 1 each VF is
 * unplugged (its switch stops its DMA into guest RAM, link down) and the
 * guest's acknowledgement awaited (at most MIG_VF_ACK_MS); a failed or
 * cancelled migration replugs it. Status adds "vfs", "vf_ack_ms" (the
 * slowest acknowledgement), "vf_unacked", "vf_unplug_ms".
 *
 * Destination (vmm_migrate_in.c): iopath-vmm --incoming tcp:HOST:PORT,
 * with the source's options (RAM, vCPUs, devices, NICs with the same
 * MACs; the same --name too, or port= on each NIC, so the switch ports
 * keep their names), builds its VM without booting it, listens for one
 * connection and loads what comes. Only after END has arrived and every
 * vCPU and device has its state does it attach its NICs (to its own
 * switch, same MACs and port names), answer "running", start the vCPUs
 * (parked, if the source's user had paused the VM) and announce the
 * MACs. A VF's port attaching there is a fresh VF of that switch. A stream it refuses gets a refusal answer with the reason, and
 * the VMM exits without ever running the guest.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmm;
struct mig_header;

#define VMM_MIGRATE_DOWNTIME_MS	30	/* default budget */
#define VMM_MIGRATE_MAX_S	60	/* default longest migration */

struct vmm_migrate_params {
	char to[128];			/* "tcp:HOST:PORT" */
	unsigned downtime_ms;
	unsigned max_s;
};

/* ---- source ---- */

/* Add the commands above to @vmm's control socket (if it has one). */
int vmm_migrate_ctl_start(struct vmm *vmm);

/*
 * Start migrating @vmm (a thread does it; the VM runs on). 0, or -errno
 * with the reason in @err: one is already running, a device cannot be
 * migrated, a bad address. Loop thread.
 */
int vmm_migrate_start(struct vmm *vmm, const struct vmm_migrate_params *p,
		      char *err, size_t len);
/* Where the migration stands, as JSON (new reference). Loop thread. */
json_t *vmm_migrate_status(struct vmm *vmm);
/* Ask a running migration to stop: 0, or -ENOENT if none runs. */
int vmm_migrate_cancel(struct vmm *vmm);
/*
 * The VMM is exiting: stop a migration still running and wait for its
 * thread. Main thread, after the loop stopped.
 */
void vmm_migrate_shutdown(struct vmm *vmm);

/* ---- destination ---- */

/*
 * Receive a VM on @addr ("tcp:HOST:PORT") into @vmm, which is built
 * (devices, NICs with deferred attach, vCPUs created) but has never run.
 * Returns the connection (for vmm_migrate_incoming_done) once the whole
 * stream is loaded, or -errno with the reason logged (the source was
 * told): the guest must not run then. Gives up when *@stop is set.
 * Main thread, loop not running.
 */
int vmm_migrate_incoming(struct vmm *vmm, const char *addr,
			 const volatile int *stop);
/*
 * Attach the NICs, tell the source this VM runs, schedule the MAC
 * announcements; closes @conn. Then the caller runs the VM.
 */
void vmm_migrate_incoming_done(struct vmm *vmm, int conn);

/* ---- shared by both ends (vmm_migrate_common.c) ---- */

/* "tcp:HOST:PORT" into @host and @port. 0 or -EINVAL. */
int vmm_migrate_parse_addr(const char *addr, char *host, size_t hlen,
			   char *port, size_t plen);
/* The header describing @vmm: RAM, vCPUs, devices. 0 or -errno. */
int vmm_migrate_header(struct vmm *vmm, struct mig_header *h);
/* Socket options both ends want: no Nagle. */
void vmm_migrate_sockopts(int fd);

#endif
