// SPDX-License-Identifier: MIT
/*
 * iopath: the front end. Subcommands: lab (up, status, down, check),
 * bench, capture, top, migrate. Argument parsing only; each job lives in its own
 * file. Every argument is checked here with a message that says what was
 * expected, because a half-understood bench option wastes minutes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cpu_list.h"
#include "base/mac.h"
#include "cli/bench.h"
#include "cli/bench_peers.h"
#include "cli/lab.h"
#include "cli/monitor.h"
#include "cli/paths.h"
#include "cli/topo.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: iopath COMMAND [options]\n"
"  lab up [FILE] [--detach]       bring a lab up (default: the embedded "
"topology)\n"
"                                 and supervise it until Ctrl-C or `lab down`\n"
"  lab status [--lab NAME] [--json]\n"
"  lab down [--lab NAME]\n"
"  lab check FILE                 parse a topology file, print a summary\n"
"  lab default                    print the embedded default topology\n"
"  bench [options]                compare the I/O paths "
"(see `iopath bench --help`)\n"
"  capture PORT FILE [--lab NAME] [--seconds S] [--filter BPF]\n"
"  top [--lab NAME] [--interval S] [--once]\n"
"  migrate [--lab NAME] VM --to HOST [--downtime-ms N] [--max-s S]\n"
"          [--measure] [--json]   live-migrate a lab's VM to another host\n"
"common: --bin DIR (where iopath-vmm, iopath-switch, iopath-peer are;\n"
"        default: next to this program)\n");
}

static void bench_usage(FILE *f)
{
	fprintf(f,
"usage: iopath bench [--paths emu,pv,vf] [--sizes 64,128,...] "
"[--trial-seconds S]\n"
"                    [--pdr-loss PCT] [--precision PCT] [--steps N] "
"[--repeats N]\n"
"                    [--latency-fraction F] [--guest-mode M] [--ring N]\n"
"                    [--ref-rate PPS] [--low-rate PPS] [--pin-switch CPU]\n"
"                    [--pin-vcpus CPU[,CPU] | --no-pin] [--quick] "
"[--no-baseline]\n"
"                    [--out DIR] [--image ELF] [--topology FILE]\n"
"       iopath bench --switch-peers [--sizes ...] [--trial-seconds S] "
"[--repeats N]\n"
"                    [--quick] [--out DIR]\n"
"  per path and size, one search finds NDR (no loss), PDR (loss <= "
"--pdr-loss)\n"
"  and the saturation rate (the most received in any trial, normally at\n"
"  full speed), NDR and PDR within --precision, in at most --steps trials\n"
"  after the full-speed one; then latency at --latency-fraction x NDR, CPU\n"
"  per packet at the reference rate and exits per packet at the low rate\n"
"  (each at most NDR / 2)\n"
"  defaults: every available path; sizes 64,128,256,512,1024,1280,1518;\n"
"  2 s trials; PDR loss 0.5%%; precision 5%%; 10 steps; 3 repeats;\n"
"  latency at 0.5 x NDR; guest mode adaptive (or poll, irq); rings 4096\n"
"  in every trial (0: the drivers' default); reference rate 50000 pps;\n"
"  low rate 1000 pps; the switch's forwarding thread pinned to the first\n"
"  CPU, the vCPUs to the next (both to it on 2 CPUs) unless --pin-switch,\n"
"  --pin-vcpus (the sender's vCPU, then the receiver's; one CPU pins both)\n"
"  or --no-pin (the scheduler places them); results in\n"
"  ./results/bench-YYYYmmdd-HHMMSS/\n"
"  --quick: sizes 64,1518, 1 s trials, 1 repeat, 6 steps (2-3 minutes)\n"
"  --switch-peers: no VMs; instead dpdk-testpmd over vhost-user through\n"
"      iopath-switch, Open vSwitch with DPDK (skipped if not installed) and\n"
"      testpmd's own io forwarding (the ceiling); takes --sizes,\n"
"      --trial-seconds, --repeats, --quick, --out; "
"writes peers.json/csv/svg\n");
}

static int parse_double(const char *opt, const char *s, double lo, double hi,
			double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || *v < lo || *v > hi) {
		fprintf(stderr, "iopath: %s: '%s' is not a number in %g..%g\n",
			opt, s, lo, hi);
		return -EINVAL;
	}
	return 0;
}

static int parse_uint(const char *opt, const char *s, unsigned int lo,
		      unsigned int hi, unsigned int *v)
{
	double d;

	if (parse_double(opt, s, lo, hi, &d))
		return -EINVAL;
	if (d != (unsigned int)d) {
		fprintf(stderr, "iopath: %s: '%s' is not a whole number\n",
			opt, s);
		return -EINVAL;
	}
	*v = (unsigned int)d;
	return 0;
}

static int parse_sizes(const char *s, struct bench_opts *o)
{
	char buf[256], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	o->nsizes = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nsizes == BENCH_SIZES_MAX) {
			fprintf(stderr, "iopath: --sizes: at most %d sizes\n",
				BENCH_SIZES_MAX);
			return -EINVAL;
		}
		/* RFC 2544 frame sizes include the FCS: Ethernet's 64..1518 */
		if (parse_uint("--sizes", tok, 64, 1518,
			       &o->sizes[o->nsizes++]))
			return -EINVAL;
	}
	if (!o->nsizes) {
		fprintf(stderr, "iopath: --sizes: empty list\n");
		return -EINVAL;
	}
	return 0;
}

static int parse_paths(const char *s, struct bench_opts *o)
{
	char buf[64], *tok, *save = NULL;
	int k;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	memset(o->paths, 0, sizeof(o->paths));
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		k = topo_path_parse(tok);
		if (k < 0) {
			fprintf(stderr, "iopath: --paths: unknown path '%s' "
				"(emu, pv, vf)\n", tok);
			return -EINVAL;
		}
		o->paths[k] = true;
	}
	return 0;
}

static int parse_guest_mode(const char *s, struct bench_opts *o)
{
	if (strcmp(s, "adaptive") && strcmp(s, "poll") && strcmp(s, "irq")) {
		fprintf(stderr, "iopath: --guest-mode: '%s' is not adaptive, "
			"poll or irq\n", s);
		return -EINVAL;
	}
	snprintf(o->guest_mode, sizeof(o->guest_mode), "%s", s);
	return 0;
}

/* CPU numbers must exist here: a pin to a missing CPU fails later, in
 * the middle of a run. */
/* One CPU this process may use: the switch and VMMs it starts would
 * refuse any other (base/cpu_list.h), later and in their logs. */
static int parse_cpu(const char *opt, const char *s, int *cpu)
{
	char err[160];
	unsigned int n;

	if (cpu_list_parse(s, cpu, 1, &n, err, sizeof(err))) {
		fprintf(stderr, "iopath: %s: %s\n", opt, err);
		return -EINVAL;
	}
	return 0;
}

/* --pin-vcpus CPU[,CPU]: the sender's, then the receiver's. */
static int parse_vcpus(const char *s, struct bench_opts *o)
{
	char buf[32], *comma;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	comma = strchr(buf, ',');
	if (comma)
		*comma++ = '\0';
	if (parse_cpu("--pin-vcpus", buf, &o->pin_vcpu[0]))
		return -EINVAL;
	o->pin_vcpu[1] = o->pin_vcpu[0];
	return comma ? parse_cpu("--pin-vcpus", comma, &o->pin_vcpu[1]) : 0;
}

/* --ring N: 0 for the drivers' default, else a power of two the guests
 * take (netdev.h: NETDEV_RING_MAX). */
static int parse_ring(const char *s, struct bench_opts *o)
{
	if (parse_uint("--ring", s, 0, 4096, &o->ring))
		return -EINVAL;
	if (o->ring && (o->ring < 64 || (o->ring & (o->ring - 1)))) {
		fprintf(stderr, "iopath: --ring: 0, or a power of two from 64 "
			"to 4096\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * What the bench command line said besides the options themselves: which
 * defaults it set (--quick changes only the others), and how strict to be.
 */
struct bench_cli {
	const char *topofile;	/* --topology, else the embedded one */
	const char *vm_opt;	/* an option that only VMs use */
	bool set_sizes, set_trial, set_rep, set_steps;
	bool no_pin;
	bool asked;		/* --paths: a missing path is an error */
	bool peers;		/* --switch-peers */
	bool help;
};

static const struct option bench_longopts[] = {
	{ "paths", required_argument, NULL, 'p' },
	{ "sizes", required_argument, NULL, 's' },
	{ "trial-seconds", required_argument, NULL, 't' },
	{ "pdr-loss", required_argument, NULL, 'l' },
	{ "loss", required_argument, NULL, 'L' },
	{ "precision", required_argument, NULL, 'e' },
	{ "guest-mode", required_argument, NULL, 'g' },
	{ "ring", required_argument, NULL, 'R' },
	{ "ref-rate", required_argument, NULL, 'F' },
	{ "low-rate", required_argument, NULL, 'w' },
	{ "pin-switch", required_argument, NULL, 'c' },
	{ "pin-vcpus", required_argument, NULL, 'v' },
	{ "no-pin", no_argument, NULL, 'n' },
	{ "repeats", required_argument, NULL, 'r' },
	{ "steps", required_argument, NULL, 'S' },
	{ "latency-fraction", required_argument, NULL, 'f' },
	{ "quick", no_argument, NULL, 'q' },
	{ "no-baseline", no_argument, NULL, 'B' },
	{ "out", required_argument, NULL, 'o' },
	{ "image", required_argument, NULL, 'i' },
	{ "topology", required_argument, NULL, 'T' },
	{ "switch-peers", no_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The defaults `iopath bench --help` lists. */
static int bench_defaults(struct bench_opts *o, const char *bindir)
{
	memset(o, 0, sizeof(*o));
	o->trial_s = 2;
	o->pdr_loss_pct = 0.5;
	o->precision_pct = 5;
	o->repeats = 3;
	o->steps = 10;
	o->lat_frac = 0.5;
	strcpy(o->guest_mode, "adaptive");
	o->ring = 4096;
	o->ref_rate = 50000;
	o->low_rate = 1000;
	o->pin_switch = o->pin_vcpu[0] = o->pin_vcpu[1] = -1;
	o->baseline = true;
	parse_sizes("64,128,256,512,1024,1280,1518", o);
	for (int p = 0; p < BENCH_PATHS; p++)
		o->paths[p] = true;
	/* The build puts guests/ beside bin/. */
	if (strlen(bindir) + sizeof("/../guests/net.elf") > sizeof(o->image)) {
		fprintf(stderr, "iopath: %s: path too long\n", bindir);
		return -ENAMETOOLONG;
	}
	strcat(strcpy(o->image, bindir), "/../guests/net.elf");
	return 0;
}

/* One option (getopt's @c, @optarg) into @o or @cli; -EINVAL once said. */
static int bench_parse_opt(int c, struct bench_opts *o, struct bench_cli *cli)
{
	switch (c) {
	case 'p':
		cli->asked = true;
		return parse_paths(optarg, o);
	case 's':
		cli->set_sizes = true;
		return parse_sizes(optarg, o);
	case 't':
		cli->set_trial = true;
		return parse_double("--trial-seconds", optarg, 0.2, 600,
				    &o->trial_s);
	case 'l':
		return parse_double("--pdr-loss", optarg, 0, 50,
				    &o->pdr_loss_pct);
	case 'L':
		fprintf(stderr, "iopath: --loss is gone: the bench reports NDR "
			"(no loss) and PDR (loss <= --pdr-loss) from one "
			"search\n");
		return -EINVAL;
	case 'e':
		return parse_double("--precision", optarg, 0.5, 50,
				    &o->precision_pct);
	case 'g':
		return parse_guest_mode(optarg, o);
	case 'R':
		return parse_ring(optarg, o);
	case 'F':
		return parse_double("--ref-rate", optarg, 100, 1e8,
				    &o->ref_rate);
	case 'w':
		return parse_double("--low-rate", optarg, 100, 1e8,
				    &o->low_rate);
	case 'c':
		return parse_cpu("--pin-switch", optarg, &o->pin_switch);
	case 'v':
		return parse_vcpus(optarg, o);
	case 'n':
		cli->no_pin = true;
		return 0;
	case 'r':
		cli->set_rep = true;
		return parse_uint("--repeats", optarg, 1, BENCH_REPEATS_MAX,
				  &o->repeats);
	case 'S':
		cli->set_steps = true;
		return parse_uint("--steps", optarg, 0, BENCH_TRIALS_MAX - 1,
				  &o->steps);
	case 'f':
		return parse_double("--latency-fraction", optarg, 0.01, 1,
				    &o->lat_frac);
	case 'q':
		o->quick = true;
		return 0;
	case 'B':
		o->baseline = false;
		return 0;
	case 'o':
		if (strlen(optarg) >= sizeof(o->out) - 32) {
			fprintf(stderr, "iopath: --out: path too long\n");
			return -EINVAL;
		}
		snprintf(o->out, sizeof(o->out), "%s", optarg);
		return 0;
	case 'i':
		snprintf(o->image, sizeof(o->image), "%s", optarg);
		return 0;
	case 'T':
		cli->topofile = optarg;
		return 0;
	case 'P':
		cli->peers = true;
		return 0;
	case 'h':
		cli->help = true;
		return 0;
	default:
		bench_usage(stderr);
		return -EINVAL;
	}
}

/*
 * The command line into @o and @cli, stopping at --help; -EINVAL once
 * said what was wrong.
 */
static int bench_parse_args(int argc, char **argv, struct bench_opts *o,
			    struct bench_cli *cli)
{
	int c, li;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", bench_longopts, &li)) != -1) {
		/* options that only mean something with VMs */
		if (c && strchr("plSfBiTegRFwcvn", c))
			cli->vm_opt = bench_longopts[li].name;
		if (bench_parse_opt(c, o, cli))
			return -EINVAL;
		if (cli->help)
			return 0;
	}
	if (optind < argc) {
		fprintf(stderr, "iopath: bench: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (cli->no_pin && (o->pin_switch >= 0 || o->pin_vcpu[0] >= 0)) {
		fprintf(stderr, "iopath: bench: --no-pin and --pin-* "
			"contradict each other\n");
		return -EINVAL;
	}
	if (cli->peers && cli->vm_opt) {
		fprintf(stderr, "iopath: bench --switch-peers runs no VMs: "
			"--%s does not apply\n", cli->vm_opt);
		return -EINVAL;
	}
	return 0;
}

/* --quick: a smaller run, for what the command line did not set. */
static void bench_quick_defaults(struct bench_opts *o,
				 const struct bench_cli *cli)
{
	if (!cli->set_sizes)
		parse_sizes("64,1518", o);
	if (!cli->set_trial)
		o->trial_s = 1;
	if (!cli->set_rep)
		o->repeats = 1;
	if (!cli->set_steps)
		o->steps = 6;
}

/* --topology FILE, else the embedded one (host 0 runs the switch). */
static int bench_load_topology(const char *file, struct topo *t)
{
	char err[512];

	if (file ? topo_parse_file(file, t, err, sizeof(err)) :
	    topo_load_default(t, err, sizeof(err))) {
		fprintf(stderr, "iopath: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

/* Without --out: results/bench-YYYYmmdd-HHMMSS, results/ made if need be. */
static int bench_out_dir(struct bench_opts *o)
{
	time_t now;
	char ts[32];

	if (o->out[0])
		return 0;
	now = time(NULL);
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime(&now));
	if (mkdir("results", 0755) && errno != EEXIST) {
		int err = errno;

		perror("iopath: results");
		return -err;
	}
	snprintf(o->out, sizeof(o->out), "results/bench-%s", ts);
	return 0;
}

static int bench_check_image(const struct bench_opts *o)
{
	if (access(o->image, R_OK)) {
		int err = errno;

		fprintf(stderr, "iopath: guest image %s: %s "
			"(build first, or --image)\n", o->image, strerror(err));
		return -err;
	}
	return 0;
}

/*
 * Keep the paths this build can run. One that --paths asked for must run;
 * one that was there by default is skipped with a note.
 */
static int bench_choose_paths(struct bench_opts *o, const char *bindir,
			      bool asked)
{
	unsigned int n = 0;
	char why[128];

	for (int p = 0; p < BENCH_PATHS; p++) {
		enum topo_nic_path path = (enum topo_nic_path)p;

		if (!o->paths[p])
			continue;
		if (path_available(bindir, path, why, sizeof(why))) {
			n++;
			continue;
		}
		if (asked) {
			fprintf(stderr, "iopath: path %s is not available: "
				"%s\n", path_info(path)->name, why);
			return -ENOENT;
		}
		fprintf(stderr, "iopath: skipping path %s: %s\n",
			path_info(path)->name, why);
		o->paths[p] = false;
	}
	if (!n) {
		fprintf(stderr, "iopath: no path to bench\n");
		return -ENOENT;
	}
	return 0;
}

/* The VMs need KVM; the switch's DPDK usually needs root. */
static int bench_check_host(void)
{
	if (geteuid() != 0)
		fprintf(stderr, "iopath: warning: not root; "
			"the switch may fail to start\n");
	if (access("/dev/kvm", R_OK | W_OK)) {
		int err = errno;

		fprintf(stderr, "iopath: /dev/kvm: %s\n", strerror(err));
		return -err;
	}
	return 0;
}

/* Exit codes: 2 for a bad command line or host, 1 when the run failed. */
static int cmd_bench(int argc, char **argv, const char *bindir)
{
	static struct bench_opts o;
	static struct topo topo;
	struct bench_cli cli = { 0 };

	if (bench_defaults(&o, bindir) ||
	    bench_parse_args(argc, argv, &o, &cli))
		return 2;
	if (cli.help) {
		bench_usage(stdout);
		return 0;
	}
	if (o.quick)
		bench_quick_defaults(&o, &cli);
	/* no placement asked for: the default one */
	if (!cli.no_pin && !cli.peers && o.pin_switch < 0 &&
	    o.pin_vcpu[0] < 0)
		bench_pin_auto(&o);
	if (bench_load_topology(cli.topofile, &topo))
		return 2;
	o.topo = &topo;
	if (bench_out_dir(&o))
		return 1;
	snprintf(o.bindir, sizeof(o.bindir), "%s", bindir);
	if (cli.peers)	/* on its own: no VMs, no guest image, no KVM */
		return bench_peers_main(&o) ? 1 : 0;
	if (bench_check_image(&o) ||
	    bench_choose_paths(&o, bindir, cli.asked) || bench_check_host())
		return 2;
	return bench_main(&o) ? 1 : 0;
}

static void topo_print(const struct topo *t)
{
	printf("lab %s: %u host(s), %u vm(s)%s\n", t->name, t->nhosts, t->nvms,
	       t->fabric.present ? ", fabric" : "");
	for (unsigned int h = 0; h < t->nhosts; h++) {
		const struct topo_host *ho = &t->hosts[h];

		printf("  host %s: %u uplink(s), %u team(s)\n", ho->name,
		       ho->nuplinks, ho->nteams);
		for (unsigned int u = 0; u < ho->nuplinks; u++)
			printf("    uplink %s: %s\n", ho->uplinks[u].name,
			       ho->uplinks[u].fabric ? "fabric" :
						       ho->uplinks[u].vdev);
		for (unsigned int k = 0; k < ho->nteams; k++) {
			const struct topo_team *tm = &ho->teams[k];

			printf("    team %s: %s%s%s, %u member(s)\n", tm->name,
			       tm->mode, tm->hash[0] ? " hash " : "", tm->hash,
			       tm->nmembers);
		}
	}
	for (unsigned int v = 0; v < t->nvms; v++) {
		const struct topo_vm *vm = &t->vms[v];

		printf("  vm %s on %s: %llu MiB, %u vCPU(s), image %s\n",
		       vm->name, t->hosts[vm->host].name,
		       (unsigned long long)(vm->memory >> 20), vm->cpus,
		       vm->image[0] ? vm->image : "(this build's net.elf)");
		for (unsigned int n = 0; n < vm->nnics; n++) {
			char mac[MAC_STR_LEN];

			mac_format(vm->nics[n].mac, mac);
			printf("    nic %u: %s %s vlan %d\n", n,
			       topo_path_name(vm->nics[n].path), mac,
			       vm->nics[n].vlan);
		}
	}
}

/*
 * lab up and lab check: the topology (FILE, or for up the embedded one),
 * then a summary or a running lab.
 */
static int cmd_lab_topo(const char *verb, int argc, char **argv,
			const char *bindir, const struct lab_up_opts *uo)
{
	static struct topo t;
	char err[512];
	int rc;

	if (optind < argc)
		rc = topo_parse_file(argv[optind], &t, err, sizeof(err));
	else if (!strcmp(verb, "up"))
		rc = topo_load_default(&t, err, sizeof(err));
	else {
		fprintf(stderr, "iopath: lab check FILE\n");
		return 2;
	}
	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return 2;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "iopath: lab %s: unexpected argument '%s'\n",
			verb, argv[optind + 1]);
		return 2;
	}
	if (!strcmp(verb, "check")) {
		topo_print(&t);
		return 0;
	}
	return lab_up(&t, bindir, uo) ? 1 : 0;
}

static int cmd_lab(int argc, char **argv, const char *bindir)
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "detach", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct lab_up_opts uo = { 0 };
	const char *lab = NULL, *verb;
	bool json = false;
	int c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	verb = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lab = optarg; break;
		case 'd': uo.detach = true; break;
		case 'j': json = true; break;
		default: usage(stderr); return 2;
		}
	}
	if (!strcmp(verb, "default")) {
		fputs(topo_default_yaml, stdout);
		return 0;
	}
	if (!strcmp(verb, "up") || !strcmp(verb, "check"))
		return cmd_lab_topo(verb, argc, argv, bindir, &uo);
	if (optind < argc) {
		fprintf(stderr, "iopath: lab %s: unexpected argument '%s'\n",
			verb, argv[optind]);
		return 2;
	}
	if (!strcmp(verb, "status"))
		return lab_status(lab, json) ? 1 : 0;
	if (!strcmp(verb, "down"))
		return lab_down(lab) ? 1 : 0;
	fprintf(stderr, "iopath: lab: unknown verb '%s' "
		"(up, status, down, check, default)\n", verb);
	return 2;
}

static int cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "seconds", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *lab = NULL, *filter = NULL;
	double secs = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lab = optarg; break;
		case 'f': filter = optarg; break;
		case 's':
			if (parse_double("--seconds", optarg, 0, 86400, &secs))
				return 2;
			break;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: iopath capture PORT FILE [--lab NAME] "
			"[--seconds S] [--filter BPF]\n");
		return 2;
	}
	return capture_run(lab, argv[optind], argv[optind + 1], secs,
			   filter) ? 1 : 0;
}

static int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *lab = NULL;
	double iv = 1;
	bool once = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lab = optarg; break;
		case 'o': once = true; break;
		case 'i':
			if (parse_double("--interval", optarg, 0.1, 3600, &iv))
				return 2;
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "iopath: top: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	return top_run(lab, iv, once) ? 1 : 0;
}

int main(int argc, char **argv)
{
	char bindir[LAB_PATH_MAX];
	int i;

	if (lab_bindir(bindir, sizeof(bindir))) {
		fprintf(stderr, "iopath: cannot find my own directory\n");
		return 1;
	}
	/* --bin DIR anywhere before the command */
	for (i = 1; i + 1 < argc && !strcmp(argv[i], "--bin"); i += 2)
		snprintf(bindir, sizeof(bindir), "%s", argv[i + 1]);
	argc -= i - 1;
	argv += i - 1;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "lab"))
		return cmd_lab(argc - 1, argv + 1, bindir);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1, bindir);
	if (!strcmp(argv[1], "capture"))
		return cmd_capture(argc - 1, argv + 1);
	if (!strcmp(argv[1], "migrate"))
		return lab_migrate_main(argc - 1, argv + 1) ? 1 : 0;
	if (!strcmp(argv[1], "top"))
		return cmd_top(argc - 1, argv + 1);
	fprintf(stderr, "iopath: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
