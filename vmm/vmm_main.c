// SPDX-License-Identifier: MIT
/*
 * iopath-vmm: one process per VM. Parses the command line, builds the VM
 * with its devices, runs it, and exits with the guest's exit code.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_SUBSYS "main"
#include "base/cpu_list.h"
#include "base/log.h"
#include "core/evloop.h"
#include "core/nic_port.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "cpu/kvm.h"
#include "vmm/vmm_ctl.h"
#include "vmm/vmm_migrate.h"
#include "vmm/vmm_nic.h"

#define VMM_MAX_DEVICES 16
#define VMM_MAX_NICS NIC_PORT_MAX

/* The command line, once parsed. */
struct vmm_args {
	struct vmm_config cfg;
	const char *devices[VMM_MAX_DEVICES];
	unsigned ndev;
	const char *nics[VMM_MAX_NICS];
	unsigned nnic;
	const char *console;	/* --console FILE */
	bool quiet;		/* no console on stdout */
	const char *ctl_path;
	const char *stats_path;
	const char *incoming;	/* --incoming tcp:HOST:PORT */
};

static struct vmm the_vmm;
static volatile sig_atomic_t vmm_signal;

static void usage(FILE *f)
{
	const struct vdev_ops *const *ops;

	fprintf(f,
"usage: iopath-vmm [options] IMAGE\n"
"       iopath-vmm [options] --incoming tcp:HOST:PORT [IMAGE]\n"
"  IMAGE                  guest image (static x86-64 ELF, see guests/)\n"
"  -m, --mem SIZE         guest RAM, e.g. 256M or 1G (default 128M)\n"
"  -c, --cpus N           vCPUs, 1..%d (default 1)\n"
"      --vcpu-pin CPU[,CPU...]  keep vCPU i on the list's i-th host CPU\n"
"                         (round again past its end: one CPU takes them all),\n"
"                         as libvirt's vcpupin\n"
"  -a, --append CMDLINE   guest command line (\"app=hello\")\n"
"  -d, --device MODEL[,OPTS]  add a device (repeatable)\n", VMM_MAX_VCPUS);
	vmm_nic_usage(f);
	fprintf(f,
"      --console FILE     also write the guest console to FILE\n"
"      --quiet            do not copy the guest console to stdout\n"
"      --ctl PATH         control socket (JSON lines; also migrate,\n"
"                         migrate-status, migrate-cancel)\n"
"      --log FILE         VMM log file (also on stderr)\n"
"      --name NAME        VM name for logs and status (default vm)\n"
"      --stats FILE       write exit counts as JSON to FILE (- for stdout) at exit\n"
"      --kvm PATH         KVM device (default /dev/kvm)\n"
"      --no-huge          do not use hugetlb pages for guest RAM\n"
"      --incoming tcp:HOST:PORT  receive a running VM from a migrating\n"
"                         iopath-vmm (same --mem, --cpus, --device and\n"
"                         --nic options as the source) instead of booting\n"
"  -v, --verbose          debug logging\n"
"device models:");
	for (ops = vdev_list(); *ops; ops++)
		fprintf(f, " %s", (*ops)->name);
	fprintf(f, "\n");
}

/* "128M", "1G", "1048576": bytes, or 0 on a malformed size. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || s[0] == '-')
		return 0;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case '\0': break;
	default: return 0;
	}
	if (*end || v > (1ull << 46))
		return 0;
	return v;
}

/*
 * The command line into @a; dies on a bad value. Returns -1 to go on, or
 * the status to exit with at once (--help, a usage error).
 */
static int parse_args(int argc, char **argv, struct vmm_args *a)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "vcpu-pin", required_argument, NULL, 'P' },
		{ "append", required_argument, NULL, 'a' },
		{ "device", required_argument, NULL, 'd' },
		{ "nic", required_argument, NULL, 'N' },
		{ "console", required_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "ctl", required_argument, NULL, 'S' },
		{ "log", required_argument, NULL, 'L' },
		{ "name", required_argument, NULL, 'n' },
		{ "stats", required_argument, NULL, 's' },
		{ "kvm", required_argument, NULL, 'K' },
		{ "no-huge", no_argument, NULL, 'H' },
		{ "incoming", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmm_config *cfg = &a->cfg;
	int opt;

	*a = (struct vmm_args){
		.cfg = {
			.name = "vm",
			.mem_bytes = 128ull << 20,
			.ncpus = 1,
			.cmdline = "",
			.kvm_dev = "/dev/kvm",
		},
	};
	while ((opt = getopt_long(argc, argv, "m:c:a:d:vh", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'm':
			cfg->mem_bytes = parse_size(optarg);
			if (!cfg->mem_bytes)
				die("bad memory size '%s' (try 256M or 1G)",
				    optarg);
			break;
		case 'c': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || n < 1 || n > VMM_MAX_VCPUS)
				die("--cpus must be 1..%d", VMM_MAX_VCPUS);
			cfg->ncpus = n;
			break;
		}
		case 'P': {
			char err[160];

			if (cpu_list_parse(optarg, cfg->vcpu_pin,
					   VMM_MAX_VCPUS, &cfg->nvcpu_pin,
					   err, sizeof(err)))
				die("--vcpu-pin: %s", err);
			break;
		}
		case 'a': cfg->cmdline = optarg; break;
		case 'd':
			if (a->ndev == VMM_MAX_DEVICES)
				die("at most %d --device options",
				    VMM_MAX_DEVICES);
			a->devices[a->ndev++] = optarg;
			break;
		case 'N':
			if (a->nnic == VMM_MAX_NICS)
				die("at most %d --nic options", VMM_MAX_NICS);
			a->nics[a->nnic++] = optarg;
			break;
		case 'C': a->console = optarg; break;
		case 'q': a->quiet = true; break;
		case 'S': a->ctl_path = optarg; break;
		case 'L':
			if (log_open_file(optarg) < 0)
				die("cannot open log file %s: %s", optarg,
				    strerror(errno));
			break;
		case 'n': cfg->name = optarg; break;
		case 's': a->stats_path = optarg; break;
		case 'K': cfg->kvm_dev = optarg; break;
		case 'H': cfg->no_huge = true; break;
		case 'I': a->incoming = optarg; break;
		case 'v': log_set_level(LOG_LEVEL_DEBUG); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* A migrated VM needs no image: its RAM comes in the stream. */
	if (optind != argc - 1 && !(a->incoming && optind == argc)) {
		usage(stderr);
		return 2;
	}
	cfg->image = optind < argc ? argv[optind] : NULL;
	return -1;
}

/* The platform every guest gets: console UART and debug-exit port. */
static void add_platform_devices(struct vmm *vmm, const struct vmm_args *a)
{
	char uart_opts[PATH_MAX + 32];
	int ret;

	snprintf(uart_opts, sizeof(uart_opts), "stdout=%d%s%s", !a->quiet,
		 a->console ? ",path=" : "", a->console ? a->console : "");
	if (!vdev_create(vmm, "uart16550", "uart0", uart_opts) ||
	    !vdev_create(vmm, "debug-exit", "debug-exit0", ""))
		die("cannot create the platform devices");
	/*
	 * THR writes have no effect the guest can see before its next read
	 * (every read is an exit, which replays the ring first), so the
	 * console costs no exit per character.
	 */
	ret = kvm_coalesced_pio(vmm->kvm, 0x3f8, 1, true);
	if (ret < 0)
		log_info("no coalesced PIO for the console (%s): one exit per "
			 "character", strerror(-ret));
}

/* --device MODEL[,OPTS], each named MODEL<n>. */
static void add_devices(struct vmm *vmm, const struct vmm_args *a)
{
	for (unsigned i = 0; i < a->ndev; i++) {
		char model[24], id[32];
		const char *spec = a->devices[i];
		const char *comma = strchr(spec, ',');
		size_t n = comma ? (size_t)(comma - spec) : strlen(spec);

		if (n == 0 || n >= sizeof(model))
			die("bad --device '%s'", spec);
		memcpy(model, spec, n);
		model[n] = '\0';
		snprintf(id, sizeof(id), "%.20s%u", model, i);
		if (!vdev_create(vmm, model, id, comma ? comma + 1 : ""))
			die("cannot create device '%s'", spec);
	}
}

/* --nic PATH[,OPTS], each named nic<n>, on its switch port. */
static void add_nics(struct vmm *vmm, const struct vmm_args *a)
{
	for (unsigned i = 0; i < a->nnic; i++)
		if (vmm_nic_add(vmm, a->nics[i], i) < 0)
			die("cannot create NIC '%s'", a->nics[i]);
}

static void on_signal(int sig)
{
	vmm_signal = sig;
	if (the_vmm.loop)
		evloop_stop(the_vmm.loop);
}

/* SIGINT and SIGTERM stop the VM; a dead peer's pipe is an error, not
 * the end of the VMM. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Run until the guest exits or a signal stops it; the exit status. */
static int run(struct vmm *vmm)
{
	int ret = vmm_run(vmm);

	if (vmm_signal && !atomic_load(&vmm->exiting)) {
		ret = 128 + vmm_signal;
		vmm->exit_code = ret;
		snprintf(vmm->exit_reason, sizeof(vmm->exit_reason),
			 "stopped by signal %d", (int)vmm_signal);
	}
	return ret;
}

/* One readable line of exit counts in the log; all of them to @path. */
static void write_stats(struct vmm *vmm, const char *path)
{
	json_t *st = vmm_exit_stats(vmm);
	json_t *user = json_object_get(st, "userspace");
	json_t *kvm = json_object_get(st, "kvm");
	char *s;

	log_info("exits to userspace: %lld io, %lld mmio, %lld intr; "
		 "in KVM: %lld; console writes coalesced: %lld",
		 json_integer_value(json_object_get(user, "io")),
		 json_integer_value(json_object_get(user, "mmio")),
		 json_integer_value(json_object_get(user, "intr")),
		 json_integer_value(json_object_get(kvm, "exits")),
		 json_integer_value(json_object_get(user, "coalesced")));
	json_object_set_new(st, "nics", vmm_nic_stats(vmm));
	json_object_set_new(st, "migration", vmm_migrate_status(vmm));
	json_object_set_new(st, "exit_code", json_integer(vmm->exit_code));
	json_object_set_new(st, "reason", json_string(vmm->exit_reason));
	s = json_dumps(st, JSON_COMPACT);
	if (s && path) {
		FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;

		if (!f || fprintf(f, "%s\n", s) < 0)
			log_err("cannot write stats to %s: %s", path,
				strerror(errno));
		if (f && f != stdout)
			fclose(f);
	}
	free(s);
	json_decref(st);
}

int main(int argc, char **argv)
{
	struct vmm_args args;
	char ident[64];
	int ret;

	ret = parse_args(argc, argv, &args);
	if (ret >= 0)
		return ret;
	snprintf(ident, sizeof(ident), "iopath-vmm[%s]", args.cfg.name);
	log_set_ident(ident);
	if (!args.incoming && access(args.cfg.image, R_OK) < 0)
		die("guest image %s: %s", args.cfg.image, strerror(errno));

	ret = vmm_init(&the_vmm, &args.cfg);
	if (ret < 0)
		die("cannot create the VM: %s", strerror(-ret));
	/* A destination's NICs join their switch when the VM resumes:
	 * until then the source's ports hold the MACs. */
	nic_port_defer_attach(args.incoming != NULL);
	add_platform_devices(&the_vmm, &args);
	add_devices(&the_vmm, &args);
	add_nics(&the_vmm, &args);
	ret = args.incoming ? vmm_vcpus_create(&the_vmm)
			    : vmm_boot(&the_vmm, &args.cfg);
	if (ret < 0)
		die("cannot %s: %s", args.incoming ? "create the vCPUs"
						   : "boot the image",
		    strerror(-ret));
	if (args.ctl_path && (vmm_ctl_start(&the_vmm, args.ctl_path) < 0 ||
			      vmm_migrate_ctl_start(&the_vmm) < 0))
		die("cannot start the control socket");

	catch_signals();
	if (args.incoming) {
		const volatile int *stop = (const volatile int *)&vmm_signal;
		int conn = vmm_migrate_incoming(&the_vmm, args.incoming, stop);

		if (conn < 0) {
			vmm_fini(&the_vmm);
			if (vmm_signal)
				return 128 + vmm_signal;
			die("incoming migration failed: %s", strerror(-conn));
		}
		vmm_migrate_incoming_done(&the_vmm, conn);
	}
	ret = run(&the_vmm);
	vmm_migrate_shutdown(&the_vmm);
	write_stats(&the_vmm, args.stats_path);
	vmm_fini(&the_vmm);
	return ret;
}
