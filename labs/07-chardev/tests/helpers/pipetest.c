// SPDX-License-Identifier: GPL-2.0
/*
 * pipetest: what the lab 07 tests need done exactly, or faster than a
 * shell loop can: watching a process sleep, signals at the right moment,
 * several processes at once. Every wait is bounded: a module that loses a
 * wake-up makes the command fail with a message, not hang.
 *
 *   pipetest blocked PID read|write|poll [SECONDS]
 *	wait until process PID sleeps in that kind of system call; prints
 *	"blocked in KIND, state S" (S: interruptible sleep, D: not)
 *   pipetest exited PID [SECONDS]
 *	wait until process PID has ended (a zombie or gone); prints "exited"
 *   pipetest signal DEVICE restart|norestart [read|write]
 *	a SIGUSR1 handler, with or without SA_RESTART, and a read of the
 *	empty pipe (a write to the full one) that blocks; the signal comes
 *	while the call sleeps; with restart, data (room) comes after the
 *	handler ran. Prints "handler ran: N" and the call's outcome, "read N:
 *	DATA", "wrote N" or "read: MESSAGE"
 *   pipetest wakeone DEVICE READERS
 *	READERS processes block in a read of DEVICE; a byte is written and
 *	taken by this process before any of them gets the lock (a
 *	userfaultfd page makes the copy wait until they all tried); they must
 *	go back to sleep. Then one byte at a time must wake exactly one.
 *	Run it on one CPU (taskset): on two, a reader could win the lock.
 *   pipetest lostwake DEVICE
 *	a process blocks in a read of DEVICE; a byte is written from a
 *	userfaultfd page whose fault is only served once the reader woke up
 *	and slept again, or after LOSTWAKE_WAIT_MS: a wake-up sent before the
 *	byte is in finds nothing, and the reader must still get the byte
 *   pipetest lockwait DEVICE read|write
 *	a read (or write) of DEVICE waits for the pipe's lock, held by this
 *	process while its copy waits for a userfaultfd page, and gets a
 *	SIGUSR1 (a handler without SA_RESTART): it must fail with EINTR and
 *	take or leave nothing. Twice: a call that meets the lock at once, and
 *	one that slept for data (room), was woken, then met the lock. Run it
 *	on one CPU (taskset): this process's real-time priority makes it take
 *	the lock before the woken call runs.
 *   pipetest zero DEVICE
 *	a read of 0 bytes from the empty pipe and a write of 0 bytes to the
 *	full one return 0 at once, and change nothing
 *   pipetest pingpong DEVICE0 DEVICE1 ROUNDS SECONDS
 *	two processes: one byte to DEVICE0, its complement back on DEVICE1
 *   pipetest records DEVICE WRITERS READERS RECORDS SECONDS
 *	WRITERS processes write RECORDS tagged 16-byte records each, three
 *	per write(2); READERS processes read five records' worth per read(2);
 *	the readers and the writers are spread over the CPUs
 *   pipetest tail DEVICE
 *	writes 3 bytes, then reads at most 100 into a buffer filled with a
 *	canary: the 97 bytes past what the read returned must be untouched
 *   pipetest fresh DEVICE
 *	a write from, and a read into, memory the process never touched (the
 *	kernel's copy has to fault the pages in)
 *   pipetest release DEVICE...
 *	empty each pipe, then write a few bytes into it: whoever sleeps in
 *	it, for data or for room, can go on (the tests' teardown)
 *   pipetest rescue SECONDS DEVICE...
 *	the tests' safety net, started before each test: after SECONDS, a
 *	release every half second, so that a process a buggy module put to
 *	sleep for good, even uninterruptibly (state D), wakes up and its
 *	test can end. Ends when its parent does.
 *
 * Exit status: 0 when everything was as expected, 1 when not (with a line
 * saying what), 2 on bad usage, 3 when a time limit ran out.
 */
#include "kcl-race.h"
#include "kcl-proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RECORD_SIZE	16
#define MAX_PROCS	16
#define MAX_RECORDS	100000
/* how long lostwake's fault waits for a reader that was woken too early */
#define LOSTWAKE_WAIT_MS	300

/* --- common --------------------------------------------------------------- */

static char limit_message[256];

static void on_alarm(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, limit_message, strlen(limit_message)) < 0)
		_exit(3);
	_exit(3);
}

/* After seconds, print "pipetest: time limit: WHAT" and exit with 3. */
static void set_limit(unsigned int seconds, const char *fmt, ...)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int len;
	va_list ap;

	len = snprintf(limit_message, sizeof(limit_message),
		       "pipetest: time limit (%u s): ", seconds);
	va_start(ap, fmt);
	vsnprintf(limit_message + len, sizeof(limit_message) - len - 1, fmt,
		  ap);
	va_end(ap);
	strcat(limit_message, "\n");
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

/* fork(); the child dies with its parent, whatever happens to the parent. */
static pid_t fork_child(void)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

static long voluntary_switches(pid_t pid)
{
	char path[64], line[128];
	long count = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &count) == 1)
			break;
	fclose(f);
	return count;
}

static long number(const char *text, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || end == text || value < min || value > max) {
		fprintf(stderr, "pipetest: bad number %s\n", text);
		exit(2);
	}
	return value;
}

/* --- blocked, exited ------------------------------------------------------ */

static int cmd_blocked(pid_t pid, const char *kind, double seconds)
{
	if (strcmp(kind, "read") && strcmp(kind, "write") &&
	    strcmp(kind, "poll")) {
		fprintf(stderr, "pipetest: blocked: read, write or poll\n");
		return 2;
	}
	return proc_report_blocked(pid, kind, seconds);
}

/* --- filling and emptying a pipe ----------------------------------------- */

/*
 * What a pipe open with O_NONBLOCK holds, read into buf until it is empty
 * or buf is full: the count of bytes read.
 */
static ssize_t drain_fd(int fd, char *buf, size_t size)
{
	ssize_t n, total = 0;

	while ((size_t)total < size &&
	       (n = read(fd, buf + total, size - total)) > 0)
		total += n;
	return total;
}

/* All the bytes the pipe holds, read without sleeping: their count. */
static ssize_t drain(const char *dev, char *buf, size_t size)
{
	int fd = open_or_die(dev, O_RDONLY | O_NONBLOCK);
	ssize_t total = drain_fd(fd, buf, size);

	close(fd);
	return total;
}

/* Fills the pipe without sleeping; returns how many bytes went in. */
static ssize_t fill(const char *dev, char byte)
{
	int fd = open_or_die(dev, O_WRONLY | O_NONBLOCK);
	ssize_t n, total = 0;
	char chunk[512];

	memset(chunk, byte, sizeof(chunk));
	while ((n = write(fd, chunk, sizeof(chunk))) > 0)
		total += n;
	close(fd);
	return total;
}

/* --- signal --------------------------------------------------------------- */

static volatile sig_atomic_t handled;
static int handled_pipe[2];

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
	if (write(handled_pipe[1], "s", 1) < 0)
		_exit(4);
}

static int cmd_signal(const char *dev, const char *mode, const char *kind)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int restart = !strcmp(mode, "restart");
	int reading = !strcmp(kind, "read");
	pid_t sleeper = getpid(), child;
	char buf[256], state;
	ssize_t n;
	long nr;
	int fd, err;

	if ((!restart && strcmp(mode, "norestart")) ||
	    (!reading && strcmp(kind, "write"))) {
		fprintf(stderr,
			"pipetest: signal: restart or norestart, read or write\n");
		return 2;
	}
	fd = open_or_die(dev, O_RDWR);
	if (pipe(handled_pipe))
		die("pipe: %s", strerror(errno));
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	if (!reading)
		fill(dev, 'f');		/* the write sleeps for room */

	child = fork_child();
	if (child == 0) {
		/* the signaller */
		if (!proc_wait_blocked(sleeper, kind, 10, &state, &nr)) {
			printf("the %s never blocked (state %c, system call %ld)\n",
			       kind, state, nr);
			_exit(1);
		}
		kill(sleeper, SIGUSR1);
		/* the handler has run once this byte arrives */
		if (read(handled_pipe[0], buf, 1) != 1)
			_exit(1);
		if (restart) {
			/* the restarted call sleeps again, then can go on */
			proc_wait_blocked(sleeper, kind, 3, &state, &nr);
			n = reading ? write(fd, "restarted", 9) :
				      read(fd, buf, 9);
			if (n != 9)
				printf("%s: %s\n", reading ? "write" : "read",
				       strerror(errno));
		}
		_exit(0);
	}

	set_limit(20, "the %s did not return", kind);
	n = reading ? read(fd, buf, sizeof(buf)) : write(fd, "w", 1);
	err = errno;
	alarm(0);
	printf("handler ran: %d\n", (int)handled);
	if (n < 0)
		printf("%s: %s\n", kind, strerror(err));
	else if (reading)
		printf("read %zd: %.*s\n", n, (int)n, buf);
	else
		printf("wrote %zd\n", n);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}

/* --- a page that makes the kernel's copy wait ----------------------------- */

/*
 * A page that the kernel's copy from or to it (in a write or a read of the
 * device, lock held) has to fault in. Its fault is served by a thread of
 * ours (userfaultfd) only once ready() says so, or after wait_ms: the copy
 * waits meanwhile, and a test sees what the other processes do in the
 * window.
 */
struct slow_page {
	const char *touch;	/* "read" or "write": the call that touches it */
	char fill;		/* the page's bytes, once served */
	int wait_ms;		/* the longest ready() is waited for */
	int (*ready)(void *arg);
	void *arg;
	char *addr;
	long size;
	int uffd;
	int was_ready;		/* ready() said so within wait_ms */
	int untouched;		/* no fault came */
	int copy_failed;
	pthread_t thread;
};

static void *slow_page_serve(void *arg)
{
	struct slow_page *page = arg;
	struct pollfd pfd = { .fd = page->uffd, .events = POLLIN };
	struct uffdio_copy copy;
	struct uffd_msg msg;
	char *source;
	double end;

	if (poll(&pfd, 1, 20000) != 1 ||
	    read(page->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT) {
		page->untouched = 1;
		return NULL;
	}
	end = proc_now() + page->wait_ms / 1000.0;
	while (!(page->was_ready = page->ready(page->arg)) && proc_now() < end)
		sleep_ms(2);

	source = malloc(page->size);
	memset(source, page->fill, page->size);
	copy = (struct uffdio_copy) {
		.dst = (unsigned long)page->addr,
		.src = (unsigned long)source,
		.len = page->size,
	};
	page->copy_failed = ioctl(page->uffd, UFFDIO_COPY, &copy) != 0;
	free(source);
	return NULL;
}

/* Maps PAGE and starts the thread that serves its fault. */
static void slow_page_arm(struct slow_page *page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;

	page->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (page->uffd < 0 || ioctl(page->uffd, UFFDIO_API, &api))
		die("userfaultfd: %s", strerror(errno));
	page->size = sysconf(_SC_PAGESIZE);
	page->addr = mmap(NULL, page->size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page->addr == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	reg = (struct uffdio_register) {
		.range = { .start = (unsigned long)page->addr,
			   .len = page->size },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	if (ioctl(page->uffd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER: %s", strerror(errno));
	if (pthread_create(&page->thread, NULL, slow_page_serve, page))
		die("pthread_create failed");
}

/* Waits until the fault was served. */
static void slow_page_join(struct slow_page *page)
{
	pthread_join(page->thread, NULL);
	if (page->untouched)
		die("the %s never touched the page", page->touch);
	if (page->copy_failed)
		die("UFFDIO_COPY failed");
}

/* --- readers of one byte -------------------------------------------------- */

struct report {
	int reader;
	int n;		/* what read() returned */
	int err;	/* errno when n < 0 */
	char byte;
};

/* Readers asleep in a read, and their voluntary context switches then. */
struct sleepers {
	int count;
	pid_t pids[MAX_PROCS];
	long switches[MAX_PROCS];
	int woken;	/* of them, woke up since (and slept again) */
};

/* Starts COUNT processes that each read one byte of DEV, and waits until
 * they all sleep in the read; each then sends its report down RESULTS. */
static void start_sleepers(struct sleepers *s, int count, const char *dev,
			   int results)
{
	char state;
	long nr;
	int i;

	s->count = count;
	for (i = 0; i < count; i++) {
		s->pids[i] = fork_child();
		if (s->pids[i] == 0) {
			struct report rep = { .reader = i };
			int fd = open_or_die(dev, O_RDONLY);
			char byte = 0;

			rep.n = read(fd, &byte, 1);
			rep.err = errno;
			rep.byte = byte;
			_exit(write(results, &rep, sizeof(rep)) < 0);
		}
	}
	for (i = 0; i < count; i++)
		if (!proc_wait_blocked(s->pids[i], "read", 10, &state, &nr))
			die("reader %d never slept in read (state %c, system call %ld)",
			    i, state, nr);
	for (i = 0; i < count; i++)
		s->switches[i] = voluntary_switches(s->pids[i]);
}

/* A slow_page's ready(): every sleeper woke up (and went to sleep again,
 * on data or on the lock: its voluntary context switches went up). */
static int sleepers_woke(void *arg)
{
	struct sleepers *s = arg;
	int i;

	s->woken = 0;
	for (i = 0; i < s->count; i++)
		if (voluntary_switches(s->pids[i]) > s->switches[i])
			s->woken++;
	return s->woken == s->count;
}

/* A slow_page's ready(): the one sleeper woke up and sleeps in its read
 * again, having found no data. */
static int sleeper_found_nothing(void *arg)
{
	struct sleepers *s = arg;
	char state;
	long nr;

	return sleepers_woke(s) &&
	       proc_wait_blocked(s->pids[0], "read", 1, &state, &nr);
}

/* A report from a reader, or 0 when none came within ms. */
static int next_report(int fd, int ms, struct report *rep)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return 0;
	return read(fd, rep, sizeof(*rep)) == sizeof(*rep);
}

static void describe(const struct report *rep, char *text, size_t size)
{
	if (rep->n < 0)
		snprintf(text, size, "reader %d: read failed: %s", rep->reader,
			 strerror(rep->err));
	else if (rep->n == 0)
		snprintf(text, size,
			 "reader %d: read returned 0 (it woke up, found no data, and returned instead of sleeping again)",
			 rep->reader);
	else
		snprintf(text, size, "reader %d: read %d byte(s): %c",
			 rep->reader, rep->n, rep->byte);
}

/* --- wakeone -------------------------------------------------------------- */

static int cmd_wakeone(const char *dev, int readers)
{
	struct sched_param fifo = { .sched_priority = 1 }, other = { 0 };
	struct sleepers sleepers;
	struct slow_page page = {
		.touch = "read", .fill = '?', .wait_ms = 3000,
		.ready = sleepers_woke, .arg = &sleepers,
	};
	int fd, results[2], i, k, got[MAX_PROCS] = { 0 };
	struct report rep;
	char text[256], state;
	ssize_t n;
	long nr;

	fd = open_or_die(dev, O_RDWR);
	if (pipe(results))
		die("pipe: %s", strerror(errno));
	set_limit(60, "wakeone did not finish");
	start_sleepers(&sleepers, readers, dev, results[1]);

	/* 1. A byte comes, and this process takes it before any reader can. */
	slow_page_arm(&page);
	/*
	 * Real-time priority, on the one CPU the test gives this process and
	 * the readers: the readers the write wakes cannot run before this
	 * process's read has the pipe's lock. That read copies into the
	 * slow page, whose fault waits for the readers: meanwhile they run,
	 * see data that is about to go, and wait for the lock.
	 */
	if (sched_setscheduler(0, SCHED_FIFO, &fifo))
		die("sched_setscheduler: %s", strerror(errno));
	if (write(fd, "X", 1) != 1)
		die("write: %s", strerror(errno));
	n = read(fd, page.addr, 1);
	sched_setscheduler(0, SCHED_OTHER, &other);
	slow_page_join(&page);
	if (n != 1 || page.addr[0] != 'X')
		die("the first byte did not come back: read returned %zd", n);
	printf("a byte came and went while %d of %d readers were awake\n",
	       sleepers.woken, readers);

	/*
	 * They found nothing: they must all be asleep again. A reader that
	 * returned would report at once; the state check below catches one
	 * that did and exited.
	 */
	if (next_report(results[0], 100, &rep)) {
		describe(&rep, text, sizeof(text));
		die("%s", text);
	}
	for (i = 0; i < readers; i++)
		if (!proc_wait_blocked(sleepers.pids[i], "read", 5, &state, &nr))
			die("reader %d did not go back to sleep (state %c, system call %ld)",
			    i, state, nr);
	printf("every reader went back to sleep\n");

	/* 2. One byte at a time: each wakes exactly one reader. */
	for (k = 0; k < readers; k++) {
		char byte = 'a' + k;

		if (write(fd, &byte, 1) != 1)
			die("write: %s", strerror(errno));
		if (!next_report(results[0], 10000, &rep))
			die("byte %c woke no reader within 10 s", byte);
		describe(&rep, text, sizeof(text));
		if (rep.n != 1 || rep.byte != byte || got[rep.reader]++)
			die("%s (expected one byte, %c)", text, byte);
		if (next_report(results[0], 100, &rep)) {
			describe(&rep, text, sizeof(text));
			die("a second reader returned for one byte: %s", text);
		}
	}
	for (i = 0; i < readers; i++)
		waitpid(sleepers.pids[i], NULL, 0);
	printf("%d readers, %d bytes: each byte woke exactly one reader\n",
	       readers, readers);
	return 0;
}

/* --- lostwake ------------------------------------------------------------- */

/*
 * The write's copy from the slow page waits until the reader has woken up
 * and gone back to sleep (a wake-up sent before the byte is in: it found
 * the pipe empty), at most LOSTWAKE_WAIT_MS (a wake-up sent after the byte
 * is in: none comes before).
 */
static int cmd_lostwake(const char *dev)
{
	struct sleepers sleepers;
	struct slow_page page = {
		.touch = "write", .fill = 'W', .wait_ms = LOSTWAKE_WAIT_MS,
		.ready = sleeper_found_nothing, .arg = &sleepers,
	};
	int fd, results[2];
	struct report rep;
	char text[256];
	ssize_t n;

	fd = open_or_die(dev, O_RDWR);
	if (pipe(results))
		die("pipe: %s", strerror(errno));
	set_limit(30, "lostwake did not finish");
	start_sleepers(&sleepers, 1, dev, results[1]);

	slow_page_arm(&page);
	/* the copy from the page waits for the handler, lock held */
	n = write(fd, page.addr, 1);
	if (n != 1)
		die("the write returned %zd: %s", n,
		    n < 0 ? strerror(errno) : "not 1");
	slow_page_join(&page);
	printf("a byte went in while the writer's copy waited for its page\n");

	if (!next_report(results[0], 2000, &rep))
		die("the reader slept on with a byte in the pipe%s",
		    page.was_ready ?
		    ": it was woken while the byte was not in yet, and not after" :
		    "");
	describe(&rep, text, sizeof(text));
	if (rep.n != 1 || rep.byte != 'W')
		die("%s (expected one byte, W)", text);
	waitpid(sleepers.pids[0], NULL, 0);
	printf("the reader woke up and got it\n");
	return 0;
}

/* --- lockwait ------------------------------------------------------------- */

/*
 * The call that waits for the lock: a child process with a SIGUSR1 handler
 * without SA_RESTART. With at_once, it starts its call when told to (once
 * the lock is held); otherwise at once, to sleep for data or room first.
 */
struct lock_waiter {
	const char *kind;	/* "read" or "write" */
	int at_once;
	pid_t pid;
	int go[2];		/* a byte: start the call */
	int outcome[2];		/* the call's outcome, a line of text */
	long switches;		/* voluntary switches once asleep for data */
	int told, signalled;
};

static void lock_waiter_start(struct lock_waiter *w, const char *dev)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	if (pipe(w->go) || pipe(w->outcome) || pipe(handled_pipe))
		die("pipe: %s", strerror(errno));
	w->told = w->signalled = 0;
	w->pid = fork_child();
	if (w->pid == 0) {
		struct pollfd go = { .fd = w->go[0], .events = POLLIN };
		int fd = open_or_die(dev, O_RDWR);
		char text[128], byte = 'V';
		ssize_t n;

		sigaction(SIGUSR1, &sa, NULL);
		/* poll, not read: a read here would look like the call */
		if (w->at_once && poll(&go, 1, 20000) != 1)
			_exit(1);
		if (!strcmp(w->kind, "read"))
			n = read(fd, &byte, 1);
		else
			n = write(fd, &byte, 1);
		if (n < 0)
			snprintf(text, sizeof(text), "%s", strerror(errno));
		else
			snprintf(text, sizeof(text), "it %s %zd byte (%c)",
				 !strcmp(w->kind, "read") ? "read" : "wrote",
				 n, byte);
		_exit(write(w->outcome[1], text, strlen(text) + 1) < 0);
	}
	if (!w->at_once) {
		char state;
		long nr;

		if (!proc_wait_blocked(w->pid, w->kind, 10, &state, &nr))
			die("the %s never slept (state %c, system call %ld)",
			    w->kind, state, nr);
		w->switches = voluntary_switches(w->pid);
	}
}

/*
 * A slow_page's ready(), called while this process holds the lock: start
 * the call (at_once), or see that it woke up; signal it once it sleeps in
 * its call; ready once its outcome is in.
 */
static int lock_waiter_done(void *arg)
{
	struct lock_waiter *w = arg;
	struct pollfd outcome = { .fd = w->outcome[0], .events = POLLIN };
	char state;
	long nr;

	if (w->at_once && !w->told) {
		w->told = write(w->go[1], "g", 1) == 1;
		return 0;
	}
	if (!w->signalled && (w->at_once ||
			      voluntary_switches(w->pid) > w->switches) &&
	    proc_wait_blocked(w->pid, w->kind, 0.01, &state, &nr)) {
		kill(w->pid, SIGUSR1);
		w->signalled = 1;
	}
	return poll(&outcome, 1, 0) == 1;
}

/* The outcome of the waiter's call, once it ended. */
static void lock_waiter_outcome(struct lock_waiter *w, char *text, size_t size)
{
	struct pollfd outcome = { .fd = w->outcome[0], .events = POLLIN };
	ssize_t n;

	if (!w->signalled)
		kill(w->pid, SIGUSR1);
	if (poll(&outcome, 1, 3000) != 1) {
		snprintf(text, size, "it did not return");
		kill(w->pid, SIGKILL);
	} else {
		n = read(w->outcome[0], text, size - 1);
		text[n > 0 ? n : 0] = '\0';
	}
	waitpid(w->pid, NULL, 0);
	close(w->go[0]);
	close(w->go[1]);
	close(w->outcome[0]);
	close(w->outcome[1]);
	close(handled_pipe[0]);
	close(handled_pipe[1]);
}

/*
 * One round: the waiter of that kind, and this process holding the lock
 * (its copy from or to the slow page waits for the waiter's outcome).
 * Returns what the waiter's call did, and checks the pipe's bytes after.
 */
static void lockwait_round(const char *dev, const char *kind, int at_once)
{
	struct sched_param fifo = { .sched_priority = 1 }, other = { 0 };
	struct lock_waiter w = { .kind = kind, .at_once = at_once };
	struct slow_page page = {
		.touch = !strcmp(kind, "read") ? "write" : "read",
		.fill = 'P', .wait_ms = 5000,
		.ready = lock_waiter_done, .arg = &w,
	};
	int reading = !strcmp(kind, "read");
	int fd = open_or_die(dev, O_RDWR);
	static char held[1 << 17];
	ssize_t n, size = 0, left;
	char text[160];

	if (!reading)
		size = fill(dev, 'a');	/* the writer sleeps for room */
	lock_waiter_start(&w, dev);
	slow_page_arm(&page);
	/*
	 * Real-time priority, on one CPU: the waiter, woken by the first
	 * call below, cannot run before the second one holds the lock.
	 */
	if (sched_setscheduler(0, SCHED_FIFO, &fifo))
		die("sched_setscheduler: %s", strerror(errno));
	if (reading) {
		/* data for the woken reader, then the lock, copying it out */
		if (!at_once && write(fd, "d", 1) != 1)
			die("write: %s", strerror(errno));
		n = at_once ? write(fd, page.addr, 1) : read(fd, page.addr, 1);
	} else {
		/* room for the woken writer, then the lock, copying in */
		if (!at_once && read(fd, held, 1) != 1)
			die("read: %s", strerror(errno));
		n = at_once ? read(fd, page.addr, 1) : write(fd, page.addr, 1);
	}
	sched_setscheduler(0, SCHED_OTHER, &other);
	slow_page_join(&page);
	if (n != 1)
		die("this process's call, the one holding the lock, returned %zd",
		    n);
	lock_waiter_outcome(&w, text, sizeof(text));
	printf("a %s %s: %s\n", kind, at_once ? "waiting for the lock" :
	       "woken, then waiting for the lock", text);

	/* what the pipe holds: nothing of the waiter's, nothing taken */
	left = drain(dev, held, sizeof(held));
	if (reading && at_once && (left != 1 || held[0] != 'P'))
		die("the pipe holds %zd bytes, not the one byte P written", left);
	if (reading && !at_once && left != 0)
		die("the pipe holds %zd bytes, not none", left);
	if (!reading && at_once && (left != size - 1 || memchr(held, 'V', left)))
		die("the pipe holds %zd bytes, not the %zd left, and no V", left,
		    size - 1);
	if (!reading && !at_once &&
	    (left != size || held[left - 1] != 'P' || memchr(held, 'V', left)))
		die("the pipe holds %zd bytes, not the %zd written, and no V",
		    left, size);
	close(fd);
}

static int cmd_lockwait(const char *dev, const char *kind)
{
	if (strcmp(kind, "read") && strcmp(kind, "write")) {
		fprintf(stderr, "pipetest: lockwait: read or write\n");
		return 2;
	}
	set_limit(60, "lockwait did not finish");
	lockwait_round(dev, kind, 1);
	lockwait_round(dev, kind, 0);
	printf("the pipe holds what it should\n");
	return 0;
}

/* --- zero ----------------------------------------------------------------- */

static int cmd_zero(const char *dev)
{
	int fd = open_or_die(dev, O_RDWR);
	static char held[1 << 17];
	ssize_t n, size;
	char byte = 'z';

	set_limit(10, "a call of 0 bytes did not return");
	n = read(fd, &byte, 0);
	printf("a read of 0 bytes from the empty pipe: %zd\n", n);
	size = fill(dev, 'f');
	n = write(fd, &byte, 0);
	printf("a write of 0 bytes to the full pipe: %zd\n", n);
	alarm(0);
	n = drain(dev, held, sizeof(held));
	if (n != size || memchr(held, 'z', n))
		die("the pipe holds %zd bytes, not the %zd written", n, size);
	printf("the pipe holds what it should\n");
	return 0;
}

/* --- pingpong ------------------------------------------------------------- */

static int cmd_pingpong(const char *dev0, const char *dev1, int rounds,
			int seconds)
{
	int ping = open_or_die(dev0, O_RDWR), pong = open_or_die(dev1, O_RDWR);
	unsigned char out, in;
	double start;
	int status, i;
	pid_t child;

	child = fork_child();
	if (child == 0) {
		for (i = 0; i < rounds; i++) {
			if (read(ping, &in, 1) != 1 || in != (unsigned char)i) {
				printf("round %d: the other side got a wrong byte\n",
				       i);
				_exit(1);
			}
			out = ~in;
			if (write(pong, &out, 1) != 1) {
				printf("round %d: write: %s\n", i,
				       strerror(errno));
				_exit(1);
			}
		}
		_exit(0);
	}

	set_limit(seconds, "ping-pong stuck (a lost wake-up?)");
	start = proc_now();
	for (i = 0; i < rounds; i++) {
		out = i;
		if (write(ping, &out, 1) != 1)
			die("round %d: write: %s", i, strerror(errno));
		if (read(pong, &in, 1) != 1 || in != (unsigned char)~out)
			die("round %d: wrong reply", i);
	}
	alarm(0);
	waitpid(child, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("the other side failed");
	printf("%d rounds, every reply right\n", rounds);
	printf("time: %.2f s\n", proc_now() - start);
	return 0;
}

/* --- records -------------------------------------------------------------- */

struct shared {
	int consumed;		/* records read, by all readers */
	int failed;
	char error[256];
	int last[MAX_PROCS][MAX_PROCS];	/* [reader][writer]: last sequence */
	unsigned char seen[];	/* [reader][writer][seq]: times read */
};

static struct shared *sh;
static int n_writers, n_records;

static void shared_fail(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&sh->failed, 1, __ATOMIC_SEQ_CST))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->error, sizeof(sh->error), fmt, ap);
	va_end(ap);
}

static void format_record(char *rec, int writer, int seq)
{
	char text[32];

	/* "w03 s00001234 Q\n": writer, sequence number, a check letter */
	snprintf(text, sizeof(text), "w%02d s%08d %c\n", writer % 100,
		 seq % 100000000, 'A' + (writer * 7 + seq) % 26);
	memcpy(rec, text, RECORD_SIZE);
}

static void writer_loop(int fd, int writer)
{
	char batch[3 * RECORD_SIZE];
	int seq = 0, len, done, i;
	ssize_t n;

	while (seq < n_records) {
		for (len = 0, i = 0; i < 3 && seq < n_records; i++, seq++) {
			format_record(batch + len, writer, seq);
			len += RECORD_SIZE;
		}
		for (done = 0; done < len; done += n) {
			n = write(fd, batch + done, len - done);
			if (n <= 0) {
				shared_fail("writer %d: write returned %zd: %s",
					    writer, n, strerror(errno));
				_exit(1);
			}
		}
	}
	_exit(0);
}

static void reader_loop(int fd, int reader)
{
	unsigned char *seen = sh->seen +
			      (size_t)reader * n_writers * n_records;
	char buf[5 * RECORD_SIZE], check[RECORD_SIZE];
	int writer, seq, i;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			shared_fail("reader %d: read returned %zd%s%s", reader,
				    n, n ? ": " : " (an empty read)",
				    n ? strerror(errno) : "");
			_exit(1);
		}
		if (n % RECORD_SIZE) {
			shared_fail("reader %d: read returned %zd bytes, not whole records: torn",
				    reader, n);
			_exit(1);
		}
		for (i = 0; i < n; i += RECORD_SIZE) {
			if (sscanf(buf + i, "w%2d s%8d", &writer, &seq) != 2 ||
			    writer < 0 || writer >= n_writers || seq < 0 ||
			    seq >= n_records) {
				shared_fail("reader %d: a torn or garbled record: %.16s",
					    reader, buf + i);
				_exit(1);
			}
			format_record(check, writer, seq);
			if (memcmp(check, buf + i, RECORD_SIZE)) {
				shared_fail("reader %d: a torn or garbled record: %.16s",
					    reader, buf + i);
				_exit(1);
			}
			if (seq <= sh->last[reader][writer])
				shared_fail("reader %d: writer %d's record %d came after its record %d",
					    reader, writer, seq,
					    sh->last[reader][writer]);
			sh->last[reader][writer] = seq;
			seen[writer * n_records + seq]++;
		}
		__atomic_add_fetch(&sh->consumed, n / RECORD_SIZE,
				   __ATOMIC_SEQ_CST);
	}
}

static int cmd_records(const char *dev, int writers, int readers, int records,
		       int seconds)
{
	pid_t wpids[MAX_PROCS], rpids[MAX_PROCS];
	int total = writers * records, fd, w, r, seq, count, status, last;
	size_t size;
	double start, quiet;
	char state;
	long nr;

	n_writers = writers;
	n_records = records;
	size = sizeof(*sh) + (size_t)readers * writers * records;
	sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(sh->last, -1, sizeof(sh->last));
	fd = open_or_die(dev, O_RDWR);
	set_limit(seconds, "records: stuck (a lost wake-up?)");
	start = proc_now();

	/* the readers first, all asleep on the empty pipe */
	for (r = 0; r < readers; r++) {
		rpids[r] = fork_child();
		if (rpids[r] == 0) {
			/* readers and writers spread over the CPUs: a
			 * copy made without the lock meets another one */
			if (pin_to_cpu(r))
				die("sched_setaffinity: %s", strerror(errno));
			reader_loop(fd, r);
		}
	}
	for (r = 0; r < readers; r++)
		if (!proc_wait_blocked(rpids[r], "read", 10, &state, &nr))
			die("reader %d never slept in read (state %c, system call %ld)",
			    r, state, nr);
	for (w = 0; w < writers; w++) {
		wpids[w] = fork_child();
		if (wpids[w] == 0) {
			if (pin_to_cpu(w))
				die("sched_setaffinity: %s", strerror(errno));
			writer_loop(fd, w);
		}
	}
	for (w = 0; w < writers; w++) {
		waitpid(wpids[w], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			die("writer %d failed: %s", w,
			    sh->failed ? sh->error : "?");
	}
	/* the readers finish the pipe; give up after 2 s without progress */
	last = -1;
	quiet = proc_now();
	while ((count = __atomic_load_n(&sh->consumed, __ATOMIC_SEQ_CST)) <
	       total && !sh->failed) {
		if (count != last) {
			last = count;
			quiet = proc_now();
		} else if (proc_now() - quiet > 2) {
			break;
		}
		sleep_ms(5);
	}
	alarm(0);
	for (r = 0; r < readers; r++) {
		kill(rpids[r], SIGKILL);
		waitpid(rpids[r], NULL, 0);
	}
	if (sh->failed)
		die("%s", sh->error);
	for (w = 0; w < writers; w++) {
		for (seq = 0; seq < records; seq++) {
			for (count = 0, r = 0; r < readers; r++)
				count += sh->seen[((size_t)r * writers + w) *
						  records + seq];
			if (count != 1)
				die("writer %d's record %d was read %d times",
				    w, seq, count);
		}
	}
	printf("%d records from %d writers, read by %d readers: none lost, duplicated, torn or out of order\n",
	       total, writers, readers);
	printf("time: %.2f s\n", proc_now() - start);
	return 0;
}

/* --- tail ----------------------------------------------------------------- */

static int cmd_tail(const char *dev)
{
	unsigned char buf[100];
	size_t i, past = 0;
	ssize_t n;
	int fd;

	fd = open_or_die(dev, O_RDWR | O_NONBLOCK);
	if (write(fd, "abc", 3) != 3)
		die("write: %s", strerror(errno));
	/* not 0xa5, 0x6b or 0x5a: the slab allocator's poison bytes */
	memset(buf, 0x3c, sizeof(buf));
	n = read(fd, buf, sizeof(buf));
	if (n != 3 || memcmp(buf, "abc", 3))
		die("read of at most %zu bytes returned %zd, not the 3 written",
		    sizeof(buf), n);
	for (i = n; i < sizeof(buf); i++)
		past += buf[i] != 0x3c;
	if (past)
		die("read 3 of %zu bytes, and wrote %zu bytes past them",
		    sizeof(buf), past);
	printf("read 3 of %zu bytes, and nothing past them\n", sizeof(buf));
	return 0;
}

/* --- fresh ---------------------------------------------------------------- */

static int cmd_fresh(const char *dev)
{
	const size_t size = 8192, offset = 2500, len = 3000;
	char *text, *source, *target;
	int fd, mfd;
	size_t i;
	ssize_t n;

	fd = open_or_die(dev, O_RDWR | O_NONBLOCK);
	text = malloc(size);
	for (i = 0; i < size; i++)
		text[i] = 'a' + (i * 7 + i / 26) % 26;
	/* the text is in the page cache, but not mapped in this process */
	mfd = memfd_create("pipetest", 0);
	if (mfd < 0 || write(mfd, text, size) != (ssize_t)size)
		die("memfd: %s", strerror(errno));
	source = mmap(NULL, size, PROT_READ, MAP_PRIVATE, mfd, 0);
	target = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (source == MAP_FAILED || target == MAP_FAILED)
		die("mmap: %s", strerror(errno));

	n = write(fd, source + offset, len);
	if (n != (ssize_t)len)
		die("write of %zu bytes from memory never touched: %s", len,
		    n < 0 ? strerror(errno) : "partial");
	printf("wrote %zu bytes from memory never touched before\n", len);
	n = read(fd, target + offset, len);
	if (n != (ssize_t)len)
		die("read of %zu bytes into memory never touched: %s", len,
		    n < 0 ? strerror(errno) : "partial");
	if (memcmp(target + offset, text + offset, len))
		die("read %zu bytes into memory never touched, but not the ones written",
		    len);
	printf("read them back into memory never touched before, unchanged\n");
	return 0;
}

/* --- rescue --------------------------------------------------------------- */

/* Empty each pipe, then put a few bytes in it: every sleeper can go on. */
static void release(char **devs, int count)
{
	char buf[4096];
	int fd, i;
	ssize_t n;

	for (i = 0; i < count; i++) {
		fd = open(devs[i], O_RDWR | O_NONBLOCK);
		if (fd < 0)
			continue;
		while (drain_fd(fd, buf, sizeof(buf)) == sizeof(buf))
			;
		n = write(fd, "release", 7);
		(void)n;
		close(fd);
	}
}

static int cmd_rescue(int seconds, char **devs, int count)
{
	pid_t parent = getppid();
	double end = proc_now() + seconds;
	char note[160];
	ssize_t n;
	int fd;

	while (getppid() == parent && proc_now() < end)
		sleep_ms(100);
	if (getppid() != parent)
		return 0;
	/* say so in the kernel log, next to the test's messages */
	snprintf(note, sizeof(note),
		 "pipetest: a test still runs after %d s: waking every sleeper of the pipes\n",
		 seconds);
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd >= 0) {
		n = write(fd, note, strlen(note));
		(void)n;
		close(fd);
	}
	while (getppid() == parent) {
		release(devs, count);
		sleep_ms(500);
	}
	return 0;
}

/* --- main ----------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: pipetest blocked PID read|write|poll [SECONDS]\n"
		"       pipetest exited PID [SECONDS]\n"
		"       pipetest signal DEVICE restart|norestart [read|write]\n"
		"       pipetest wakeone DEVICE READERS\n"
		"       pipetest lostwake DEVICE\n"
		"       pipetest lockwait DEVICE read|write\n"
		"       pipetest zero DEVICE\n"
		"       pipetest pingpong DEVICE0 DEVICE1 ROUNDS SECONDS\n"
		"       pipetest records DEVICE WRITERS READERS RECORDS SECONDS\n"
		"       pipetest tail DEVICE\n"
		"       pipetest fresh DEVICE\n"
		"       pipetest release DEVICE...\n"
		"       pipetest rescue SECONDS DEVICE...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "blocked") && (argc == 4 || argc == 5))
		return cmd_blocked(number(argv[2], 1, 1 << 30), argv[3],
				   argc == 5 ? number(argv[4], 1, 3600) : 10);
	if (!strcmp(argv[1], "exited") && (argc == 3 || argc == 4))
		return proc_report_exited(number(argv[2], 1, 1 << 30),
				  argc == 4 ? number(argv[3], 1, 3600) : 10);
	if (!strcmp(argv[1], "signal") && (argc == 4 || argc == 5))
		return cmd_signal(argv[2], argv[3], argc == 5 ? argv[4] : "read");
	if (!strcmp(argv[1], "wakeone") && argc == 4)
		return cmd_wakeone(argv[2], number(argv[3], 2, MAX_PROCS));
	if (!strcmp(argv[1], "lostwake") && argc == 3)
		return cmd_lostwake(argv[2]);
	if (!strcmp(argv[1], "lockwait") && argc == 4)
		return cmd_lockwait(argv[2], argv[3]);
	if (!strcmp(argv[1], "zero") && argc == 3)
		return cmd_zero(argv[2]);
	if (!strcmp(argv[1], "pingpong") && argc == 6)
		return cmd_pingpong(argv[2], argv[3],
				    number(argv[4], 1, 10000000),
				    number(argv[5], 1, 3600));
	if (!strcmp(argv[1], "records") && argc == 7) {
		int writers = number(argv[3], 1, MAX_PROCS);
		int readers = number(argv[4], 1, MAX_PROCS);

		return cmd_records(argv[2], writers, readers,
				   number(argv[5], 1, MAX_RECORDS),
				   number(argv[6], 1, 3600));
	}
	if (!strcmp(argv[1], "tail") && argc == 3)
		return cmd_tail(argv[2]);
	if (!strcmp(argv[1], "fresh") && argc == 3)
		return cmd_fresh(argv[2]);
	if (!strcmp(argv[1], "release")) {
		release(argv + 2, argc - 2);
		return 0;
	}
	if (!strcmp(argv[1], "rescue") && argc >= 4)
		return cmd_rescue(number(argv[2], 1, 3600), argv + 3, argc - 3);
	usage();
	return 2;
}
