// SPDX-License-Identifier: MIT
/* Device state fields (vdev_state.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pci.h"
#include "core/vdev.h"
#include "core/vdev_state.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "fields are stored in host order, which must be LE");

void vdev_state_writer_init(struct vdev_state_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void vdev_state_writer_free(struct vdev_state_writer *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void vdev_state_reader_init(struct vdev_state_reader *r, const void *buf,
			    size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
}

static int vdev_state_grow(struct vdev_state_writer *w, size_t more)
{
	size_t cap = w->cap ? w->cap : 256;
	uint8_t *nb;

	if (w->len + more > VDEV_STATE_MAX)
		return -E2BIG;
	while (cap < w->len + more)
		cap *= 2;
	if (cap == w->cap)
		return 0;
	nb = realloc(w->buf, cap);
	if (!nb)
		return -ENOMEM;
	w->buf = nb;
	w->cap = cap;
	return 0;
}

void vdev_state_put(struct vdev_state_writer *w, const char *key,
		    const void *p, size_t len)
{
	size_t klen = strlen(key);
	uint32_t l32 = (uint32_t)len;
	uint8_t k8 = (uint8_t)klen;
	int ret;

	if (w->err)
		return;
	if (!klen || klen > VDEV_STATE_KEY_MAX || len > VDEV_STATE_MAX) {
		w->err = -EINVAL;
		return;
	}
	ret = vdev_state_grow(w, 1 + klen + 4 + len);
	if (ret) {
		w->err = ret;
		return;
	}
	w->buf[w->len++] = k8;
	memcpy(w->buf + w->len, key, klen);
	w->len += klen;
	memcpy(w->buf + w->len, &l32, 4);
	w->len += 4;
	if (len)
		memcpy(w->buf + w->len, p, len);
	w->len += len;
}

void vdev_state_put_u8(struct vdev_state_writer *w, const char *key,
		       uint8_t v)
{
	vdev_state_put(w, key, &v, 1);
}

void vdev_state_put_u32(struct vdev_state_writer *w, const char *key,
			uint32_t v)
{
	vdev_state_put(w, key, &v, 4);
}

void vdev_state_put_u64(struct vdev_state_writer *w, const char *key,
			uint64_t v)
{
	vdev_state_put(w, key, &v, 8);
}

void vdev_state_put_bool(struct vdev_state_writer *w, const char *key,
			 bool v)
{
	vdev_state_put_u8(w, key, v ? 1 : 0);
}

int vdev_state_fail(struct vdev_state_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err)
		return r->err;
	r->err = -EPROTO;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return r->err;
}

/* The next field's header: its key must be @key; its value at *@val. */
static int vdev_state_next(struct vdev_state_reader *r, const char *key,
			   const uint8_t **val, size_t *vlen)
{
	size_t left = r->len - r->pos, klen;
	uint32_t l32;

	if (r->err)
		return r->err;
	if (left == 0)
		return vdev_state_fail(r, "field %s missing (state ends)",
				       key);
	klen = r->buf[r->pos];
	if (klen == 0 || klen > VDEV_STATE_KEY_MAX || 1 + klen + 4 > left)
		return vdev_state_fail(r, "malformed field before %s", key);
	if (klen != strlen(key) || memcmp(r->buf + r->pos + 1, key, klen))
		return vdev_state_fail(r, "expected field %s, found %.*s", key,
				       (int)klen,
				       (const char *)r->buf + r->pos + 1);
	memcpy(&l32, r->buf + r->pos + 1 + klen, 4);
	if (l32 > left - 1 - klen - 4)
		return vdev_state_fail(r, "field %s: %u bytes, past the end",
				       key, l32);
	*val = r->buf + r->pos + 1 + klen + 4;
	*vlen = l32;
	r->pos += 1 + klen + 4 + l32;
	return 0;
}

int vdev_state_get(struct vdev_state_reader *r, const char *key, void *p,
		   size_t len)
{
	const uint8_t *val;
	size_t vlen;
	int ret = vdev_state_next(r, key, &val, &vlen);

	if (ret)
		return ret;
	if (vlen != len)
		return vdev_state_fail(r, "field %s: %zu bytes, expected %zu",
				       key, vlen, len);
	if (len)
		memcpy(p, val, len);
	return 0;
}

int vdev_state_get_var(struct vdev_state_reader *r, const char *key,
		       void *p, size_t max, size_t *len)
{
	const uint8_t *val;
	size_t vlen;
	int ret = vdev_state_next(r, key, &val, &vlen);

	if (ret)
		return ret;
	if (vlen > max)
		return vdev_state_fail(r, "field %s: %zu bytes, at most %zu",
				       key, vlen, max);
	if (vlen)
		memcpy(p, val, vlen);
	*len = vlen;
	return 0;
}

int vdev_state_get_u8(struct vdev_state_reader *r, const char *key,
		      uint8_t *v)
{
	return vdev_state_get(r, key, v, 1);
}

int vdev_state_get_u32(struct vdev_state_reader *r, const char *key,
		       uint32_t *v)
{
	return vdev_state_get(r, key, v, 4);
}

int vdev_state_get_u64(struct vdev_state_reader *r, const char *key,
		       uint64_t *v)
{
	return vdev_state_get(r, key, v, 8);
}

int vdev_state_get_bool(struct vdev_state_reader *r, const char *key,
			bool *v)
{
	uint8_t b = 0;
	int ret = vdev_state_get_u8(r, key, &b);

	if (ret)
		return ret;
	if (b > 1)
		return vdev_state_fail(r, "field %s: %u is not a bool", key,
				       b);
	*v = b;
	return 0;
}

int vdev_state_end(struct vdev_state_reader *r)
{
	if (r->err)
		return r->err;
	if (r->pos != r->len)
		return vdev_state_fail(r, "%zu bytes left over after the "
				       "last field", r->len - r->pos);
	return 0;
}

int vdev_state_save(struct vdev *vd, struct vdev_state_writer *w)
{
	int ret;

	if (!vd->ops->save || !vd->ops->load)
		return -EOPNOTSUPP;
	if (vd->pci) {
		ret = pci_dev_save(vd->pci, w);
		if (ret < 0)
			return ret;
	}
	ret = vd->ops->save(vd, w);
	if (ret == 0)
		ret = w->err;
	return ret;
}

int vdev_state_load(struct vdev *vd, struct vdev_state_reader *r)
{
	int ret;

	if (!vd->ops->load)
		return vdev_state_fail(r, "model %s cannot load state",
				       vd->ops->name);
	if (vd->pci) {
		ret = pci_dev_load(vd->pci, r);
		if (ret < 0)
			return ret;
	}
	ret = vd->ops->load(vd, r);
	if (ret < 0) {
		if (!r->why[0])
			snprintf(r->why, sizeof(r->why), "%s",
				 strerror(-ret));
		return ret;
	}
	return vdev_state_end(r);
}
