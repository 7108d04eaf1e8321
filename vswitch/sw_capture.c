// SPDX-License-Identifier: MIT
/*
 * Port capture into standard pcap files with libpcap.
 *
 * The file and the BPF filter are prepared on the control thread (opening
 * files and compiling filters are slow and may fail with a message for the
 * user); the capture is then attached to its port on the forwarding
 * thread, which alone writes packets (pcap_dump is buffered stdio) and,
 * when the size limit is reached, closes the file itself. Stopping detaches
 * it on the forwarding thread and closes (flushes) it there too, so a file
 * is never written by two threads, nor by two captures (sw_capture_check).
 *
 * A capture counts the frames it wrote ("packets"), their bytes on the
 * wire ("frame_bytes") and the file's size ("file_bytes": the 24-byte
 * file header and 16 bytes per record on top); max_bytes limits the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#define LOG_SUBSYS "capture"
#include "base/clock.h"
#include "base/json_counters.h"
#include "base/log.h"
#include "vswitch/sw.h"

#define SW_CAP_SNAPLEN	65535
#define SW_CAP_FILE_HDR	24	/* pcap file header */
#define SW_CAP_REC_HDR	16	/* pcap record header */

struct sw_capture {
	char file[256];
	enum sw_cap_dir dir;
	char filter[256];
	uint64_t max_bytes;		/* 0 = no limit */
	pcap_t *dead;
	pcap_dumper_t *dumper;
	struct bpf_program prog;
	bool has_prog;
	dev_t dev;			/* the file, to refuse it twice */
	ino_t ino;
	/* Forwarding thread only. */
	uint64_t packets, frame_bytes, file_bytes, filtered_out;
	char stopped[64];		/* why it stopped itself, or "" */
	uint64_t started_ns;
};

static const char *sw_cap_dir_name(enum sw_cap_dir d)
{
	switch (d) {
	case SW_CAP_RX:
		return "rx";
	case SW_CAP_TX:
		return "tx";
	default:
		return "both";
	}
}

/*
 * The file, as a pcap dumper. Only a regular file, never through a
 * symbolic link, and never blocking the control thread (a FIFO without
 * a reader would, in open or in every write).
 */
static pcap_dumper_t *sw_capture_create(struct sw_capture *c, char *err,
					size_t errlen)
{
	struct stat st;
	pcap_dumper_t *d;
	FILE *f;
	int fd;

	if (lstat(c->file, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", c->file);
		return NULL;
	}
	fd = open(c->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		  O_NOFOLLOW | O_NONBLOCK, 0666);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", c->file,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, 0) < 0) {
		snprintf(err, errlen, "%s is not a regular file", c->file);
		close(fd);
		return NULL;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	f = fdopen(fd, "w");
	d = f ? pcap_dump_fopen(c->dead, f) : NULL;
	if (!d) {
		snprintf(err, errlen, "cannot write %s: %s", c->file,
			 f ? pcap_geterr(c->dead) : strerror(errno));
		if (f)
			fclose(f);
		else
			close(fd);
	}
	return d;
}

struct sw_capture *sw_capture_open(const char *file, enum sw_cap_dir dir,
				   const char *filter, uint64_t max_bytes,
				   char *err, size_t errlen)
{
	struct sw_capture *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strlen(file) >= sizeof(c->file) ||
	    (filter && strlen(filter) >= sizeof(c->filter))) {
		snprintf(err, errlen, "file name or filter too long");
		free(c);
		errno = ENAMETOOLONG;
		return NULL;
	}
	snprintf(c->file, sizeof(c->file), "%s", file);
	snprintf(c->filter, sizeof(c->filter), "%s", filter ? filter : "");
	c->dir = dir;
	c->max_bytes = max_bytes;
	c->dead = pcap_open_dead(DLT_EN10MB, SW_CAP_SNAPLEN);
	if (!c->dead) {
		snprintf(err, errlen, "pcap_open_dead failed");
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	if (c->filter[0]) {
		if (pcap_compile(c->dead, &c->prog, c->filter, 1,
				 PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(err, errlen, "bad filter \"%s\": %s",
				 c->filter, pcap_geterr(c->dead));
			pcap_close(c->dead);
			free(c);
			errno = EINVAL;
			return NULL;
		}
		c->has_prog = true;
	}
	c->dumper = sw_capture_create(c, err, errlen);
	if (!c->dumper) {
		if (c->has_prog)
			pcap_freecode(&c->prog);
		pcap_close(c->dead);
		free(c);
		errno = EIO;
		return NULL;
	}
	c->started_ns = clock_mono_ns();
	c->file_bytes = SW_CAP_FILE_HDR;
	return c;
}

bool sw_capture_active(const struct sw_capture *c)
{
	return c && c->dumper;
}

/* Close the file (flushing it), keep the counters for show. */
static void sw_capture_finish(struct sw_capture *c, const char *why)
{
	if (!c->dumper)
		return;
	pcap_dump_close(c->dumper);
	c->dumper = NULL;
	snprintf(c->stopped, sizeof(c->stopped), "%s", why);
	log_info("capture %s stopped (%s): %llu frames, %llu bytes (file "
		 "%llu bytes)", c->file, why, (unsigned long long)c->packets,
		 (unsigned long long)c->frame_bytes,
		 (unsigned long long)c->file_bytes);
}

static void sw_capture_free(struct sw_capture *c)
{
	sw_capture_finish(c, "stopped");
	if (c->has_prog)
		pcap_freecode(&c->prog);
	pcap_close(c->dead);
	free(c);
}

void sw_capture_packet(struct sw_capture *c, enum sw_cap_dir dir,
		       const uint8_t *frame, unsigned len)
{
	struct pcap_pkthdr h;
	uint64_t rec;

	if (!c->dumper || !(c->dir & dir))
		return;
	h.caplen = len < SW_CAP_SNAPLEN ? len : SW_CAP_SNAPLEN;
	h.len = len;
	if (c->has_prog &&
	    !pcap_offline_filter(&c->prog, &h, frame)) {
		c->filtered_out++;
		return;
	}
	/* The limit is the file's: record headers count too. */
	rec = SW_CAP_REC_HDR + h.caplen;
	if (c->max_bytes && c->file_bytes + rec > c->max_bytes) {
		sw_capture_finish(c, "size limit reached");
		return;
	}
	gettimeofday(&h.ts, NULL);
	pcap_dump((u_char *)c->dumper, &h, frame);
	c->packets++;
	c->frame_bytes += h.len;
	c->file_bytes += rec;
}

void sw_capture_close(struct sw_capture *c, const char *why)
{
	sw_capture_finish(c, why);
	if (c->has_prog)
		pcap_freecode(&c->prog);
	pcap_close(c->dead);
	free(c);
}

json_t *sw_capture_json(const struct sw_capture *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "file", json_string(c->file));
	json_object_set_new(o, "dir", json_string(sw_cap_dir_name(c->dir)));
	json_object_set_new(o, "filter", json_string(c->filter));
	JSON_COUNTER(o, *c, max_bytes);
	json_object_set_new(o, "active", json_boolean(c->dumper != NULL));
	JSON_COUNTER(o, *c, packets);
	JSON_COUNTER(o, *c, frame_bytes);
	JSON_COUNTER(o, *c, file_bytes);
	JSON_COUNTER(o, *c, filtered_out);
	if (c->stopped[0])
		json_object_set_new(o, "stopped", json_string(c->stopped));
	return o;
}

/* ---- attach and detach, on the forwarding thread ---- */

struct sw_cap_req {
	struct sw_port *port;
	struct sw_capture *cap;
	json_t *info;
};

struct sw_cap_check {
	struct sw_port *port;
	struct stat st;
	bool exists;
	char *err;
	size_t errlen;
};

static int sw_capture_check_fn(struct sw *sw, void *arg)
{
	struct sw_cap_check *k = arg;

	if (sw_capture_active(k->port->cap)) {
		snprintf(k->err, k->errlen, "%s is already being captured",
			 k->port->name);
		return -EBUSY;
	}
	for (unsigned i = 0; k->exists && i < SW_MAX_PORTS; i++) {
		struct sw_port *p = sw->ports[i];

		if (p && sw_capture_active(p->cap) &&
		    p->cap->dev == k->st.st_dev &&
		    p->cap->ino == k->st.st_ino) {
			snprintf(k->err, k->errlen, "%s is the file of the "
				 "capture on %s", p->cap->file, p->name);
			return -EBUSY;
		}
	}
	return 0;
}

int sw_capture_check(struct sw *sw, struct sw_port *p, const char *file,
		     char *err, size_t errlen)
{
	struct sw_cap_check k = { .port = p, .err = err, .errlen = errlen };

	k.exists = stat(file, &k.st) == 0;
	return sw_fwd_exec(sw, sw_capture_check_fn, &k);
}

static int sw_capture_start_fn(struct sw *sw, void *arg)
{
	struct sw_cap_req *r = arg;

	/* A capture that stopped itself may be replaced; a live one not. */
	if (r->port->cap && sw_capture_active(r->port->cap))
		return -EBUSY;
	if (r->port->cap)
		sw_capture_free(r->port->cap);
	r->port->cap = r->cap;
	return 0;
}

int sw_capture_start(struct sw *sw, struct sw_port *p, struct sw_capture *c)
{
	struct sw_cap_req r = { .port = p, .cap = c };
	int ret = sw_fwd_exec(sw, sw_capture_start_fn, &r);

	if (ret < 0)
		sw_capture_free(c);
	else
		log_info("capture of %s (%s) into %s%s%s", p->name,
			 sw_cap_dir_name(c->dir), c->file,
			 c->filter[0] ? " filter " : "", c->filter);
	return ret;
}

static int sw_capture_stop_fn(struct sw *sw, void *arg)
{
	struct sw_cap_req *r = arg;
	struct sw_capture *c = r->port->cap;

	if (!c)
		return -ENOENT;
	sw_capture_finish(c, "stopped");
	if (r->info)
		json_object_set_new(r->info, "capture", sw_capture_json(c));
	r->port->cap = NULL;
	sw_capture_free(c);
	return 0;
}

int sw_capture_stop(struct sw *sw, struct sw_port *p, json_t *info)
{
	struct sw_cap_req r = { .port = p, .info = info };

	return sw_fwd_exec(sw, sw_capture_stop_fn, &r);
}
