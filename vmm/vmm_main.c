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
#include "core/evloop.h"
#include "base/log.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "vmm/vmm_ctl.h"
#include "cpu/kvm.h"
#include "emu-devices/nic_switch.h"
#include "pv-rings/pv_nic.h"

#define VMM_MAX_DEVICES 16
#define VMM_MAX_NICS 8

static struct vmm the_vmm;
static volatile sig_atomic_t vmm_signal;

static void usage(FILE *f)
{
	const struct vdev_ops *const *ops;

	fprintf(f,
"usage: iopath-vmm [options] IMAGE\n"
"  IMAGE                  guest image (static x86-64 ELF, see guests/)\n"
"  -m, --mem SIZE         guest RAM, e.g. 256M or 1G (default 128M)\n"
"  -c, --cpus N           vCPUs, 1..%d (default 1)\n"
"  -a, --append CMDLINE   guest command line (\"app=hello\")\n"
"  -d, --device MODEL[,OPTS]  add a device (repeatable)\n"
"      --nic emu[,mac=MAC][,switch=SOCKET|none][,vlan=N][,trunk][,port=NAME]\n"
"                         add an emulated 21140A NIC on a switch port (repeatable)\n"
"      --nic pv[,mac=MAC][,switch=SOCKET|none][,vlan=N][,trunk][,port=NAME][,queues=N]\n"
"                         add a paravirtual NIC (rings in guest RAM, backend in the switch)\n"
"      --console FILE     also write the guest console to FILE\n"
"      --quiet            do not copy the guest console to stdout\n"
"      --ctl PATH         control socket (JSON lines)\n"
"      --log FILE         VMM log file (also on stderr)\n"
"      --name NAME        VM name for logs and status (default vm)\n"
"      --stats FILE       write exit counts as JSON to FILE (- for stdout) at exit\n"
"      --kvm PATH         KVM device (default /dev/kvm)\n"
"      --no-huge          do not use hugetlb pages for guest RAM\n"
"  -v, --verbose          debug logging\n"
"device models:", VMM_MAX_VCPUS);
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

static void on_signal(int sig)
{
	vmm_signal = sig;
	if (the_vmm.loop)
		evloop_stop(the_vmm.loop);
}

/* One readable line of exit counts in the log; all of them to @path. */
static void write_stats(struct vmm *vmm, const char *path)
{
	json_t *st = vmm_exit_stats(vmm);
	json_t *user = json_object_get(st, "userspace");
	json_t *kvm = json_object_get(st, "kvm");
	json_t *nics, *pv;
	char *s;

	log_info("exits to userspace: %lld io, %lld mmio, %lld intr; "
		 "in KVM: %lld; console writes coalesced: %lld",
		 json_integer_value(json_object_get(user, "io")),
		 json_integer_value(json_object_get(user, "mmio")),
		 json_integer_value(json_object_get(user, "intr")),
		 json_integer_value(json_object_get(kvm, "exits")),
		 json_integer_value(json_object_get(user, "coalesced")));
	nics = nic_switch_stats(vmm);
	pv = pv_nic_stats(vmm);
	json_array_extend(nics, pv);
	json_decref(pv);
	json_object_set_new(st, "nics", nics);
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
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
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
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmm_config cfg = {
		.name = "vm",
		.mem_bytes = 128ull << 20,
		.ncpus = 1,
		.cmdline = "",
		.kvm_dev = "/dev/kvm",
	};
	const char *devices[VMM_MAX_DEVICES];
	const char *nics[VMM_MAX_NICS];
	const char *console = NULL, *ctl_path = NULL, *stats_path = NULL;
	char ident[64], uart_opts[PATH_MAX + 32];
	unsigned ndev = 0, nnic = 0, i;
	bool quiet = false;
	struct sigaction sa;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "m:c:a:d:vh", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'm':
			cfg.mem_bytes = parse_size(optarg);
			if (!cfg.mem_bytes)
				die("bad memory size '%s' (try 256M or 1G)",
				    optarg);
			break;
		case 'c': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || n < 1 || n > VMM_MAX_VCPUS)
				die("--cpus must be 1..%d", VMM_MAX_VCPUS);
			cfg.ncpus = n;
			break;
		}
		case 'a': cfg.cmdline = optarg; break;
		case 'd':
			if (ndev == VMM_MAX_DEVICES)
				die("at most %d --device options",
				    VMM_MAX_DEVICES);
			devices[ndev++] = optarg;
			break;
		case 'N':
			if (nnic == VMM_MAX_NICS)
				die("at most %d --nic options", VMM_MAX_NICS);
			nics[nnic++] = optarg;
			break;
		case 'C': console = optarg; break;
		case 'q': quiet = true; break;
		case 'S': ctl_path = optarg; break;
		case 'L':
			if (log_open_file(optarg) < 0)
				die("cannot open log file %s: %s", optarg,
				    strerror(errno));
			break;
		case 'n': cfg.name = optarg; break;
		case 's': stats_path = optarg; break;
		case 'K': cfg.kvm_dev = optarg; break;
		case 'H': cfg.no_huge = true; break;
		case 'v': log_set_level(LOG_LEVEL_DEBUG); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	cfg.image = argv[optind];
	snprintf(ident, sizeof(ident), "iopath-vmm[%s]", cfg.name);
	log_set_ident(ident);
	if (access(cfg.image, R_OK) < 0)
		die("guest image %s: %s", cfg.image, strerror(errno));

	ret = vmm_init(&the_vmm, &cfg);
	if (ret < 0)
		die("cannot create the VM: %s", strerror(-ret));

	/* The platform every guest gets: console UART and debug-exit port. */
	snprintf(uart_opts, sizeof(uart_opts), "stdout=%d%s%s", !quiet,
		 console ? ",path=" : "", console ? console : "");
	if (!vdev_create(&the_vmm, "uart16550", "uart0", uart_opts) ||
	    !vdev_create(&the_vmm, "debug-exit", "debug-exit0", ""))
		die("cannot create the platform devices");
	/*
	 * THR writes have no effect the guest can see before its next read
	 * (every read is an exit, which replays the ring first), so the
	 * console costs no exit per character.
	 */
	ret = kvm_coalesced_pio(the_vmm.kvm, 0x3f8, 1, true);
	if (ret < 0)
		log_info("no coalesced PIO for the console (%s): one exit per "
			 "character", strerror(-ret));
	for (i = 0; i < ndev; i++) {
		char model[24], id[32];
		const char *comma = strchr(devices[i], ',');
		size_t n = comma ? (size_t)(comma - devices[i])
				 : strlen(devices[i]);

		if (n == 0 || n >= sizeof(model))
			die("bad --device '%s'", devices[i]);
		memcpy(model, devices[i], n);
		model[n] = '\0';
		snprintf(id, sizeof(id), "%.20s%u", model, i);
		if (!vdev_create(&the_vmm, model, id, comma ? comma + 1 : ""))
			die("cannot create device '%s'", devices[i]);
	}
	for (i = 0; i < nnic; i++) {
		bool pv = !strncmp(nics[i], "pv", 2) &&
			  (nics[i][2] == '\0' || nics[i][2] == ',');

		if ((pv ? pv_nic_add(&the_vmm, nics[i], i)
			: nic_switch_add(&the_vmm, nics[i], i)) < 0)
			die("cannot create NIC '%s'", nics[i]);
	}
	ret = vmm_boot(&the_vmm, &cfg);
	if (ret < 0)
		die("cannot boot %s: %s", cfg.image, strerror(-ret));
	if (ctl_path && vmm_ctl_start(&the_vmm, ctl_path) < 0)
		die("cannot start the control socket");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = vmm_run(&the_vmm);
	if (vmm_signal && !atomic_load(&the_vmm.exiting)) {
		ret = 128 + vmm_signal;
		the_vmm.exit_code = ret;
		snprintf(the_vmm.exit_reason, sizeof(the_vmm.exit_reason),
			 "stopped by signal %d", (int)vmm_signal);
	}
	write_stats(&the_vmm, stats_path);
	vmm_fini(&the_vmm);
	return ret;
}
