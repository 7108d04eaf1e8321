/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_VDEV_STATE_H
#define IOPATH_CORE_VDEV_STATE_H

/*
 * A device's state as a migration carries it: a flat run of named fields,
 *
 *   u8 key length (1..VDEV_STATE_KEY_MAX), key bytes, u32 value length,
 *   value bytes (integers little-endian)
 *
 * written by vdev_ops.save in a fixed order and read back by
 * vdev_ops.load in the same order. The reader checks every field's name
 * and length against what the loader expects and never reads past the
 * blob: a blob from another version of a model, or a damaged one, fails
 * with a sentence naming the field (vdev_state_reader.why) instead of
 * loading garbage. A loader must still check every value it takes (a
 * ring index against its ring, an enum against its range): the blob came
 * from another process.
 *
 * vdev_state_save()/vdev_state_load() wrap a model's own save/load with
 * the state the core keeps for it: its PCI function (core/pci.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vdev;

#define VDEV_STATE_KEY_MAX	31
#define VDEV_STATE_MAX		(1u << 20)	/* bytes per device */

struct vdev_state_writer {
	uint8_t *buf;
	size_t len, cap;
	int err;		/* first error (-ENOMEM, -E2BIG); sticky */
};

struct vdev_state_reader {
	const uint8_t *buf;
	size_t len, pos;
	int err;		/* first error; sticky */
	char why[160];		/* what was wrong, for the log */
};

void vdev_state_writer_init(struct vdev_state_writer *w);
void vdev_state_writer_free(struct vdev_state_writer *w);
void vdev_state_reader_init(struct vdev_state_reader *r, const void *buf,
			    size_t len);

/* Append field @key of @len bytes. Errors stick in w->err. */
void vdev_state_put(struct vdev_state_writer *w, const char *key,
		    const void *p, size_t len);
void vdev_state_put_u8(struct vdev_state_writer *w, const char *key,
		       uint8_t v);
void vdev_state_put_u32(struct vdev_state_writer *w, const char *key,
			uint32_t v);
void vdev_state_put_u64(struct vdev_state_writer *w, const char *key,
			uint64_t v);
void vdev_state_put_bool(struct vdev_state_writer *w, const char *key,
			 bool v);

/*
 * Take the next field: it must be called @key and be exactly @len bytes.
 * 0 or -EPROTO (r->why says which field and how), sticky: after the
 * first error every get fails, so a loader may check once at the end.
 */
int vdev_state_get(struct vdev_state_reader *r, const char *key, void *p,
		   size_t len);
/* A field of up to @max bytes; its length in *@len. */
int vdev_state_get_var(struct vdev_state_reader *r, const char *key,
		       void *p, size_t max, size_t *len);
int vdev_state_get_u8(struct vdev_state_reader *r, const char *key,
		      uint8_t *v);
int vdev_state_get_u32(struct vdev_state_reader *r, const char *key,
		       uint32_t *v);
int vdev_state_get_u64(struct vdev_state_reader *r, const char *key,
		       uint64_t *v);
/* A bool field must hold 0 or 1. */
int vdev_state_get_bool(struct vdev_state_reader *r, const char *key,
			bool *v);
/*
 * Fail the reader with a sentence (a loader's own check of a value).
 * Returns -EPROTO.
 */
int vdev_state_fail(struct vdev_state_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Everything read, nothing left over: 0 or -EPROTO. */
int vdev_state_end(struct vdev_state_reader *r);

/*
 * A device's whole state: its PCI function's (if any), then the model's
 * save. -EOPNOTSUPP if the model cannot be migrated.
 */
int vdev_state_save(struct vdev *vd, struct vdev_state_writer *w);
/*
 * Load what vdev_state_save wrote into @vd, a device built with the same
 * options, whose vCPUs have not run. 0 or -errno; r->why says why.
 */
int vdev_state_load(struct vdev *vd, struct vdev_state_reader *r);

#endif
