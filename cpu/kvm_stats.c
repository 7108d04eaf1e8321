// SPDX-License-Identifier: MIT
/* KVM binary stats: parse the descriptor block once, then pread values. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define LOG_SUBSYS "kvm-stats"
#include "base/log.h"
#include "cpu/kvm_stats.h"

/* Longer names are cut; the kernel's are well under this. */
#define KVM_STATS_NAME_SIZE 64

struct kvm_stat {
	char name[KVM_STATS_NAME_SIZE];
	uint32_t offset;	/* into the data block, bytes */
};

struct kvm_stats {
	int fd;
	uint32_t data_offset;
	uint32_t data_size;
	uint64_t *data;
	unsigned n;
	struct kvm_stat *stats;
};

struct kvm_stats *kvm_stats_open(int fd)
{
	struct kvm_stats_header hdr;
	struct kvm_stats *s;
	size_t desc_size;
	uint8_t *descs = NULL;
	unsigned i;
	int sfd, err = EINVAL;

	sfd = ioctl(fd, KVM_GET_STATS_FD, NULL);
	if (sfd < 0) {
		errno = ENOTSUP;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(sfd);
		return NULL;
	}
	s->fd = sfd;
	if (pread(sfd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
		goto fail;
	/* The kernel is trusted, but a size error here would be a crash. */
	if (hdr.num_desc > 4096 || hdr.name_size > 4096 || hdr.name_size == 0)
		goto fail;
	desc_size = sizeof(struct kvm_stats_desc) + hdr.name_size;
	descs = calloc(hdr.num_desc, desc_size);
	s->stats = calloc(hdr.num_desc ? hdr.num_desc : 1, sizeof(*s->stats));
	if (!descs || !s->stats) {
		err = ENOMEM;
		goto fail;
	}
	if (pread(sfd, descs, hdr.num_desc * desc_size, hdr.desc_offset) !=
	    (ssize_t)(hdr.num_desc * desc_size))
		goto fail;

	s->data_offset = hdr.data_offset;
	for (i = 0; i < hdr.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * desc_size);
		uint32_t end = d->offset + d->size * sizeof(uint64_t);

		if (d->size == 0)
			continue;
		memcpy(s->stats[s->n].name, d->name,
		       hdr.name_size < KVM_STATS_NAME_SIZE ?
			       hdr.name_size : KVM_STATS_NAME_SIZE);
		s->stats[s->n].name[KVM_STATS_NAME_SIZE - 1] = '\0';
		s->stats[s->n].offset = d->offset;
		s->n++;
		if (end > s->data_size)
			s->data_size = end;
	}
	s->data = calloc(1, s->data_size ? s->data_size : 8);
	if (!s->data) {
		err = ENOMEM;
		goto fail;
	}
	free(descs);
	return s;

fail:
	free(descs);
	kvm_stats_close(s);
	errno = err;
	return NULL;
}

void kvm_stats_close(struct kvm_stats *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s->stats);
	free(s->data);
	free(s);
}

unsigned kvm_stats_count(const struct kvm_stats *s)
{
	return s->n;
}

const char *kvm_stats_name(const struct kvm_stats *s, unsigned i)
{
	return i < s->n ? s->stats[i].name : NULL;
}

int kvm_stats_find(const struct kvm_stats *s, const char *name)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->stats[i].name, name))
			return i;
	return -ENOENT;
}

int kvm_stats_read(struct kvm_stats *s, uint64_t *out)
{
	unsigned i;

	if (pread(s->fd, s->data, s->data_size, s->data_offset) !=
	    (ssize_t)s->data_size)
		return -errno ? -errno : -EIO;
	for (i = 0; i < s->n; i++)
		memcpy(&out[i], (uint8_t *)s->data + s->stats[i].offset,
		       sizeof(uint64_t));
	return 0;
}
