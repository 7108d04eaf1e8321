// SPDX-License-Identifier: MIT
/*
 * Path availability, read from the VMM itself rather than assumed: the
 * pv and vf paths are being built while this front end is, and a bench
 * must never claim a path the binary cannot run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mac.h"
#include "cli/paths.h"

static const struct path_info paths[] = {
	{ TOPO_PATH_EMU, "emu", "emulated 21140 (every register access traps)",
	  "emu" },
	{ TOPO_PATH_PV, "pv", "paravirtual rings + event channels", "pv" },
	{ TOPO_PATH_VF, "vf", "SR-IOV virtual function (mapped BAR)", "vf" },
};

const struct path_info *path_info(enum topo_nic_path p)
{
	return &paths[(unsigned int)p < 3 ? p : 0];
}

/* The VMM's --help text, once. */
static const char *vmm_help(const char *bindir)
{
	static char text[8192];
	static bool done;
	char exe[512];
	int fds[2];
	pid_t pid;
	size_t n = 0;
	ssize_t r;

	if (done)
		return text;
	done = true;
	snprintf(exe, sizeof(exe), "%s/iopath-vmm", bindir);
	if (pipe(fds))
		return text;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execl(exe, exe, "--help", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && n < sizeof(text) - 1 &&
	       (r = read(fds[0], text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)r;
	text[n] = '\0';
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return text;
}

bool path_available(const char *bindir, enum topo_nic_path p, char *why,
		    size_t whylen)
{
	const char *force = getenv("IOPATH_PATHS");
	const char *help, *s;
	char pat[16];

	if (force && *force) {
		char list[128];

		snprintf(list, sizeof(list), ",%s,", force);
		snprintf(pat, sizeof(pat), ",%s,", paths[p].name);
		if (strstr(list, pat))
			return true;
		snprintf(why, whylen, "not in IOPATH_PATHS=%s", force);
		return false;
	}
	if (p == TOPO_PATH_EMU)
		return true;
	help = vmm_help(bindir);
	if (!help[0]) {
		snprintf(why, whylen, "cannot run %s/iopath-vmm --help",
			 bindir);
		return false;
	}
	/* "--nic pv[,...]" or a "--nic emu|pv|vf" style list */
	for (s = strstr(help, "--nic"); s; s = strstr(s + 1, "--nic")) {
		const char *k = s + 5;

		while (*k == ' ')
			k++;
		while (*k && *k != ' ' && *k != '\n') {
			size_t len = strcspn(k, "|,[ \n");

			if (len == strlen(paths[p].nic_kind) &&
			    !strncmp(k, paths[p].nic_kind, len))
				return true;
			k += len;
			if (*k == '|')
				k++;
			else
				break;
		}
	}
	snprintf(why, whylen, "this iopath-vmm has no '--nic %s' yet",
		 paths[p].nic_kind);
	return false;
}

int path_nic_arg(enum topo_nic_path p, const unsigned char mac[6], int vlan,
		 const char *sock, const char *port, char *buf, size_t len)
{
	char m[MAC_STR_LEN];
	int n;

	mac_format(mac, m);
	n = snprintf(buf, len, "%s,mac=%s,switch=%s", path_info(p)->nic_kind, m,
		     sock);

	if (n > 0 && vlan > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ",vlan=%d", vlan);
	if (n > 0 && port && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ",port=%s", port);
	if (n > 0 && p == TOPO_PATH_VF && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ",sriov=%s",
			      PATH_SRIOV_NIC);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}
