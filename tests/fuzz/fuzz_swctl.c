// SPDX-License-Identifier: MIT
/*
 * The switch's control requests (vswitch/sw_req.c) on hostile input. The
 * first byte picks the command. If the next is '{' the rest is the
 * request's JSON text; otherwise the rest is read as operations that
 * build a request from the words the commands know and hostile values
 * (wrong types, edge numbers, repeated and overlapping members, bad
 * names and vdevs, nesting), so most inputs reach the checks rather than
 * dying in the JSON parser. A request that parses must hold only what
 * the handlers may act on without checking again: ids in range, names
 * and vdevs of the allowed syntax, a valid VLAN configuration, a team
 * without repeats, a sane capture limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/fuzz/fuzz.h"
#include "vswitch/sw_req.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static bool fuzz_str_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	return n > 0 && n < cap;
}

static void fuzz_check_vlan(const struct vlan_port_cfg *c)
{
	if (c->mode == VLAN_MODE_ACCESS)
		CHECK(c->vid >= 1 && c->vid <= VLAN_VID_MAX);
	else
		CHECK(c->mode == VLAN_MODE_TRUNK && c->vid <= VLAN_VID_MAX &&
		      (!c->vid || vlan_cfg_carries(c, c->vid)));
}

static void fuzz_check_team(struct sw_team_spec *t)
{
	char err[256];

	CHECK(t->nmembers >= 1 && t->nmembers <= SW_TEAM_MAX_MEMBERS);
	CHECK(sw_name_check("t", t->name, err, sizeof(err)) == 0);
	CHECK(strcmp(sw_team_mode_name(t->mode), "?") != 0);
	CHECK(strcmp(sw_team_hash_name(t->hash), "?") != 0);
	for (unsigned i = 0; i < t->nmembers; i++) {
		CHECK(sw_name_check("m", t->members[i], err,
				    sizeof(err)) == 0);
		CHECK(!t->vdevs[i][0] ||
		      sw_vdev_check(t->vdevs[i], err, sizeof(err)) == 0);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(t->members[i], t->members[j]) != 0);
		/* What sw_ctl.c does with uplinks given by name. */
		if (!t->vdevs[i][0])
			snprintf(t->vdevs[i], SW_VDEV_MAX, "net_null%u", i);
	}
	/* The whole-team check must run on anything that parsed. */
	(void)sw_team_spec_check(t, err, sizeof(err));
	fuzz_check_vlan(&t->vlan);
}

static void fuzz_check(const struct sw_req *r0)
{
	static struct sw_req r;
	char err[256], dev[SW_VDEV_MAX], ifn[SW_IFNAME_MAX];

	r = *r0;
	if (r.port.given)
		CHECK(r.port.by_id ? r.port.id < SW_MAX_PORTS :
			fuzz_str_ok(r.port.name, sizeof(r.port.name)));
	CHECK(r.vid == -1 || (r.vid >= 1 && r.vid <= VLAN_VID_MAX));
	switch (r.cmd) {
	case SW_CMD_ADD_UPLINK:
		CHECK(sw_name_check("n", r.name, err, sizeof(err)) == 0);
		CHECK(sw_vdev_check(r.vdev, err, sizeof(err)) == 0);
		CHECK(sw_vdev_split(r.vdev, dev, sizeof(dev), ifn,
				    sizeof(ifn)) == 0);
		fuzz_check_vlan(&r.vlan);
		break;
	case SW_CMD_ADD_TEAM:
		fuzz_check_team(&r.team_spec);
		break;
	case SW_CMD_DEL_UPLINK:
	case SW_CMD_DEL_TEAM:
	case SW_CMD_SET_LINK:
	case SW_CMD_CAPTURE_STOP:
		CHECK(r.port.given);
		break;
	case SW_CMD_CAPTURE_START:
		CHECK(r.port.given && fuzz_str_ok(r.file, sizeof(r.file)));
		CHECK(r.dir >= SW_CAP_RX && r.dir <= SW_CAP_BOTH);
		CHECK(!r.max_bytes || r.max_bytes >= SW_CAP_MIN_BYTES);
		CHECK(strnlen(r.filter, sizeof(r.filter)) < sizeof(r.filter));
		break;
	default:
		break;
	}
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	/* A command's number, then its JSON; @name: its corpus file. */
#define SEED(name, cmd, text) \
	{ .data = cmd text, .size = sizeof(cmd text) - 1 }
	static const struct fuzz_seed seeds[] = {
		SEED("show-ports", "\x00",
		     "{\"cmd\":\"show-ports\",\"port\":\"up0\"}"),
		SEED("show-fdb", "\x01", "{\"vlan\":10,\"port\":3}"),
		SEED("show-team", "\x03", "{\"team\":\"t0\"}"),
		SEED("add-uplink", "\x04",
		     "{\"name\":\"up1\",\"vdev\":\"net_af_packet1,"
		     "iface=veth1\",\"vlan\":\"trunk:native=1:"
		     "allowed=1-10,20\"}"),
		SEED("del-uplink", "\x05", "{\"name\":\"up1\"}"),
		SEED("add-team", "\x06",
		     "{\"name\":\"t0\",\"mode\":\"802.3ad\","
		     "\"hash\":\"l34\",\"members\":[\"up0\","
		     "\"b=net_tap0,iface=tap0\",{\"name\":\"c\","
		     "\"vdev\":\"net_null0\"}],\"vlan\":\"access:5\"}"),
		SEED("add-team-repeat", "\x06",
		     "{\"name\":\"t0\",\"members\":[\"up0\",\"up0\"]}"),
		SEED("set-link", "\x08",
		     "{\"port\":\"vm1.0\",\"admin\":\"down\"}"),
		SEED("capture-start", "\x09",
		     "{\"port\":1,\"file\":\"/tmp/x.pcap\",\"dir\":\"tx\","
		     "\"filter\":\"arp\",\"max_bytes\":100000}"),
		SEED("capture-stop", "\x0a", "{\"port\":\"p1\"}"),
		SEED("stats", "\x0b", "{}"),
	};
#undef SEED

	*out = seeds;
	return sizeof(seeds) / sizeof(seeds[0]);
}

static const char *const fuzz_keys[] = {
	"cmd", "port", "name", "vdev", "vlan", "team", "members", "mode",
	"hash", "admin", "file", "dir", "filter", "max_bytes", "bogus", "",
};

static const char *const fuzz_words[] = {
	"up0", "t0", "v1", "a b", "12", "", "x.y-z_", "-x", "vm1.0",
	"0123456789012345678901234567890123456789",
	"net_af_packet0,iface=veth0", "net_null1", "net_bonding0,mode=1",
	"net_tap_x", "eth_ring5", "net_tapx", "net_af_packet1,xiface=lo",
	"crypto_null0", "net_vhost0,iface=/tmp/s", "net_null1,iface=veth0",
	"access:5", "access:0", "trunk:native=1:allowed=1-10,20",
	"trunk:allowed=all", "trunk:native=4095", "rx", "tx", "both",
	"active-backup", "802.3ad", "lacp", "l34", "up", "down",
	"/tmp/fuzz-never-written.pcap", "arp", "ether hots 1",
};

static const json_int_t fuzz_ints[] = {
	0, 1, -1, 63, 64, 99, 100, 4094, 4095, 65535, INT32_MAX,
	INT64_MAX, INT64_MIN,
};

#define FUZZ_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The input, read a byte at a time; zeros once it runs out. */
struct swctl_in {
	const uint8_t *p;
	size_t n;
};

static uint8_t swctl_byte(struct swctl_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static json_t *fuzz_value(struct swctl_in *in, int depth);

static json_t *fuzz_word(struct swctl_in *in)
{
	const char *a = fuzz_words[swctl_byte(in) % FUZZ_NELEM(fuzz_words)];
	char buf[600];

	/* Sometimes "name=vdev", as team members are written. */
	if (swctl_byte(in) & 1)
		return json_string(a);
	snprintf(buf, sizeof(buf), "%s=%s", a,
		 fuzz_words[swctl_byte(in) % FUZZ_NELEM(fuzz_words)]);
	return json_string(buf);
}

static json_t *fuzz_container(struct swctl_in *in, int depth, bool object)
{
	json_t *c = object ? json_object() : json_array();
	unsigned n = swctl_byte(in) % 11;

	for (unsigned i = 0; i < n && in->n; i++) {
		json_t *v = fuzz_value(in, depth + 1);

		if (object)
			json_object_set_new(c, fuzz_keys[swctl_byte(in) %
					    FUZZ_NELEM(fuzz_keys)], v);
		else
			json_array_append_new(c, v);
	}
	return c;
}

static json_t *fuzz_value(struct swctl_in *in, int depth)
{
	size_t n, k;
	json_t *v;

	switch (swctl_byte(in) % 8) {
	case 0:
		return json_integer(fuzz_ints[swctl_byte(in) %
				    FUZZ_NELEM(fuzz_ints)]);
	case 1:
		for (n = 0, k = 0; k < 4; k++)
			n = n << 8 | swctl_byte(in);
		return json_integer((int32_t)n);
	case 2:
		n = swctl_byte(in) % 300;
		n = n < in->n ? n : in->n;
		v = json_stringn((const char *)in->p, n);
		in->p += n;
		in->n -= n;
		/* Not UTF-8: a string with a NUL inside instead. */
		return v ? v : json_stringn("\xc3\xa9\0x", 4);
	case 3:
		return swctl_byte(in) & 1 ? json_true() : json_null();
	case 4:
		return json_real(1.5);
	case 5:
	case 6:
		if (depth < 3)
			return fuzz_container(in, depth, swctl_byte(in) & 1);
		return json_array();
	default:
		return fuzz_word(in);
	}
}

/* A request object made of known keys, the command's name included. */
static json_t *fuzz_request(enum sw_cmd cmd, struct swctl_in *in)
{
	json_t *req = json_object();

	json_object_set_new(req, "cmd", json_string(sw_cmd_name(cmd)));
	while (in->n) {
		const char *k = fuzz_keys[swctl_byte(in) % FUZZ_NELEM(fuzz_keys)];

		json_object_set_new(req, k, fuzz_value(in, 0));
	}
	return req;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_req r;
	enum sw_cmd cmd;
	char err[512];
	json_t *req;

	if (size < 1)
		return 0;
	cmd = (enum sw_cmd)(data[0] % SW_CMD_COUNT);
	if (size > 1 && data[1] == '{') {
		req = json_loadb((const char *)data + 1, size - 1,
				 JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	} else {
		struct swctl_in in = { data + 1, size - 1 };

		req = fuzz_request(cmd, &in);
	}
	if (!req)
		return 0;
	if (sw_req_parse(cmd, req, &r, err, sizeof(err)) == 0)
		fuzz_check(&r);
	else
		CHECK(memchr(err, '\0', sizeof(err)) && err[0]);
	json_decref(req);
	return 0;
}
