// SPDX-License-Identifier: GPL-2.0
/*
 * run-as-user: run a command as the VM's unprivileged user, so tests can
 * check what a module allows a normal user to do.
 *
 *   run-as-user [-u UID] [-g GID] COMMAND [ARG...]
 *
 * Defaults to uid/gid 1000 (the "student" account of the lab VM). Drops
 * supplementary groups first, then the gid, then the uid: the reverse order
 * would leave the process unable to change its groups.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	uid_t uid = 1000;
	gid_t gid = 1000;
	int opt;

	while ((opt = getopt(argc, argv, "+u:g:")) != -1) {
		switch (opt) {
		case 'u':
			uid = parse_id(optarg);
			break;
		case 'g':
			gid = parse_id(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: run-as-user [-u UID] [-g GID] COMMAND [ARG...]\n");
			return 125;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "run-as-user: no command given\n");
		return 125;
	}
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("run-as-user: dropping privileges");
		return 125;
	}
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "run-as-user: %s: %s\n", argv[optind], strerror(errno));
	return 127;
}
