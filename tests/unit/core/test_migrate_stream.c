// SPDX-License-Identifier: MIT
/*
 * The migration stream (core/migrate_stream.h, migrate_ram.h): a whole
 * stream written and read back (header, RAM runs with zero pages, device
 * sections, END); and everything a reader must refuse with a reason
 * instead of trusting: a foreign stream, another version, a bad header
 * checksum, a stream cut at any byte, any byte flipped, a section longer
 * than allowed or out of sequence, RAM pages beyond the declared RAM, a
 * VM of another shape. The answer message, CRC-32C and the device-state
 * fields too.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/log.h"
#include "core/crc32c.h"
#include "core/migrate_ram.h"
#include "core/migrate_stream.h"
#include "core/vdev_state.h"

#define RAM_SIZE	(2u << 20)
#define NPAGES		(RAM_SIZE / MIG_PAGE_SIZE)

struct fx {
	uint8_t *ram_a, *ram_b;
	struct guest_mem gm_a, gm_b;
	int fd;			/* memfd holding the stream */
	uint8_t *bytes;		/* a copy of it */
	size_t len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	log_set_level(LOG_LEVEL_ERR);
	f->ram_a = calloc(1, RAM_SIZE);
	f->ram_b = calloc(1, RAM_SIZE);
	guest_mem_layout(&f->gm_a, f->ram_a, RAM_SIZE);
	guest_mem_layout(&f->gm_b, f->ram_b, RAM_SIZE);
	f->fd = memfd_create("stream", MFD_CLOEXEC);
	*state = f;
	return f->fd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->fd);
	free(f->ram_a);
	free(f->ram_b);
	free(f->bytes);
	free(f);
	return 0;
}

static void header_of(struct mig_header *h, const struct guest_mem *gm,
		      unsigned ncpus)
{
	mig_header_init(h, "vm1", gm, ncpus, 5000, 600);
	assert_int_equal(mig_header_add_device(h, "uart0", "uart16550"), 0);
	assert_int_equal(mig_header_add_device(h, "nic0", "tulip"), 0);
}

/* A whole stream from ram_a into the memfd; its bytes into f->bytes. */
static void write_stream(struct fx *f)
{
	struct mig_stream s;
	struct mig_header h;
	struct mig_ram_stats st = { 0 };
	uint64_t bitmap[NPAGES / 64];
	struct mig_end end = { 0 };
	const char dev[] = "device state";
	struct mig_dev_id id = { "nic0", "tulip" };

	/* Pages 3..9 data, 10..19 zero, 300 data, 511 data. */
	for (unsigned p = 3; p < 10; p++)
		memset(f->ram_a + p * MIG_PAGE_SIZE, (int)p, MIG_PAGE_SIZE);
	memset(f->ram_a + 300 * MIG_PAGE_SIZE + 100, 0x77, 10);
	f->ram_a[511 * MIG_PAGE_SIZE + 4095] = 1;
	/* What B had before must be overwritten, zero pages included. */
	memset(f->ram_b + 12 * MIG_PAGE_SIZE, 0xee, MIG_PAGE_SIZE);
	memset(bitmap, 0, sizeof(bitmap));
	for (unsigned p = 3; p < 20; p++)
		bitmap[p / 64] |= 1ull << (p % 64);
	bitmap[300 / 64] |= 1ull << (300 % 64);
	bitmap[511 / 64] |= 1ull << (511 % 64);

	assert_int_equal(ftruncate(f->fd, 0), 0);
	lseek(f->fd, 0, SEEK_SET);
	assert_int_equal(mig_stream_init(&s, f->fd, 1000, NULL), 0);
	header_of(&h, &f->gm_a, 2);
	assert_int_equal(mig_header_send(&s, &h), 0);
	assert_int_equal(mig_ram_send(&s, &f->gm_a, bitmap, &st), 0);
	assert_int_equal(st.pages, 19);
	assert_int_equal(st.zero_pages, 10);
	for (unsigned w = 0; w < NPAGES / 64; w++)
		assert_int_equal(bitmap[w], 0);
	assert_int_equal(mig_section_send(&s, MIG_SEC_DEVICE, &id, sizeof(id),
					  dev, sizeof(dev)), 0);
	end.sections = s.seq;
	assert_int_equal(mig_section_send(&s, MIG_SEC_END, &end, sizeof(end),
					  NULL, 0), 0);
	mig_stream_free(&s);

	f->len = (size_t)lseek(f->fd, 0, SEEK_END);
	free(f->bytes);
	f->bytes = malloc(f->len);
	assert_int_equal(pread(f->fd, f->bytes, f->len, 0), (ssize_t)f->len);
}

/* Put @len bytes of @p in the memfd as the whole stream. */
static void set_stream(struct fx *f, const void *p, size_t len)
{
	assert_int_equal(ftruncate(f->fd, 0), 0);
	assert_int_equal(pwrite(f->fd, p, len, 0), (ssize_t)len);
	lseek(f->fd, 0, SEEK_SET);
}

/*
 * Read the memfd's stream into ram_b as a destination does. 0 when END
 * arrived and checked; else the error, with its reason in @why.
 */
static int read_stream(struct fx *f, char *why, size_t whylen)
{
	struct mig_stream s;
	struct mig_header theirs, ours;
	uint64_t pages = 0;
	int ret;

	lseek(f->fd, 0, SEEK_SET);
	assert_int_equal(mig_stream_init(&s, f->fd, 1000, NULL), 0);
	ret = mig_header_recv(&s, &theirs);
	if (!ret) {
		header_of(&ours, &f->gm_b, 2);
		ret = mig_header_match(&theirs, &ours, s.err, sizeof(s.err));
	}
	while (!ret) {
		const uint8_t *p;
		uint32_t type;
		size_t len;

		ret = mig_section_recv(&s, &type, &p, &len);
		if (ret)
			break;
		if (type == MIG_SEC_RAM) {
			ret = mig_ram_apply(&s, &f->gm_b, p, len, &pages);
		} else if (type == MIG_SEC_END) {
			struct mig_end end;

			assert_int_equal(len, sizeof(end));
			memcpy(&end, p, sizeof(end));
			ret = end.sections == s.seq - 1 ? 1 : -EPROTO;
		}
	}
	snprintf(why, whylen, "%s", s.err);
	mig_stream_free(&s);
	return ret == 1 ? 0 : ret;
}

/* ---- a good stream ---- */

static void test_roundtrip(void **state)
{
	struct fx *f = *state;
	char why[200];

	write_stream(f);
	assert_int_equal(read_stream(f, why, sizeof(why)), 0);
	assert_memory_equal(f->ram_a, f->ram_b, RAM_SIZE);
}

/* ---- refused ---- */

static void test_foreign_stream(void **state)
{
	struct fx *f = *state;
	char junk[4096], why[200];

	for (unsigned i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 7);
	set_stream(f, junk, sizeof(junk));
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "not an iopath migration stream"));

	/* HTTP, say: also foreign. */
	set_stream(f, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "not an iopath"));
	set_stream(f, "", 0);
	assert_int_equal(read_stream(f, why, sizeof(why)), -ECONNRESET);
	assert_non_null(strstr(why, "truncated"));
}

static void test_other_version_and_header_crc(void **state)
{
	struct fx *f = *state;
	struct mig_header h;
	char why[200];

	write_stream(f);
	memcpy(&h, f->bytes, sizeof(h));
	h.version = 7;
	memcpy(f->bytes, &h, sizeof(h));
	set_stream(f, f->bytes, f->len);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "version 7"));

	write_stream(f);
	f->bytes[offsetof(struct mig_header, ram_bytes)] ^= 0x10;
	set_stream(f, f->bytes, f->len);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "header checksum"));
}

static void test_truncated_anywhere(void **state)
{
	struct fx *f = *state;
	char why[200];

	write_stream(f);
	/* Every cut up to the first pages' data, then strided. */
	for (size_t cut = 0; cut < f->len; cut += cut < 4096 ? 1 : 997) {
		set_stream(f, f->bytes, cut);
		assert_int_not_equal(read_stream(f, why, sizeof(why)), 0);
		assert_true(why[0] != '\0');
	}
	set_stream(f, f->bytes, f->len - 1);
	assert_int_equal(read_stream(f, why, sizeof(why)), -ECONNRESET);
	assert_non_null(strstr(why, "truncated"));
}

static void test_flipped_bytes(void **state)
{
	struct fx *f = *state;
	char why[200];
	uint8_t *orig;

	write_stream(f);
	orig = malloc(f->len);
	memcpy(orig, f->bytes, f->len);
	for (size_t pos = 0; pos < f->len; pos += pos < 4096 ? 3 : 1021) {
		memcpy(f->bytes, orig, f->len);
		f->bytes[pos] ^= 0x5a;
		set_stream(f, f->bytes, f->len);
		if (read_stream(f, why, sizeof(why)) == 0)
			fail_msg("byte %zu flipped, stream accepted", pos);
	}
	/* In page data the section's checksum catches it. */
	memcpy(f->bytes, orig, f->len);
	f->bytes[sizeof(struct mig_header) + sizeof(struct mig_section) +
		 sizeof(struct mig_ram_run) + 5] ^= 1;
	set_stream(f, f->bytes, f->len);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "checksum mismatch"));
	free(orig);
}

/* A stream whose header is fine and then @n sections from @build. */
static void crafted(struct fx *f, void (*build)(struct mig_stream *s))
{
	struct mig_stream s;
	struct mig_header h;

	assert_int_equal(ftruncate(f->fd, 0), 0);
	lseek(f->fd, 0, SEEK_SET);
	assert_int_equal(mig_stream_init(&s, f->fd, 1000, NULL), 0);
	header_of(&h, &f->gm_a, 2);
	assert_int_equal(mig_header_send(&s, &h), 0);
	build(&s);
	mig_stream_free(&s);
}

/* One RAM section: a run as given, with @data_pages pages of data. */
static void build_run(struct mig_stream *s, uint64_t first, uint32_t n,
		      uint32_t flags, unsigned data_pages)
{
	static uint8_t pages[2 * MIG_PAGE_SIZE];
	struct mig_ram_run run = { .first_page = first, .npages = n,
				   .flags = flags };

	assert_int_equal(mig_section_send(s, MIG_SEC_RAM, &run, sizeof(run),
					  pages, data_pages * MIG_PAGE_SIZE),
			 0);
}

static void build_beyond_ram(struct mig_stream *s)
{
	build_run(s, NPAGES - 1, 2, MIG_RAM_ZERO, 0);
}

static void build_huge_index(struct mig_stream *s)
{
	build_run(s, UINT64_MAX - 1, 4, MIG_RAM_ZERO, 0);
}

static void build_short_run(struct mig_stream *s)
{
	/* Two pages promised, one sent. */
	build_run(s, 4, 2, 0, 1);
}

static void build_out_of_sequence(struct mig_stream *s)
{
	struct mig_round rd = { 0 };

	s->seq = 5;
	assert_int_equal(mig_section_send(s, MIG_SEC_ROUND, &rd, sizeof(rd),
					  NULL, 0), 0);
}

static void build_oversized(struct mig_stream *s)
{
	struct mig_section sec = { .type = MIG_SEC_DEVICE,
				   .len = 0x7fffffff };

	/* Only the header: a reader must not allocate or wait for 2 GiB. */
	assert_int_equal(write(s->fd, &sec, sizeof(sec)), sizeof(sec));
}

static void build_unknown_type(struct mig_stream *s)
{
	assert_int_equal(mig_section_send(s, 99, "x", 1, NULL, 0), 0);
}

static void test_sections_refused(void **state)
{
	struct fx *f = *state;
	char why[200];

	crafted(f, build_beyond_ram);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "beyond"));
	crafted(f, build_huge_index);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "beyond"));
	crafted(f, build_short_run);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "2 pages in"));
	crafted(f, build_out_of_sequence);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "lost or repeated"));
	crafted(f, build_oversized);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "more than"));
	crafted(f, build_unknown_type);
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "unknown type"));
}

static void test_header_checks(void **state)
{
	struct fx *f = *state;
	struct mig_header a, b;
	struct guest_mem small;
	char why[200];

	header_of(&a, &f->gm_a, 2);
	header_of(&b, &f->gm_b, 2);
	assert_int_equal(mig_header_match(&a, &b, why, sizeof(why)), 0);
	header_of(&b, &f->gm_b, 1);
	assert_int_equal(mig_header_match(&a, &b, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "vCPU"));
	guest_mem_layout(&small, f->ram_b, RAM_SIZE / 2);
	header_of(&b, &small, 2);
	assert_int_equal(mig_header_match(&a, &b, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "RAM"));
	/* Devices: one missing here, one of another model. */
	header_of(&b, &f->gm_b, 2);
	b.ndevices = 1;
	assert_int_equal(mig_header_match(&a, &b, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "nic0"));
	header_of(&b, &f->gm_b, 2);
	strcpy(b.devices[1].model, "pvnet");
	assert_int_equal(mig_header_match(&a, &b, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "pvnet"));
	header_of(&b, &f->gm_b, 2);
	b.vcpu_state_size++;
	assert_int_equal(mig_header_match(&a, &b, why, sizeof(why)), -EPROTO);

	/* Counts in a header with a right checksum are still checked. */
	header_of(&a, &f->gm_a, 2);
	a.ndevices = MIG_MAX_DEVICES + 1;
	{
		struct mig_stream s;

		assert_int_equal(ftruncate(f->fd, 0), 0);
		lseek(f->fd, 0, SEEK_SET);
		assert_int_equal(mig_stream_init(&s, f->fd, 1000, NULL), 0);
		assert_int_equal(mig_header_send(&s, &a), 0);
		mig_stream_free(&s);
	}
	assert_int_equal(read_stream(f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "devices"));
}

/* ---- the answer, CRC, device fields ---- */

static void test_reply(void **state)
{
	int sv[2], status = 1;
	char msg[MIG_REPLY_MSG];
	struct mig_reply bad = { .magic = 1 };

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(mig_reply_send(sv[0], -EPROTO, "bad section 4"), 0);
	assert_int_equal(mig_reply_recv(sv[1], 1000, &status, msg,
					sizeof(msg)), 0);
	assert_int_equal(status, -EPROTO);
	assert_string_equal(msg, "bad section 4");
	assert_int_equal(mig_reply_send(sv[0], 0, "running"), 0);
	assert_int_equal(mig_reply_recv(sv[1], 1000, &status, msg,
					sizeof(msg)), 0);
	assert_int_equal(status, 0);
	assert_int_equal(mig_reply_recv(sv[1], 50, &status, msg, sizeof(msg)),
			 -ETIMEDOUT);
	assert_int_equal(write(sv[0], &bad, sizeof(bad)), sizeof(bad));
	assert_int_equal(mig_reply_recv(sv[1], 1000, &status, msg,
					sizeof(msg)), -EPROTO);
	close(sv[0]);
	assert_int_equal(mig_reply_recv(sv[1], 1000, &status, msg,
					sizeof(msg)), -ECONNRESET);
	close(sv[1]);
}

static void test_crc32c(void **state)
{
	uint8_t buf[1000];

	assert_int_equal(crc32c(0, "123456789", 9), 0xE3069283u);
	/* Pieces give what the whole gives, at any alignment. */
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37);
	for (unsigned cut = 0; cut < 40; cut++)
		assert_int_equal(crc32c(crc32c(0, buf + 1, cut), buf + 1 + cut,
					sizeof(buf) - 1 - cut),
				 crc32c(0, buf + 1, sizeof(buf) - 1));
}

static void test_vdev_state_fields(void **state)
{
	struct vdev_state_writer w;
	struct vdev_state_reader r;
	uint32_t v32 = 0;
	uint64_t v64 = 0;
	uint8_t buf[8];
	size_t len = 0;
	bool b = false;

	vdev_state_writer_init(&w);
	vdev_state_put_u32(&w, "a", 7);
	vdev_state_put_u64(&w, "bb", 1ull << 40);
	vdev_state_put(&w, "var", "xyz", 3);
	vdev_state_put_bool(&w, "flag", true);
	assert_int_equal(w.err, 0);

	vdev_state_reader_init(&r, w.buf, w.len);
	assert_int_equal(vdev_state_get_u32(&r, "a", &v32), 0);
	assert_int_equal(vdev_state_get_u64(&r, "bb", &v64), 0);
	assert_int_equal(vdev_state_get_var(&r, "var", buf, sizeof(buf), &len),
			 0);
	assert_int_equal(vdev_state_get_bool(&r, "flag", &b), 0);
	assert_int_equal(vdev_state_end(&r), 0);
	assert_int_equal(v32, 7);
	assert_true(v64 == 1ull << 40);
	assert_int_equal(len, 3);
	assert_true(b);

	/* Another name, another length, too long, a bad bool, leftovers. */
	vdev_state_reader_init(&r, w.buf, w.len);
	assert_int_equal(vdev_state_get_u32(&r, "b", &v32), -EPROTO);
	assert_non_null(strstr(r.why, "expected field b, found a"));
	/* Sticky. */
	assert_int_equal(vdev_state_get_u32(&r, "a", &v32), -EPROTO);
	vdev_state_reader_init(&r, w.buf, w.len);
	assert_int_equal(vdev_state_get_u64(&r, "a", &v64), -EPROTO);
	assert_non_null(strstr(r.why, "4 bytes, expected 8"));
	vdev_state_reader_init(&r, w.buf, w.len);
	vdev_state_get_u32(&r, "a", &v32);
	vdev_state_get_u64(&r, "bb", &v64);
	assert_int_equal(vdev_state_get_var(&r, "var", buf, 2, &len), -EPROTO);
	vdev_state_reader_init(&r, w.buf, w.len - 1);
	vdev_state_get_u32(&r, "a", &v32);
	vdev_state_get_u64(&r, "bb", &v64);
	vdev_state_get_var(&r, "var", buf, sizeof(buf), &len);
	assert_int_equal(vdev_state_get_bool(&r, "flag", &b), -EPROTO);
	assert_non_null(strstr(r.why, "past the end"));
	vdev_state_reader_init(&r, w.buf, w.len);
	vdev_state_get_u32(&r, "a", &v32);
	assert_int_equal(vdev_state_end(&r), -EPROTO);
	assert_non_null(strstr(r.why, "left over"));
	w.buf[w.len - 1] = 2;
	vdev_state_reader_init(&r, w.buf, w.len);
	vdev_state_get_u32(&r, "a", &v32);
	vdev_state_get_u64(&r, "bb", &v64);
	vdev_state_get_var(&r, "var", buf, sizeof(buf), &len);
	assert_int_equal(vdev_state_get_bool(&r, "flag", &b), -EPROTO);
	/* Keys must fit. */
	vdev_state_put_u32(&w, "", 1);
	assert_int_equal(w.err, -EINVAL);
	vdev_state_writer_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_roundtrip),
		T(test_foreign_stream),
		T(test_other_version_and_header_crc),
		T(test_truncated_anywhere),
		T(test_flipped_bytes),
		T(test_sections_refused),
		T(test_header_checks),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_vdev_state_fields),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
