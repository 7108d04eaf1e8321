// SPDX-License-Identifier: MIT
/*
 * The lab's kernel networking: a fabric namespace holding a Linux bridge
 * (the top-of-rack switch) and one veth pair per fabric uplink, the root
 * end for the host's switch (af_packet), the other end in the bridge.
 * Done with iproute2 (argv, no shell): the same commands an engineer
 * would type, and the ones the system tests use.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/lab.h"

/* Interface names are at most 15 characters (hosts and uplinks stay
 * below 10 each): a short hash of the lab
 * name keeps two labs' interfaces apart. */
static unsigned int lab_hash(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & 0xffff;
}

int lab_init(struct lab *l, const struct topo *t, const char *bindir,
	     char *err, size_t errlen)
{
	unsigned int hash = lab_hash(t->name);
	int rc;

	memset(l, 0, sizeof(*l));
	l->t = *t;
	rc = lab_rundir_of(t->name, l->rundir, sizeof(l->rundir), err,
			   errlen);
	if (rc)
		return rc;
	snprintf(l->bindir, sizeof(l->bindir), "%s", bindir);
	for (unsigned int v = 0; v < t->nvms; v++)
		if (!l->t.vms[v].image[0] &&
		    snprintf(l->t.vms[v].image, sizeof(l->t.vms[v].image),
			     "%s/../guests/net.elf", bindir) >=
		    (int)sizeof(l->t.vms[v].image))
			l->t.vms[v].image[0] = '\0'; /* precheck refuses */
	if (t->fabric.present)
		snprintf(l->netns, sizeof(l->netns), "iopath-%s-fabric",
			 t->name);
	for (unsigned int h = 0; h < t->nhosts; h++)
		for (unsigned int u = 0; u < t->hosts[h].nuplinks; u++)
			snprintf(l->ifaces[h][u], sizeof(l->ifaces[h][u]),
				 "ip%04xh%uu%u", hash, h % 10u, u % 10u);
	return 0;
}

bool lab_net_link_ours(const char *name, const char *ifname)
{
	char want[16];

	/* "ip" HASH "h" digit "u" digit, as lab_init names them */
	snprintf(want, sizeof(want), "ip%04xh", lab_hash(name));
	return strlen(ifname) == 10 && !strncmp(ifname, want, 7) &&
	       isdigit((unsigned char)ifname[7]) && ifname[8] == 'u' &&
	       isdigit((unsigned char)ifname[9]);
}

int lab_net_ip(bool quiet, const char *const *args)
{
	const char *argv[24] = { "ip" };
	unsigned int n = 1;
	int r;

	while (args[n - 1] && n < 23) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	r = lab_proc_run((char *const *)argv, quiet ? "/dev/null" : NULL);
	return r == 0 ? 0 : r < 0 ? r : -EIO;
}

#define IP(...) lab_net_ip(false, (const char *const[]){ __VA_ARGS__, NULL })
#define IPQ(...) lab_net_ip(true, (const char *const[]){ __VA_ARGS__, NULL })

int lab_net_up(struct lab *l, char *err, size_t errlen)
{
	char peer[20], sysctl[96];
	const struct topo *t = &l->t;

	if (!l->netns[0])
		return 0;
	if (IP("netns", "add", l->netns)) {
		snprintf(err, errlen, "cannot create namespace %s "
			 "(root? a lab of that name already up?)", l->netns);
		return -EIO;
	}
	if (IP("-n", l->netns, "link", "set", "lo", "up") ||
	    IP("-n", l->netns, "link", "add", "br0", "type", "bridge") ||
	    IP("-n", l->netns, "link", "set", "br0", "up"))
		goto fail;
	if (t->fabric.ip[0] &&
	    IP("-n", l->netns, "addr", "add", t->fabric.ip, "dev", "br0"))
		goto fail;
	for (unsigned int h = 0; h < t->nhosts; h++)
		for (unsigned int u = 0; u < t->hosts[h].nuplinks; u++) {
			const char *ifn = l->ifaces[h][u];

			if (!t->hosts[h].uplinks[u].fabric)
				continue;
			snprintf(peer, sizeof(peer), "%sf", ifn);
			if (IP("link", "add", ifn, "type", "veth", "peer",
			       "name", peer, "netns", l->netns))
				goto fail;
			/* Both are 16-byte interface names inside *l (snprintf
			 * from one to the other trips -Wrestrict). */
			_Static_assert(sizeof(l->links[0]) ==
				       sizeof(l->ifaces[0][0]), "ifname sizes");
			memcpy(l->links[l->nlinks++], ifn, sizeof(l->links[0]));
			/* No IPv6 chatter (DAD, router solicitations) on the
			 * switch's end: it would show up in every capture. */
			snprintf(sysctl, sizeof(sysctl),
				 "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
				 ifn);
			{
				FILE *f = fopen(sysctl, "w");

				if (f) {
					fputs("1", f);
					fclose(f);
				}
			}
			if (IP("link", "set", ifn, "up") ||
			    IP("-n", l->netns, "link", "set", peer, "master",
			       "br0") ||
			    IP("-n", l->netns, "link", "set", peer, "up"))
				goto fail;
		}
	return 0;
fail:
	snprintf(err, errlen, "setting up the fabric namespace %s failed "
		 "(see the ip error above)", l->netns);
	lab_net_down(l);
	return -EIO;
}

void lab_net_down(struct lab *l)
{
	/* Deleting the root end removes the pair; deleting the namespace
	 * removes the bridge and whatever ends were left in it. */
	for (unsigned int i = 0; i < l->nlinks; i++)
		IPQ("link", "del", l->links[i]);
	l->nlinks = 0;
	if (l->netns[0])
		IPQ("netns", "del", l->netns);
}
