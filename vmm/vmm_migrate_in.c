// SPDX-License-Identifier: MIT
/*
 * Live migration, the destination (vmm_migrate.h): listen, take one
 * connection, check the header against this VM, load the sections as
 * they come, and run the VM only once END has arrived with every vCPU
 * and device accounted for. Everything here happens on the main thread
 * before the VM's loop and vCPUs start.
 *
 * Order of loading: RAM as it comes; the irqchip and clock, then each
 * vCPU (so a LAPIC loaded later cannot wipe an interrupt a device
 * raises while loading); then the PCI host and the devices, whose BARs,
 * MSI routes and irqfds come up as they load. The source sends them in
 * that order; any other order is refused.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_SUBSYS "migrate"
#include "base/clock.h"
#include "base/log.h"
#include "core/migrate_ram.h"
#include "core/migrate_stream.h"
#include "core/nic_port.h"
#include "core/pci.h"
#include "core/vdev.h"
#include "core/vdev_state.h"
#include "core/vmm.h"
#include "cpu/vcpu_state.h"
#include "vmm/vmm_migrate.h"

/* The source pauses between rounds only for a dirty-log fetch. */
#define MIG_IN_IO_TIMEOUT_MS	30000
/*
 * Our receive buffer. Autotuned, it grows to megabytes and hides from the
 * source how far behind we are: a round the source counts as sent (its
 * SIOCOUTQ empty) could still wait here for up to 46 ms while the guest sat
 * paused (measured on loopback, README "Migration in a lab"). Fixed, the
 * kernel doubles it, which still covers a 10 Gbit/s link's
 * bandwidth-delay product at 0.4 ms of round trip.
 */
#define MIG_IN_RCVBUF		(256 * 1024)

/* What has arrived, to refuse repeats, bad order and gaps. */
struct mig_in {
	struct vmm *vmm;
	struct mig_stream s;
	struct mig_header theirs;
	bool vm, platform;
	bool vcpu[VMM_MAX_VCPUS];
	struct vdev *devs[MIG_MAX_DEVICES];
	bool dev_loaded[MIG_MAX_DEVICES];
	unsigned ndevs, rounds;
	uint64_t pages;
	struct vcpu_state *vst;	/* scratch, aligned for KVM */
	bool paused;		/* the source's user had paused it */
};

static int mig_in_fail(struct mig_in *in, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mig_in_fail(struct mig_in *in, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->s.err, sizeof(in->s.err), fmt, ap);
	va_end(ap);
	return err;
}

/* ---- the connection ---- */

static int mig_in_listen(const char *addr)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL, *ai;
	char host[96], port[16];
	int fd = -1, one = 1, rcvbuf = MIG_IN_RCVBUF, ret;

	if (vmm_migrate_parse_addr(addr, host, sizeof(host), port,
				   sizeof(port)) < 0) {
		log_err("--incoming %s: expected tcp:HOST:PORT", addr);
		return -EINVAL;
	}
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret) {
		log_err("--incoming %s: %s", addr, gai_strerror(ret));
		return -EINVAL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* Before listen(): the window scale is chosen at the SYN. */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1) == 0)
			break;
		ret = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		log_err("--incoming %s: cannot listen: %s", addr,
			strerror(ret < 0 ? -ret : EADDRNOTAVAIL));
		return ret < 0 ? ret : -EADDRNOTAVAIL;
	}
	return fd;
}

/* The first connection; -EINTR once *@stop is set. */
static int mig_in_accept(int lfd, const volatile int *stop)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	for (;;) {
		int n, fd;

		if (stop && *stop)
			return -EINTR;
		n = poll(&pfd, 1, 200);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EINTR && errno != ECONNABORTED)
			return -errno;
	}
}

/* ---- sections ---- */

static int mig_in_header(struct mig_in *in)
{
	struct mig_header ours;
	char why[160];
	int ret;

	ret = mig_header_recv(&in->s, &in->theirs);
	if (ret)
		return ret;
	ret = vmm_migrate_header(in->vmm, &ours);
	if (ret)
		return mig_in_fail(in, ret, "this VM has too many devices");
	ret = mig_header_match(&in->theirs, &ours, why, sizeof(why));
	if (ret)
		return mig_in_fail(in, ret, "%s", why);
	for (struct vdev *vd = in->vmm->devices; vd; vd = vd->next)
		in->devs[in->ndevs++] = vd;
	log_info("incoming VM %s: %llu MiB, %u vCPU(s), %u device(s)",
		 in->theirs.vm_name,
		 (unsigned long long)(in->theirs.ram_bytes >> 20),
		 in->theirs.ncpus, in->theirs.ndevices);
	return 0;
}

static int mig_in_vm(struct mig_in *in, const uint8_t *p, size_t len)
{
	struct kvm_vm_state st;
	int ret;

	if (in->vm || in->vcpu[0] || in->platform)
		return mig_in_fail(in, -EPROTO, "VM state out of order");
	if (len != sizeof(st))
		return mig_in_fail(in, -EPROTO, "VM state of %zu bytes", len);
	memcpy(&st, p, sizeof(st));
	ret = kvm_vm_state_load(in->vmm->kvm, &st);
	if (ret)
		return mig_in_fail(in, ret, "KVM refused the irqchip or "
				   "clock state: %s", strerror(-ret));
	in->vm = true;
	return 0;
}

static int mig_in_vcpu(struct mig_in *in, const uint8_t *p, size_t len)
{
	uint32_t idx[2];
	int ret;

	if (len != sizeof(idx) + sizeof(*in->vst))
		return mig_in_fail(in, -EPROTO, "vCPU state of %zu bytes",
				   len);
	memcpy(idx, p, sizeof(idx));
	if (idx[0] >= in->vmm->ncpus || idx[1])
		return mig_in_fail(in, -EPROTO, "state for vCPU %u, which "
				   "this VM does not have", idx[0]);
	if (!in->vm || in->vcpu[idx[0]] || in->platform)
		return mig_in_fail(in, -EPROTO, "vCPU %u state out of order",
				   idx[0]);
	memcpy(in->vst, p + sizeof(idx), sizeof(*in->vst));
	ret = vcpu_state_load(in->vmm->vcpus[idx[0]], in->vst);
	if (ret)
		return mig_in_fail(in, ret, "KVM refused vCPU %u state: %s",
				   idx[0], strerror(-ret));
	in->vcpu[idx[0]] = true;
	return 0;
}

static bool mig_in_vcpus_done(const struct mig_in *in)
{
	for (unsigned i = 0; i < in->vmm->ncpus; i++)
		if (!in->vcpu[i])
			return false;
	return in->vm;
}

static int mig_in_platform(struct mig_in *in, const uint8_t *p, size_t len)
{
	struct vdev_state_reader r;

	if (in->platform || !mig_in_vcpus_done(in))
		return mig_in_fail(in, -EPROTO, "platform state out of order");
	/* Nothing decodes until its state says so (pci.h). */
	pci_host_quiesce(in->vmm->pci);
	vdev_state_reader_init(&r, p, len);
	if (pci_host_load(in->vmm->pci, &r) || vdev_state_end(&r))
		return mig_in_fail(in, -EPROTO, "PCI host state: %s", r.why);
	in->platform = true;
	return 0;
}

static int mig_in_device(struct mig_in *in, const uint8_t *p, size_t len)
{
	struct vdev_state_reader r;
	struct mig_dev_id id;
	unsigned i;

	if (len < sizeof(id))
		return mig_in_fail(in, -EPROTO, "device section too short");
	memcpy(&id, p, sizeof(id));
	id.id[sizeof(id.id) - 1] = '\0';
	id.model[sizeof(id.model) - 1] = '\0';
	for (i = 0; i < in->ndevs; i++)
		if (!strcmp(in->devs[i]->id, id.id))
			break;
	if (i == in->ndevs || strcmp(in->devs[i]->ops->name, id.model))
		return mig_in_fail(in, -EPROTO, "state for device %s (%s), "
				   "which this VM does not have", id.id,
				   id.model);
	if (!in->platform || in->dev_loaded[i])
		return mig_in_fail(in, -EPROTO, "device %s state out of order",
				   id.id);
	vdev_state_reader_init(&r, p + sizeof(id), len - sizeof(id));
	if (vdev_state_load(in->devs[i], &r))
		return mig_in_fail(in, -EPROTO, "device %s: %s", id.id, r.why);
	in->dev_loaded[i] = true;
	return 0;
}

/* END: the sender's count matches, and nothing is missing. */
static int mig_in_end(struct mig_in *in, const uint8_t *p, size_t len)
{
	struct mig_end end;

	if (len != sizeof(end))
		return mig_in_fail(in, -EPROTO, "END of %zu bytes", len);
	memcpy(&end, p, sizeof(end));
	if (end.sections != in->s.seq - 1)
		return mig_in_fail(in, -EPROTO, "END counts %u sections, %u "
				   "arrived", end.sections, in->s.seq - 1);
	if (end.flags & ~MIG_END_PAUSED)
		return mig_in_fail(in, -EPROTO, "END with unknown flags %#x",
				   end.flags);
	in->paused = end.flags & MIG_END_PAUSED;
	if (!mig_in_vcpus_done(in))
		return mig_in_fail(in, -EPROTO, "the stream ended without "
				   "every vCPU's state");
	if (!in->platform)
		return mig_in_fail(in, -EPROTO, "the stream ended without "
				   "the PCI host's state");
	for (unsigned i = 0; i < in->ndevs; i++)
		if (!in->dev_loaded[i])
			return mig_in_fail(in, -EPROTO, "the stream ended "
					   "without device %s's state",
					   in->devs[i]->id);
	return 0;
}

static int mig_in_sections(struct mig_in *in)
{
	for (;;) {
		const uint8_t *p;
		uint32_t type;
		size_t len;
		int ret;

		ret = mig_section_recv(&in->s, &type, &p, &len);
		if (ret)
			return ret;
		switch (type) {
		case MIG_SEC_RAM:
			if (in->vm)
				return mig_in_fail(in, -EPROTO, "RAM after the "
						   "vCPU state");
			ret = mig_ram_apply(&in->s, &in->vmm->mem, p, len,
					    &in->pages);
			break;
		case MIG_SEC_ROUND:
			in->rounds++;
			break;
		case MIG_SEC_VM:
			ret = mig_in_vm(in, p, len);
			break;
		case MIG_SEC_VCPU:
			ret = mig_in_vcpu(in, p, len);
			break;
		case MIG_SEC_PLATFORM:
			ret = mig_in_platform(in, p, len);
			break;
		case MIG_SEC_DEVICE:
			ret = mig_in_device(in, p, len);
			break;
		case MIG_SEC_END:
			return mig_in_end(in, p, len);
		}
		if (ret)
			return ret;
	}
}

int vmm_migrate_incoming(struct vmm *vmm, const char *addr,
			 const volatile int *stop)
{
	struct mig_in *in = calloc(1, sizeof(*in));
	uint64_t t0;
	int lfd, fd, ret;

	if (!in)
		return -ENOMEM;
	in->vmm = vmm;
	lfd = mig_in_listen(addr);
	if (lfd < 0) {
		free(in);
		return lfd;
	}
	log_info("waiting for a migration on %s", addr);
	fd = mig_in_accept(lfd, stop);
	close(lfd);
	if (fd < 0) {
		free(in);
		return fd;
	}
	vmm_migrate_sockopts(fd);
	t0 = clock_mono_ms();
	in->vst = malloc(sizeof(*in->vst));
	ret = in->vst ? mig_stream_init(&in->s, fd, MIG_IN_IO_TIMEOUT_MS, NULL)
		      : -ENOMEM;
	if (ret == 0)
		ret = mig_in_header(in);
	if (ret == 0)
		ret = mig_in_sections(in);
	if (ret) {
		const char *why = in->s.err[0] ? in->s.err : strerror(-ret);

		log_err("incoming migration refused: %s", why);
		mig_reply_send(fd, ret < 0 ? ret : -EPROTO, why);
		close(fd);
		fd = ret < 0 ? ret : -EPROTO;
	} else {
		log_info("incoming migration loaded in %llu ms: %u rounds, "
			 "%llu pages, %llu bytes%s",
			 (unsigned long long)(clock_mono_ms() - t0), in->rounds,
			 (unsigned long long)in->pages,
			 (unsigned long long)in->s.bytes,
			 in->paused ? "; paused, as it was" : "");
		/* Its vCPUs start parked; "resume" lets them go. */
		if (in->paused)
			vmm_pause(vmm);
	}
	mig_stream_free(&in->s);
	free(in->vst);
	free(in);
	return fd;
}

void vmm_migrate_incoming_done(struct vmm *vmm, int conn)
{
	uint64_t t0 = clock_mono_us();
	int failed = nic_port_attach_all(vmm);
	int ret;

	if (failed)
		log_warn("%d NIC(s) could not attach to their switch: link "
			 "down, the VM runs on", failed);
	log_info("NICs attached in %.1f ms",
		 (double)(clock_mono_us() - t0) / 1000);
	ret = mig_reply_send(conn, 0, "running");
	if (ret < 0)
		log_warn("cannot tell the source that the VM runs: %s",
			 strerror(-ret));
	close(conn);
	nic_port_announce_all(vmm);
}
