/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_MIGRATE_STREAM_H
#define IOPATH_CORE_MIGRATE_STREAM_H

/*
 * The live-migration stream between two iopath-vmm processes (one TCP
 * connection, source to destination), and the destination's one-message
 * answer the other way.
 *
 *   header     struct mig_header: magic "IOPATHMG", version, who the
 *              source VM is (name, RAM size and layout, vCPUs, devices
 *              by id and model, the sizes of the KVM state it carries),
 *              CRC-32C of the header
 *   sections   struct mig_section (type, payload length, CRC-32C of
 *              type, length, number and payload, a running number
 *              from 0), then the payload:
 *     RAM       struct mig_ram_run, then npages * 4096 bytes, or none
 *               for a run of zero pages (MIG_RAM_ZERO)
 *     ROUND     struct mig_round: a pre-copy round ended (for counting)
 *     PLATFORM  the host's PCI state (core/vdev_state.h fields)
 *     VM        struct kvm_vm_state (irqchip, clock)
 *     VCPU      u32 index, u32 0, struct vcpu_state
 *     DEVICE    struct mig_dev_id, then its vdev_state_save() fields
 *     END       struct mig_end: every section before it arrived whole
 *
 * Integers are little-endian. The reader trusts nothing: a wrong magic is
 * "not an iopath migration stream", a wrong version or header size says
 * which; each section's length is bounded (MIG_SECTION_MAX) before
 * anything is read into memory; a CRC mismatch, a section out of
 * sequence, a page beyond the RAM the header declared, a vCPU or device
 * the header did not list, are each refused with a sentence saying so in
 * mig_stream.err.
 *
 * The answer (struct mig_reply): status 0 when the destination runs the
 * VM, else the -errno it refused with and why, in words.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/guest_mem.h"

#define MIG_MAGIC		"IOPATHMG"
#define MIG_VERSION		1
#define MIG_PAGE_SIZE		4096u
#define MIG_MAX_DEVICES		32
#define MIG_MAX_VCPUS		8
#define MIG_ID_MAX		32
#define MIG_MODEL_MAX		24
#define MIG_NAME_MAX		32
#define MIG_RUN_MAX_PAGES	256	/* 1 MiB of RAM per section */
/* The largest payload: a full RAM run (device states are smaller). */
#define MIG_SECTION_MAX		(sizeof(struct mig_ram_run) + \
				 MIG_RUN_MAX_PAGES * MIG_PAGE_SIZE)

enum mig_section_type {
	MIG_SEC_RAM = 1,
	MIG_SEC_ROUND,
	MIG_SEC_PLATFORM,
	MIG_SEC_VM,
	MIG_SEC_VCPU,
	MIG_SEC_DEVICE,
	MIG_SEC_END,
	MIG_SEC_TYPES,
};

struct mig_region {
	uint64_t gpa, size, fd_offset;
};

struct mig_dev_id {
	char id[MIG_ID_MAX];		/* NUL-terminated */
	char model[MIG_MODEL_MAX];	/* NUL-terminated */
};

struct mig_header {
	char magic[8];			/* MIG_MAGIC, no NUL */
	uint32_t version;		/* MIG_VERSION */
	uint32_t header_len;		/* sizeof(struct mig_header) */
	char vm_name[MIG_NAME_MAX];	/* NUL-terminated */
	uint64_t ram_bytes;
	uint32_t page_size;		/* MIG_PAGE_SIZE */
	uint32_t nregions;
	struct mig_region regions[GUEST_MEM_MAX_REGIONS];
	uint32_t ncpus;
	uint32_t ndevices;
	struct mig_dev_id devices[MIG_MAX_DEVICES];
	/* The KVM state structs are copied whole: both ends must agree. */
	uint32_t vcpu_state_size;
	uint32_t vm_state_size;
	uint32_t crc;			/* CRC-32C of the bytes before */
	uint32_t pad;
};
_Static_assert(sizeof(struct mig_header) == 1928, "stream layout");

struct mig_section {
	uint32_t type;
	uint32_t len;			/* payload bytes */
	uint32_t seq;			/* 0, 1, 2, ... */
	uint32_t crc;			/* type, len, seq and payload */
};
_Static_assert(sizeof(struct mig_section) == 16, "stream layout");

#define MIG_RAM_ZERO	1u	/* every page of the run is zero */

struct mig_ram_run {
	uint64_t first_page;		/* RAM page index (offset / 4K) */
	uint32_t npages;		/* 1..MIG_RUN_MAX_PAGES */
	uint32_t flags;			/* MIG_RAM_* */
};
_Static_assert(sizeof(struct mig_ram_run) == 16, "stream layout");

struct mig_round {
	uint32_t round;
	uint32_t pad;
	uint64_t pages;			/* pages sent in the round */
};

#define MIG_END_PAUSED	1u	/* the user had paused the VM: stay so */

struct mig_end {
	uint32_t sections;		/* sections before END */
	uint32_t flags;			/* MIG_END_* */
};

#define MIG_REPLY_MAGIC	0x5047524du	/* "MRGP" */
#define MIG_REPLY_MSG	120

struct mig_reply {
	uint32_t magic;
	int32_t status;			/* 0: running; -errno: refused */
	char msg[MIG_REPLY_MSG];	/* NUL-terminated */
};
_Static_assert(sizeof(struct mig_reply) == 128, "stream layout");

/* One end of a stream over a connected socket. */
struct mig_stream {
	int fd;
	uint32_t seq;			/* the next section's number */
	uint64_t bytes;			/* bytes moved so far */
	uint64_t send_ns;		/* time spent in (blocked) sends */
	int timeout_ms;			/* longest wait of one read/write */
	const volatile bool *cancel;	/* polled while waiting (opt) */
	uint64_t deadline_ms;		/* CLOCK_MONOTONIC ms; 0: none */
	/* Reader: the declared RAM (pages) and the current payload. */
	uint64_t ram_pages;
	uint8_t *buf;
	char err[192];			/* what went wrong, in words */
};

/*
 * Take @fd (made non-blocking; the stream does not close it). I/O waits
 * at most @timeout_ms at a time, and returns -ECANCELED soon after
 * *@cancel becomes true, -ETIME once s->deadline_ms (if set) passes.
 * 0 or -ENOMEM.
 */
int mig_stream_init(struct mig_stream *s, int fd, int timeout_ms,
		    const volatile bool *cancel);
void mig_stream_free(struct mig_stream *s);

/* Fill @h's identity fields (and magic, version, sizes). */
void mig_header_init(struct mig_header *h, const char *vm_name,
		     const struct guest_mem *gm, unsigned ncpus,
		     uint32_t vcpu_state_size, uint32_t vm_state_size);
/* Add a device to @h. 0, or -ENOSPC / -ENAMETOOLONG. */
int mig_header_add_device(struct mig_header *h, const char *id,
			  const char *model);

/* Send @h (its CRC filled in here). 0 or -errno. */
int mig_header_send(struct mig_stream *s, struct mig_header *h);
/*
 * Read and check a header: magic, version, size, CRC, and that every
 * count and string in it is in bounds. Sets s->ram_pages. 0 or -errno
 * (-EPROTO for a bad stream) with s->err.
 */
int mig_header_recv(struct mig_stream *s, struct mig_header *h);
/*
 * Whether the source @theirs can be loaded into this VM @ours: the same
 * RAM layout, vCPUs, KVM state sizes and devices (by id and model, in
 * any order). 0 or -EPROTO with the difference in @err.
 */
int mig_header_match(const struct mig_header *theirs,
		     const struct mig_header *ours, char *err, size_t len);

/* Send one section of @type: @a then @b as its payload. 0 or -errno. */
int mig_section_send(struct mig_stream *s, uint32_t type, const void *a,
		     size_t alen, const void *b, size_t blen);
/*
 * Read the next section: its checked payload at *@payload (valid until
 * the next call), *@len bytes. 0 or -errno with s->err.
 */
int mig_section_recv(struct mig_stream *s, uint32_t *type,
		     const uint8_t **payload, size_t *len);

/*
 * Check a RAM section's payload against the RAM the header declared:
 * *@run and, unless zero, its pages at *@data. 0 or -EPROTO with s->err.
 */
int mig_ram_parse(struct mig_stream *s, const uint8_t *payload, size_t len,
		  struct mig_ram_run *run, const uint8_t **data);

/* The destination's answer. 0 or -errno. */
int mig_reply_send(int fd, int status, const char *msg);
/*
 * Wait up to @timeout_ms for the answer. 0 with *@status and @msg, or
 * -errno (-ETIMEDOUT, -ECONNRESET for a closed connection, -EPROTO).
 */
int mig_reply_recv(int fd, int timeout_ms, int *status, char *msg,
		   size_t len);

#endif
