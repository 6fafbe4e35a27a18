// SPDX-License-Identifier: GPL-2.0
/*
 * run-as-user: run a command as the VM's unprivileged user, or as root
 * without one capability, so tests can check what a module allows whom,
 * and which capability it checks.
 *
 *   run-as-user [-u UID] [-g GID] [-k CAP]... [-d CAP]... COMMAND [ARG...]
 *
 *   -u, -g   the ids to run as (default 1000, the "student" account of the
 *            lab VM; -u 0 -g 0 stays root)
 *   -k CAP   keep this capability after the change of ids (e.g.
 *            -k CAP_NET_ADMIN: a normal user who has just that one)
 *   -d CAP   drop this capability, for good (e.g. -u 0 -g 0 -d
 *            CAP_SYS_ADMIN: root with all but that one)
 *
 * Drops supplementary groups first, then the gid, then the uid: the reverse
 * order would leave the process unable to change its groups. A kept
 * capability goes through exec as an ambient one; a dropped one leaves the
 * bounding set too, so that exec of a root program cannot bring it back.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#define MAX_CAPS 8

static void die(const char *what)
{
	fprintf(stderr, "run-as-user: %s: %s\n", what, strerror(errno));
	exit(125);
}

static unsigned long parse_id(const char *text)
{
	char *end;
	unsigned long id;

	errno = 0;
	id = strtoul(text, &end, 10);
	if (errno || *end || end == text) {
		fprintf(stderr, "run-as-user: not a numeric id: %s\n", text);
		exit(125);
	}
	return id;
}

/* Appends the capability named (CAP_SYS_ADMIN, sys_admin or 21) to list. */
static void add_cap(cap_value_t *list, int *count, const char *name)
{
	if (*count == MAX_CAPS) {
		fprintf(stderr, "run-as-user: at most %d capabilities\n",
			MAX_CAPS);
		exit(125);
	}
	if (cap_from_name(name, &list[*count])) {
		fprintf(stderr, "run-as-user: no such capability: %s\n", name);
		exit(125);
	}
	++*count;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: run-as-user [-u UID] [-g GID] [-k CAP]... [-d CAP]... COMMAND [ARG...]\n");
	exit(125);
}

int main(int argc, char **argv)
{
	cap_value_t keep[MAX_CAPS], drop[MAX_CAPS];
	int nr_keep = 0, nr_drop = 0, opt, i;
	uid_t uid = 1000;
	gid_t gid = 1000;
	cap_t caps;

	while ((opt = getopt(argc, argv, "+u:g:k:d:")) != -1) {
		switch (opt) {
		case 'u':
			uid = parse_id(optarg);
			break;
		case 'g':
			gid = parse_id(optarg);
			break;
		case 'k':
			add_cap(keep, &nr_keep, optarg);
			break;
		case 'd':
			add_cap(drop, &nr_drop, optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "run-as-user: no command given\n");
		return 125;
	}
	/* the permitted set survives setuid only with keepcaps */
	if (nr_keep && prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L))
		die("keeping capabilities");
	/* while still root: dropping from the bounding set needs CAP_SETPCAP */
	for (i = 0; i < nr_drop; i++)
		if (cap_drop_bound(drop[i]))
			die("dropping a capability from the bounding set");
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		die("changing ids");

	caps = cap_get_proc();
	if (!caps)
		die("reading capabilities");
	if (nr_keep) {
		/* ambient capabilities must be permitted and inheritable */
		if (cap_clear(caps) ||
		    cap_set_flag(caps, CAP_PERMITTED, nr_keep, keep, CAP_SET) ||
		    cap_set_flag(caps, CAP_EFFECTIVE, nr_keep, keep, CAP_SET) ||
		    cap_set_flag(caps, CAP_INHERITABLE, nr_keep, keep, CAP_SET))
			die("setting capabilities");
	}
	if (nr_drop &&
	    (cap_set_flag(caps, CAP_PERMITTED, nr_drop, drop, CAP_CLEAR) ||
	     cap_set_flag(caps, CAP_EFFECTIVE, nr_drop, drop, CAP_CLEAR) ||
	     cap_set_flag(caps, CAP_INHERITABLE, nr_drop, drop, CAP_CLEAR)))
		die("clearing capabilities");
	if ((nr_keep || nr_drop) && cap_set_proc(caps))
		die("setting capabilities");
	cap_free(caps);
	for (i = 0; i < nr_keep; i++)
		if (cap_set_ambient(keep[i], CAP_SET))
			die("keeping a capability through exec");

	execvp(argv[optind], argv + optind);
	fprintf(stderr, "run-as-user: %s: %s\n", argv[optind], strerror(errno));
	return 127;
}
