/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcl-proc.h: where another process of a test is, from /proc: asleep in a
 * system call of some kind (read, write, poll), or gone. The lab tests'
 * way to know that a reader really sleeps before they wake it: a test
 * that only waited a while would pass with a reader that never slept.
 *
 *   proc_report_blocked(pid, kind, seconds)
 *	prints "blocked in KIND, state S" once pid sleeps in such a call;
 *	otherwise, after seconds, what it was doing instead. 0 or 1.
 *   proc_report_exited(pid, seconds)
 *	prints "exited" once pid has ended (or is a zombie); otherwise that
 *	it is still there. 0 or 1.
 */
#ifndef KCL_PROC_H
#define KCL_PROC_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static inline double proc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void proc_nap(void)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * State letter of a process and its system call (-1: none, -2: running):
 * 0, or -1 when the process is gone.
 */
static inline int proc_state(pid_t pid, char *state, long *nr)
{
	char path[64], text[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	p = strrchr(text, ')');
	if (!p || p[1] != ' ')
		return -1;
	*state = p[2];

	*nr = -2;
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n > 0) {
		text[n] = '\0';
		if (strncmp(text, "running", 7))
			*nr = strtol(text, NULL, 10);
	}
	return 0;
}

/* Whether system call nr is one of kind: read, write or poll. */
static inline int proc_syscall_is(long nr, const char *kind)
{
	if (!strcmp(kind, "read"))
		return nr == SYS_read || nr == SYS_readv;
	if (!strcmp(kind, "write"))
		return nr == SYS_write || nr == SYS_writev;
	if (!strcmp(kind, "poll"))
		return nr == SYS_poll || nr == SYS_ppoll ||
		       nr == SYS_select || nr == SYS_pselect6 ||
		       nr == SYS_epoll_wait || nr == SYS_epoll_pwait
#ifdef SYS_epoll_pwait2
		       || nr == SYS_epoll_pwait2
#endif
		       ;
	return 0;
}

/*
 * Wait until process pid sleeps (S or D) in a system call of that kind.
 * Returns its state letter, or 0 if it did not within seconds (then *state
 * and *nr say where it was last seen, 'X' when it is gone).
 */
static inline char proc_wait_blocked(pid_t pid, const char *kind,
				     double seconds, char *state, long *nr)
{
	double end = proc_now() + seconds;

	do {
		if (proc_state(pid, state, nr)) {
			*state = 'X';
			return 0;
		}
		if ((*state == 'S' || *state == 'D') &&
		    proc_syscall_is(*nr, kind))
			return *state;
		if (*state == 'Z' || *state == 'X')
			return 0;
		proc_nap();
	} while (proc_now() < end);
	return 0;
}

static inline int proc_report_blocked(pid_t pid, const char *kind,
				      double seconds)
{
	char state = '?';
	long nr = -2;

	if (proc_wait_blocked(pid, kind, seconds, &state, &nr)) {
		printf("blocked in %s, state %c\n", kind, state);
		return 0;
	}
	if (state == 'X' || state == 'Z')
		printf("process %d ended instead of blocking in %s\n", pid,
		       kind);
	else
		printf("process %d not asleep in %s after %.0f s (state %c, system call %ld)\n",
		       pid, kind, seconds, state, nr);
	return 1;
}

static inline int proc_report_exited(pid_t pid, double seconds)
{
	double end = proc_now() + seconds;
	char state = '?';
	long nr;

	do {
		if (proc_state(pid, &state, &nr) || state == 'Z' ||
		    state == 'X') {
			printf("exited\n");
			return 0;
		}
		proc_nap();
	} while (proc_now() < end);
	printf("process %d still there after %.0f s (state %c)\n", pid,
	       seconds, state);
	return 1;
}

#endif /* KCL_PROC_H */
