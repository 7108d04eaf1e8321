// SPDX-License-Identifier: MIT
/*
 * The migration stream (migrate_stream.h): transport, header, sections,
 * RAM runs and the destination's answer. Nothing here knows a VM: the
 * source and destination drivers (vmm/vmm_migrate*.c) fill and apply.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define LOG_SUBSYS "migrate"
#include "base/clock.h"
#include "base/log.h"
#include "core/crc32c.h"
#include "core/migrate_stream.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the stream is little-endian, as is this host");

/* Slices of a wait, so a cancel is seen soon. */
#define MIG_POLL_SLICE_MS	100

static const char *const mig_section_names[MIG_SEC_TYPES] = {
	[MIG_SEC_RAM] = "RAM", [MIG_SEC_ROUND] = "ROUND",
	[MIG_SEC_PLATFORM] = "PLATFORM", [MIG_SEC_VM] = "VM",
	[MIG_SEC_VCPU] = "VCPU", [MIG_SEC_DEVICE] = "DEVICE",
	[MIG_SEC_END] = "END",
};

static int mig_fail(struct mig_stream *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mig_fail(struct mig_stream *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return err;
}

int mig_stream_init(struct mig_stream *s, int fd, int timeout_ms,
		    const volatile bool *cancel)
{
	int fl = fcntl(fd, F_GETFL);

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->timeout_ms = timeout_ms;
	s->cancel = cancel;
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	s->buf = malloc(MIG_SECTION_MAX);
	return s->buf ? 0 : -ENOMEM;
}

void mig_stream_free(struct mig_stream *s)
{
	free(s->buf);
	s->buf = NULL;
}

/* ---- transport ---- */

/* Wait for @events on the socket; 0, -ETIMEDOUT or -ECANCELED. */
static int mig_wait(struct mig_stream *s, short events)
{
	uint64_t end = clock_mono_ms() + (uint64_t)s->timeout_ms;
	struct pollfd pfd = { .fd = s->fd, .events = events };

	for (;;) {
		uint64_t now = clock_mono_ms();
		int n;

		if (s->cancel && *s->cancel)
			return mig_fail(s, -ECANCELED, "cancelled");
		if (s->deadline_ms && now >= s->deadline_ms)
			return mig_fail(s, -ETIME, "out of time");
		if (now >= end)
			return mig_fail(s, -ETIMEDOUT, "the peer did not %s "
					"for %d ms", events == POLLIN
					? "send" : "read", s->timeout_ms);
		n = poll(&pfd, 1, (int)(end - now < MIG_POLL_SLICE_MS
					? end - now : MIG_POLL_SLICE_MS));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return mig_fail(s, -errno, "poll: %s",
					strerror(errno));
	}
}

static int mig_writev(struct mig_stream *s, struct iovec *iov, int n)
{
	uint64_t t0 = clock_mono_ns();
	int ret = 0;

	while (n > 0 && ret == 0) {
		ssize_t w = writev(s->fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				ret = mig_fail(s, -errno, "send: %s",
					       strerror(errno));
			else
				ret = mig_wait(s, POLLOUT);
			continue;
		}
		/* Read by status queries on another thread. */
		__atomic_fetch_add(&s->bytes, (uint64_t)w, __ATOMIC_RELAXED);
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	/* How long the link kept us: the source's bandwidth estimate. */
	__atomic_fetch_add(&s->send_ns, clock_mono_ns() - t0,
			   __ATOMIC_RELAXED);
	return ret;
}

static int mig_read(struct mig_stream *s, void *p, size_t len,
		    const char *what)
{
	uint8_t *b = p;

	while (len) {
		ssize_t r = read(s->fd, b, len);
		int ret;

		if (r > 0) {
			b += r;
			len -= (size_t)r;
			s->bytes += (uint64_t)r;
			continue;
		}
		if (r == 0)
			return mig_fail(s, -ECONNRESET, "the stream ends "
					"inside %s (truncated)", what);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return mig_fail(s, -errno, "receive: %s",
					strerror(errno));
		ret = mig_wait(s, POLLIN);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- header ---- */

void mig_header_init(struct mig_header *h, const char *vm_name,
		     const struct guest_mem *gm, unsigned ncpus,
		     uint32_t vcpu_state_size, uint32_t vm_state_size)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, MIG_MAGIC, sizeof(h->magic));
	h->version = MIG_VERSION;
	h->header_len = sizeof(*h);
	snprintf(h->vm_name, sizeof(h->vm_name), "%s", vm_name);
	h->ram_bytes = gm->size;
	h->page_size = MIG_PAGE_SIZE;
	h->nregions = gm->nregions;
	for (unsigned i = 0; i < gm->nregions && i < GUEST_MEM_MAX_REGIONS;
	     i++)
		h->regions[i] = (struct mig_region){
			gm->regions[i].gpa, gm->regions[i].size,
			gm->regions[i].fd_offset };
	h->ncpus = ncpus;
	h->vcpu_state_size = vcpu_state_size;
	h->vm_state_size = vm_state_size;
}

int mig_header_add_device(struct mig_header *h, const char *id,
			  const char *model)
{
	struct mig_dev_id *d;

	if (h->ndevices == MIG_MAX_DEVICES)
		return -ENOSPC;
	if (strlen(id) >= MIG_ID_MAX || strlen(model) >= MIG_MODEL_MAX)
		return -ENAMETOOLONG;
	d = &h->devices[h->ndevices++];
	memset(d, 0, sizeof(*d));
	strcpy(d->id, id);
	strcpy(d->model, model);
	return 0;
}

int mig_header_send(struct mig_stream *s, struct mig_header *h)
{
	struct iovec iov = { h, sizeof(*h) };

	h->crc = crc32c(0, h, offsetof(struct mig_header, crc));
	return mig_writev(s, &iov, 1);
}

static bool mig_str_ok(const char *p, size_t cap)
{
	return memchr(p, '\0', cap) != NULL;
}

/* Every count and string in a header whose CRC was right. */
static int mig_header_check(struct mig_stream *s, const struct mig_header *h)
{
	uint64_t total = 0;

	if (h->page_size != MIG_PAGE_SIZE)
		return mig_fail(s, -EPROTO, "page size %u, expected %u",
				h->page_size, MIG_PAGE_SIZE);
	if (!h->ram_bytes || h->ram_bytes % MIG_PAGE_SIZE ||
	    h->ram_bytes > GUEST_MEM_MAX)
		return mig_fail(s, -EPROTO, "RAM size %llu is not a size "
				"this VMM runs",
				(unsigned long long)h->ram_bytes);
	if (!h->nregions || h->nregions > GUEST_MEM_MAX_REGIONS)
		return mig_fail(s, -EPROTO, "%u RAM regions", h->nregions);
	for (unsigned i = 0; i < h->nregions; i++)
		total += h->regions[i].size;
	if (total != h->ram_bytes)
		return mig_fail(s, -EPROTO, "RAM regions add up to %llu "
				"bytes, not %llu", (unsigned long long)total,
				(unsigned long long)h->ram_bytes);
	if (!h->ncpus || h->ncpus > MIG_MAX_VCPUS)
		return mig_fail(s, -EPROTO, "%u vCPUs", h->ncpus);
	if (h->ndevices > MIG_MAX_DEVICES)
		return mig_fail(s, -EPROTO, "%u devices", h->ndevices);
	if (!mig_str_ok(h->vm_name, sizeof(h->vm_name)))
		return mig_fail(s, -EPROTO, "VM name not terminated");
	for (unsigned i = 0; i < h->ndevices; i++)
		if (!mig_str_ok(h->devices[i].id, MIG_ID_MAX) ||
		    !mig_str_ok(h->devices[i].model, MIG_MODEL_MAX) ||
		    !h->devices[i].id[0])
			return mig_fail(s, -EPROTO, "device %u: bad name", i);
	return 0;
}

int mig_header_recv(struct mig_stream *s, struct mig_header *h)
{
	size_t head = offsetof(struct mig_header, vm_name);
	int ret;

	/* Magic, version and size first: a foreign or newer stream gets
	 * its own message rather than "bad CRC". */
	ret = mig_read(s, h, head, "the header");
	if (ret)
		return ret;
	if (memcmp(h->magic, MIG_MAGIC, sizeof(h->magic)))
		return mig_fail(s, -EPROTO, "not an iopath migration stream "
				"(bad magic)");
	if (h->version != MIG_VERSION)
		return mig_fail(s, -EPROTO, "stream version %u; this VMM "
				"reads version %u", h->version, MIG_VERSION);
	if (h->header_len != sizeof(*h))
		return mig_fail(s, -EPROTO, "header of %u bytes, expected %zu",
				h->header_len, sizeof(*h));
	ret = mig_read(s, (uint8_t *)h + head, sizeof(*h) - head,
		       "the header");
	if (ret)
		return ret;
	if (h->crc != crc32c(0, h, offsetof(struct mig_header, crc)) ||
	    h->pad)
		return mig_fail(s, -EPROTO, "header checksum mismatch "
				"(corrupt stream)");
	ret = mig_header_check(s, h);
	if (ret)
		return ret;
	s->ram_pages = h->ram_bytes / MIG_PAGE_SIZE;
	return 0;
}

static const struct mig_dev_id *mig_find_dev(const struct mig_header *h,
					     const char *id)
{
	for (unsigned i = 0; i < h->ndevices; i++)
		if (!strcmp(h->devices[i].id, id))
			return &h->devices[i];
	return NULL;
}

int mig_header_match(const struct mig_header *theirs,
		     const struct mig_header *ours, char *err, size_t len)
{
	if (theirs->ram_bytes != ours->ram_bytes ||
	    theirs->nregions != ours->nregions ||
	    memcmp(theirs->regions, ours->regions,
		   sizeof(ours->regions[0]) * ours->nregions)) {
		snprintf(err, len, "the source has %llu MiB of RAM in %u "
			 "region(s), this VM %llu MiB in %u",
			 (unsigned long long)(theirs->ram_bytes >> 20),
			 theirs->nregions,
			 (unsigned long long)(ours->ram_bytes >> 20),
			 ours->nregions);
		return -EPROTO;
	}
	if (theirs->ncpus != ours->ncpus) {
		snprintf(err, len, "the source has %u vCPU(s), this VM %u",
			 theirs->ncpus, ours->ncpus);
		return -EPROTO;
	}
	if (theirs->vcpu_state_size != ours->vcpu_state_size ||
	    theirs->vm_state_size != ours->vm_state_size) {
		snprintf(err, len, "KVM state sizes differ (%u/%u vs %u/%u): "
			 "built against other kernel headers",
			 theirs->vcpu_state_size, theirs->vm_state_size,
			 ours->vcpu_state_size, ours->vm_state_size);
		return -EPROTO;
	}
	for (unsigned i = 0; i < ours->ndevices; i++) {
		const struct mig_dev_id *d = mig_find_dev(theirs,
							  ours->devices[i].id);

		if (!d) {
			snprintf(err, len, "device %s is not in the source VM",
				 ours->devices[i].id);
			return -EPROTO;
		}
		if (strcmp(d->model, ours->devices[i].model)) {
			snprintf(err, len, "device %s is a %s in the source "
				 "VM, a %s here", d->id, d->model,
				 ours->devices[i].model);
			return -EPROTO;
		}
	}
	if (theirs->ndevices != ours->ndevices) {
		for (unsigned i = 0; i < theirs->ndevices; i++)
			if (!mig_find_dev(ours, theirs->devices[i].id)) {
				snprintf(err, len, "the source VM has device "
					 "%s (%s), this VM does not",
					 theirs->devices[i].id,
					 theirs->devices[i].model);
				return -EPROTO;
			}
		snprintf(err, len, "device lists differ");
		return -EPROTO;
	}
	return 0;
}

/* ---- sections ---- */

static uint32_t mig_section_crc(const struct mig_section *sec,
				const void *a, size_t alen, const void *b,
				size_t blen)
{
	uint32_t c = crc32c(0, sec, offsetof(struct mig_section, crc));

	if (alen)
		c = crc32c(c, a, alen);
	if (blen)
		c = crc32c(c, b, blen);
	return c;
}

int mig_section_send(struct mig_stream *s, uint32_t type, const void *a,
		     size_t alen, const void *b, size_t blen)
{
	struct mig_section sec = {
		.type = type, .len = (uint32_t)(alen + blen), .seq = s->seq,
	};
	struct iovec iov[3] = {
		{ &sec, sizeof(sec) },
		{ (void *)a, alen },
		{ (void *)b, blen },
	};

	if (alen + blen > MIG_SECTION_MAX)
		return mig_fail(s, -E2BIG, "section of %zu bytes", alen + blen);
	sec.crc = mig_section_crc(&sec, a, alen, b, blen);
	s->seq++;
	return mig_writev(s, iov, 3);
}

int mig_section_recv(struct mig_stream *s, uint32_t *type,
		     const uint8_t **payload, size_t *len)
{
	struct mig_section sec;
	int ret;

	ret = mig_read(s, &sec, sizeof(sec), "a section header");
	if (ret)
		return ret;
	if (sec.type == 0 || sec.type >= MIG_SEC_TYPES)
		return mig_fail(s, -EPROTO, "section %u: unknown type %u",
				s->seq, sec.type);
	if (sec.seq != s->seq)
		return mig_fail(s, -EPROTO, "section %u arrived as number %u "
				"(lost or repeated data)", s->seq, sec.seq);
	if (sec.len > MIG_SECTION_MAX)
		return mig_fail(s, -EPROTO, "%s section %u: %u bytes, more "
				"than the %zu a section may hold",
				mig_section_names[sec.type], sec.seq, sec.len,
				MIG_SECTION_MAX);
	ret = mig_read(s, s->buf, sec.len, mig_section_names[sec.type]);
	if (ret)
		return ret;
	if (sec.crc != mig_section_crc(&sec, s->buf, sec.len, NULL, 0))
		return mig_fail(s, -EPROTO, "%s section %u: checksum mismatch "
				"(corrupt stream)", mig_section_names[sec.type],
				sec.seq);
	s->seq++;
	*type = sec.type;
	*payload = s->buf;
	*len = sec.len;
	return 0;
}

int mig_ram_parse(struct mig_stream *s, const uint8_t *payload, size_t len,
		  struct mig_ram_run *run, const uint8_t **data)
{
	size_t want;

	if (len < sizeof(*run))
		return mig_fail(s, -EPROTO, "RAM section too short");
	memcpy(run, payload, sizeof(*run));
	if (run->flags & ~MIG_RAM_ZERO)
		return mig_fail(s, -EPROTO, "RAM run with unknown flags %#x",
				run->flags);
	if (!run->npages || run->npages > MIG_RUN_MAX_PAGES)
		return mig_fail(s, -EPROTO, "RAM run of %u pages",
				run->npages);
	if (run->first_page >= s->ram_pages ||
	    run->npages > s->ram_pages - run->first_page)
		return mig_fail(s, -EPROTO, "RAM pages %llu+%u beyond the "
				"%llu the header declared",
				(unsigned long long)run->first_page,
				run->npages,
				(unsigned long long)s->ram_pages);
	want = sizeof(*run) + ((run->flags & MIG_RAM_ZERO)
			       ? 0 : (size_t)run->npages * MIG_PAGE_SIZE);
	if (len != want)
		return mig_fail(s, -EPROTO, "RAM run of %u pages in %zu bytes",
				run->npages, len);
	*data = payload + sizeof(*run);
	return 0;
}

/* ---- the answer ---- */

int mig_reply_send(int fd, int status, const char *msg)
{
	struct mig_reply r = { .magic = MIG_REPLY_MAGIC, .status = status };
	const uint8_t *p = (const uint8_t *)&r;
	size_t left = sizeof(r);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	snprintf(r.msg, sizeof(r.msg), "%s", msg ? msg : "");
	while (left) {
		ssize_t w = write(fd, p, left);

		if (w > 0) {
			p += w;
			left -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, 1000) <= 0)
				return -ETIMEDOUT;
		} else if (w < 0 && errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

int mig_reply_recv(int fd, int timeout_ms, int *status, char *msg,
		   size_t len)
{
	uint64_t end = clock_mono_ms() + (uint64_t)timeout_ms;
	struct mig_reply r;
	uint8_t *p = (uint8_t *)&r;
	size_t got = 0;

	while (got < sizeof(r)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = clock_mono_ms();
		ssize_t n;

		if (now >= end)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)(end - now));
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		n = read(fd, p + got, sizeof(r) - got);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	if (r.magic != MIG_REPLY_MAGIC || r.status > 0)
		return -EPROTO;
	r.msg[sizeof(r.msg) - 1] = '\0';
	*status = r.status;
	snprintf(msg, len, "%s", r.msg);
	return 0;
}
