// SPDX-License-Identifier: MIT
/* What both ends of a migration share (vmm_migrate.h). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/migrate_stream.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "cpu/vcpu_state.h"
#include "vmm/vmm_migrate.h"

int vmm_migrate_parse_addr(const char *addr, char *host, size_t hlen,
			   char *port, size_t plen)
{
	const char *h, *colon;
	size_t n;

	if (strncmp(addr, "tcp:", 4))
		return -EINVAL;
	h = addr + 4;
	/* [v6]:port or host:port; the port is after the last colon. */
	colon = strrchr(h, ':');
	if (!colon || colon == h || !colon[1] || strlen(colon + 1) >= plen)
		return -EINVAL;
	n = (size_t)(colon - h);
	if (h[0] == '[' && n >= 2 && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (!n || n >= hlen)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	for (const char *p = port; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	return 0;
}

int vmm_migrate_header(struct vmm *vmm, struct mig_header *h)
{
	int ret;

	mig_header_init(h, vmm->name, &vmm->mem, vmm->ncpus,
			sizeof(struct vcpu_state), sizeof(struct kvm_vm_state));
	for (struct vdev *vd = vmm->devices; vd; vd = vd->next) {
		ret = mig_header_add_device(h, vd->id, vd->ops->name);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void vmm_migrate_sockopts(int fd)
{
	int one = 1;

	/*
	 * The last sections and the answer are small: no Nagle wait (with
	 * delayed ACKs, 40 ms of downtime). The source counts what still
	 * sits in its send queue (SIOCOUTQ) when it predicts the downtime;
	 * the destination's fixed receive buffer (vmm_migrate_in.c) keeps
	 * that count honest.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}
