// SPDX-License-Identifier: GPL-2.0
/*
 * ioctest: exact ioctl(2) calls on /dev/kcl_ioctl for the lab 06 tests,
 * including the ones a correct program never makes (bad commands, bad
 * addresses, bad values) and a privilege drop with the device still open.
 *
 *   ioctest [-d DEVICE] OP...
 *
 * Opens the device once, then runs the OPs in order on that one descriptor,
 * printing one line each (several for enotty and efault). A refused call
 * prints the errno's name, e.g. "set 3 100: EINVAL".
 *
 *   query           KCL_IOC_QUERY: "query: version=.. debug_level=.. ..."
 *   set:L:M[:R]     KCL_IOC_SET with debug_level L, limit M, reserved R
 *   add:N           KCL_IOC_EXCHANGE: "add N: counter=C"; also checks that
 *                   nothing past the structure was written
 *   reset           KCL_IOC_RESET
 *   dump            KCL_IOC_DUMP: "dump: counter=.. ... secret=.."; also
 *                   checks that the secret is padded with zeros
 *   size:query      which bytes QUERY (or size:dump, DUMP) writes: it is
 *   size:dump       called twice, into buffers filled with two different
 *                   bytes; the bytes that differ afterwards were not written
 *   unknown         _IOR(KCL_IOC_MAGIC, 9, struct kcl_ioctl_status)
 *   enotty          commands that are not exactly ours, one line each
 *   efault          NULL, kernel and read-only addresses, one line each
 *   readonly-add    EXCHANGE of add 5 from a read-only page
 *   snap, same      remember the status; compare with it: "state: unchanged"
 *   drop            setgroups(0), setgid(1000), setuid(1000), device open
 *   threads:T:N     T threads share the descriptor, thread t makes N adds
 *                   of t + 1; prints the counter they end on and the total
 *                   expected
 *   spin:N          KCL_IOC_EXCHANGE of N, over and over, until SIGTERM (or
 *                   SPIN_SECONDS); then "spin N: A added, R refused"
 *   limits:R        R rounds of: limit 1000 for a moment, then a reset
 *                   (counter 0 and limit 100, at once), then a few queries:
 *                   with spinners adding 1000 meanwhile, the counter must
 *                   stay 0 after each reset (see op_limits)
 *
 * Exit status 0 when every OP ran (whatever the driver answered), 1 when the
 * device cannot be opened or an OP cannot run, 2 on bad usage. The whole run
 * ends with SIGALRM after ALARM_SECONDS: a hung driver fails, not hangs.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kcl_ioctl.h"

#define ALARM_SECONDS	50
#define SLACK		64	/* canary bytes after each structure */
#define MAX_THREADS	32
#define USER_ID		1000
#define SPIN_SECONDS	20	/* a spinner nobody stopped stops by itself */
#define LIMITS_QUERIES	2	/* queries after each reset of limits */
#define LIMITS_PAUSE_NS	100000	/* limits' sleep before a reset, a query */

/* An address in the kernel half of x86-64: access_ok() refuses it. */
#define KERNEL_ADDRESS	((uintptr_t)0xffffffff81000000ULL)

static int fd = -1;
static struct kcl_ioctl_status snapshot;
static int have_snapshot;
static volatile sig_atomic_t stop;

static const char *errno_name(int err)
{
	switch (err) {
	case ENOTTY: return "ENOTTY";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ENOSYS: return "ENOSYS";
	case EBUSY: return "EBUSY";
	case EINTR: return "EINTR";
	default: return NULL;
	}
}

/* "ok" or the errno's name, for a call that returned ret. */
static const char *outcome(int ret, int err)
{
	static char text[32];
	const char *name;

	if (ret == 0)
		return "ok";
	if (ret > 0) {
		snprintf(text, sizeof(text), "returned %d", ret);
		return text;
	}
	name = errno_name(err);
	if (name)
		return name;
	snprintf(text, sizeof(text), "errno %d", err);
	return text;
}

/* An address computed at run time, so the compiler does not see it. */
static void *address(uintptr_t value)
{
	volatile uintptr_t addr = value;

	return (void *)addr;
}

static int call(unsigned long cmd, void *arg, int *err)
{
	int ret;

	errno = 0;
	ret = ioctl(fd, cmd, arg);
	*err = errno;
	return ret;
}

static void print_status(const char *label, const struct kcl_ioctl_status *s)
{
	printf("%s: version=%" PRIu32 " debug_level=%" PRIu32 " limit=%" PRIu32
	       " opens=%" PRIu32 " counter=%" PRIu64 "\n", label, s->version,
	       s->debug_level, s->limit, s->opens, (uint64_t)s->counter);
}

static int query(struct kcl_ioctl_status *status, int *err)
{
	memset(status, 0, sizeof(*status));
	return call(KCL_IOC_QUERY, status, err);
}

static void op_query(void)
{
	struct kcl_ioctl_status status;
	int err, ret = query(&status, &err);

	if (ret)
		printf("query: %s\n", outcome(ret, err));
	else
		print_status("query", &status);
}

static void op_set(uint32_t level, uint32_t limit, uint64_t reserved)
{
	struct kcl_ioctl_config config = {
		.debug_level = level,
		.limit = limit,
		.reserved = reserved,
	};
	int err, ret = call(KCL_IOC_SET, &config, &err);

	if (reserved)
		printf("set %" PRIu32 " %" PRIu32 " reserved=%" PRIu64 ": %s\n",
		       level, limit, reserved, outcome(ret, err));
	else
		printf("set %" PRIu32 " %" PRIu32 ": %s\n", level, limit,
		       outcome(ret, err));
}

static void op_add(uint64_t add)
{
	unsigned char buf[sizeof(struct kcl_ioctl_exchange) + SLACK];
	struct kcl_ioctl_exchange xchg = { .add = add };
	size_t i;
	int err, ret;

	memset(buf, 0xa5, sizeof(buf));
	memcpy(buf, &xchg, sizeof(xchg));
	ret = call(KCL_IOC_EXCHANGE, buf, &err);
	if (ret) {
		printf("add %" PRIu64 ": %s\n", add, outcome(ret, err));
		return;
	}
	memcpy(&xchg, buf, sizeof(xchg));
	printf("add %" PRIu64 ": counter=%" PRIu64, add,
	       (uint64_t)xchg.counter);
	for (i = sizeof(xchg); i < sizeof(buf); i++) {
		if (buf[i] != 0xa5) {
			printf(", and it wrote past its %zu bytes",
			       sizeof(xchg));
			break;
		}
	}
	if (xchg.add != add)
		printf(", and add came back as %" PRIu64, (uint64_t)xchg.add);
	printf("\n");
}

static void op_reset(void)
{
	int err, ret;

	errno = 0;
	ret = ioctl(fd, KCL_IOC_RESET);
	err = errno;
	printf("reset: %s\n", outcome(ret, err));
}

static void op_dump(void)
{
	struct kcl_ioctl_context ctx;
	size_t len, i;
	int err, ret;

	memset(&ctx, 0xa5, sizeof(ctx));
	ret = call(KCL_IOC_DUMP, &ctx, &err);
	if (ret) {
		printf("dump: %s\n", outcome(ret, err));
		return;
	}
	len = strnlen((const char *)ctx.secret, sizeof(ctx.secret));
	printf("dump: counter=%" PRIu64 " opens=%" PRIu32 " commands=%" PRIu32
	       " debug_level=%" PRIu32 " limit=%" PRIu32 " secret=%.*s",
	       (uint64_t)ctx.counter, ctx.opens, ctx.commands, ctx.debug_level,
	       ctx.limit, (int)len, (const char *)ctx.secret);
	if (len == sizeof(ctx.secret))
		printf(", and the secret has no NUL");
	for (i = len; i < sizeof(ctx.secret); i++) {
		if (ctx.secret[i]) {
			printf(", and the bytes after the secret are not zero");
			break;
		}
	}
	printf("\n");
}

/*
 * Which bytes of the structure (and past it) the command writes: it is
 * called twice, into buffers filled with two different bytes. A byte the
 * kernel wrote differs from the filling in at least one of the two.
 */
static void op_size(const char *name, unsigned long cmd, size_t size)
{
	unsigned char one[4096], two[4096];
	size_t i, written = 0, past = 0, first_gap = size;
	int err, ret;

	memset(one, 0x5a, sizeof(one));
	memset(two, 0xc3, sizeof(two));
	ret = call(cmd, one, &err);
	if (!ret)
		ret = call(cmd, two, &err);
	if (ret) {
		printf("%s: %s\n", name, outcome(ret, err));
		return;
	}
	for (i = 0; i < sizeof(one); i++) {
		if (one[i] == 0x5a && two[i] == 0xc3) {
			if (i < first_gap)
				first_gap = i;
			continue;
		}
		if (i < size)
			written++;
		else
			past++;
	}
	if (written == size && past == 0)
		printf("%s writes exactly %zu bytes\n", name, size);
	else
		printf("%s writes %zu of its %zu bytes (first unwritten: %zu)"
		       ", and %zu past them\n", name, written, size, first_gap,
		       past);
}

static void op_unknown(void)
{
	struct kcl_ioctl_status status;
	int err, ret;

	ret = call(_IOR(KCL_IOC_MAGIC, 9, struct kcl_ioctl_status), &status,
		   &err);
	printf("unknown command: %s\n", outcome(ret, err));
}

/* Commands that are not exactly one of ours, each with a big valid buffer
 * holding a valid config, so that a driver that lets one through succeeds
 * instead of failing for another reason. */
static void op_enotty(void)
{
	static const struct {
		const char *name;
		unsigned long cmd;
	} bad[] = {
		{ "wrong magic", _IOR(KCL_IOC_MAGIC + 1, KCL_NR_QUERY,
				       struct kcl_ioctl_status) },
		{ "wrong magic, number 0", _IO(0, KCL_NR_RESET) },
		{ "number 5", _IO(KCL_IOC_MAGIC, 5) },
		{ "number 5 as _IOR", _IOR(KCL_IOC_MAGIC, 5,
					   struct kcl_ioctl_context) },
		{ "number 255", _IOWR(KCL_IOC_MAGIC, 255,
				      struct kcl_ioctl_exchange) },
		{ "query with size 4", _IOR(KCL_IOC_MAGIC, KCL_NR_QUERY,
					    __u32) },
		{ "query with size 32", _IOC(_IOC_READ, KCL_IOC_MAGIC,
					     KCL_NR_QUERY, 32) },
		{ "query as _IOW", _IOW(KCL_IOC_MAGIC, KCL_NR_QUERY,
					struct kcl_ioctl_status) },
		{ "query as _IOWR", _IOWR(KCL_IOC_MAGIC, KCL_NR_QUERY,
					  struct kcl_ioctl_status) },
		{ "query as _IO", _IO(KCL_IOC_MAGIC, KCL_NR_QUERY) },
		{ "reset as _IOW", _IOW(KCL_IOC_MAGIC, KCL_NR_RESET, __u32) },
		{ "set as _IOR", _IOR(KCL_IOC_MAGIC, KCL_NR_SET,
				      struct kcl_ioctl_config) },
		{ "set with size 8", _IOC(_IOC_WRITE, KCL_IOC_MAGIC,
					  KCL_NR_SET, 8) },
		{ "set with size 24", _IOC(_IOC_WRITE, KCL_IOC_MAGIC,
					   KCL_NR_SET, 24) },
		{ "exchange as _IOW", _IOW(KCL_IOC_MAGIC, KCL_NR_EXCHANGE,
					   struct kcl_ioctl_exchange) },
		{ "exchange with size 8", _IOC(_IOC_READ | _IOC_WRITE,
					       KCL_IOC_MAGIC, KCL_NR_EXCHANGE,
					       8) },
		{ "dump with size 48", _IOC(_IOC_READ, KCL_IOC_MAGIC,
					    KCL_NR_DUMP, 48) },
		{ "dump as _IOWR", _IOWR(KCL_IOC_MAGIC, KCL_NR_DUMP,
					 struct kcl_ioctl_context) },
		{ "a terminal's TCGETS", TCGETS },
	};
	union {
		unsigned char bytes[4096];
		struct kcl_ioctl_config config;
		struct kcl_ioctl_exchange xchg;
	} buf;
	size_t i;
	int err, ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&buf, 0, sizeof(buf));
		buf.config.debug_level = 1;
		buf.config.limit = 1;
		ret = call(bad[i].cmd, &buf, &err);
		printf("%s: %s\n", bad[i].name, outcome(ret, err));
	}
}

/* A page holding @size bytes of @content, made read-only. */
static void *readonly_page(const void *content, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	void *readonly;

	readonly = mmap(NULL, page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (readonly == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memcpy(readonly, content, size);
	if (mprotect(readonly, page, PROT_READ)) {
		perror("mprotect");
		exit(1);
	}
	return readonly;
}

static void op_efault(void)
{
	struct kcl_ioctl_config config = { .debug_level = 1, .limit = 1 };
	void *null = address(0), *kernel = address(KERNEL_ADDRESS);
	void *readonly = readonly_page(&config, sizeof(config));
	int err, ret;

	ret = call(KCL_IOC_QUERY, null, &err);
	printf("query into NULL: %s\n", outcome(ret, err));
	ret = call(KCL_IOC_QUERY, kernel, &err);
	printf("query into a kernel address: %s\n", outcome(ret, err));
	ret = call(KCL_IOC_QUERY, readonly, &err);
	printf("query into a read-only page: %s\n", outcome(ret, err));
	ret = call(KCL_IOC_SET, null, &err);
	printf("set from NULL: %s\n", outcome(ret, err));
	ret = call(KCL_IOC_SET, kernel, &err);
	printf("set from a kernel address: %s\n", outcome(ret, err));
	ret = call(KCL_IOC_EXCHANGE, null, &err);
	printf("add with NULL: %s\n", outcome(ret, err));
	ret = call(KCL_IOC_EXCHANGE, kernel, &err);
	printf("add with a kernel address: %s\n", outcome(ret, err));
	ret = call(KCL_IOC_DUMP, null, &err);
	printf("dump into NULL: %s\n", outcome(ret, err));
	ret = call(KCL_IOC_DUMP, kernel, &err);
	printf("dump into a kernel address: %s\n", outcome(ret, err));
	munmap(readonly, sysconf(_SC_PAGESIZE));
}

/* EXCHANGE of add 5 from a read-only page: the new counter cannot go back */
static void op_readonly_add(void)
{
	struct kcl_ioctl_exchange xchg = { .add = 5 };
	void *readonly = readonly_page(&xchg, sizeof(xchg));
	int err, ret;

	ret = call(KCL_IOC_EXCHANGE, readonly, &err);
	printf("add 5 with a read-only page: %s\n", outcome(ret, err));
	munmap(readonly, sysconf(_SC_PAGESIZE));
}

static void op_snap(void)
{
	int err, ret = query(&snapshot, &err);

	if (ret) {
		printf("snap: query %s\n", outcome(ret, err));
		exit(1);
	}
	have_snapshot = 1;
}

static void op_same(void)
{
	struct kcl_ioctl_status now;
	int err, ret;

	if (!have_snapshot) {
		fprintf(stderr, "ioctest: same without snap\n");
		exit(2);
	}
	ret = query(&now, &err);
	if (ret) {
		printf("same: query %s\n", outcome(ret, err));
		exit(1);
	}
	if (!memcmp(&now, &snapshot, sizeof(now))) {
		printf("state: unchanged\n");
		return;
	}
	print_status("state changed, was", &snapshot);
	print_status("state changed, now", &now);
}

static void op_drop(void)
{
	if (setgroups(0, NULL) || setgid(USER_ID) || setuid(USER_ID)) {
		perror("ioctest: dropping privileges");
		exit(1);
	}
	if (getuid() != USER_ID || geteuid() != USER_ID) {
		fprintf(stderr, "ioctest: still uid %d\n", (int)geteuid());
		exit(1);
	}
	printf("dropped to uid %d, the device still open\n", USER_ID);
}

struct worker {
	pthread_t thread;
	uint64_t add;
	unsigned long rounds;
	char error[128];
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t last = 0;
	unsigned long i;

	for (i = 0; i < w->rounds; i++) {
		struct kcl_ioctl_exchange xchg = { .add = w->add };

		if (ioctl(fd, KCL_IOC_EXCHANGE, &xchg) < 0) {
			snprintf(w->error, sizeof(w->error),
				 "add %" PRIu64 ": %s", w->add,
				 strerror(errno));
			break;
		}
		if (xchg.counter < last + w->add) {
			snprintf(w->error, sizeof(w->error),
				 "add %" PRIu64 " gave counter %" PRIu64
				 " after %" PRIu64, w->add,
				 (uint64_t)xchg.counter, last);
			break;
		}
		last = xchg.counter;
	}
	return NULL;
}

static void op_threads(unsigned long count, unsigned long rounds)
{
	static struct worker workers[MAX_THREADS];
	struct kcl_ioctl_status status;
	uint64_t expected = 0;
	unsigned long t;
	int err, ret, failed = 0;

	if (count < 1 || count > MAX_THREADS) {
		fprintf(stderr, "ioctest: 1 to %d threads\n", MAX_THREADS);
		exit(2);
	}
	for (t = 0; t < count; t++) {
		workers[t].add = t + 1;
		workers[t].rounds = rounds;
		workers[t].error[0] = '\0';
		expected += (t + 1) * (uint64_t)rounds;
	}
	for (t = 0; t < count; t++) {
		ret = pthread_create(&workers[t].thread, NULL, work,
				     &workers[t]);
		if (ret) {
			fprintf(stderr, "ioctest: pthread_create: %s\n",
				strerror(ret));
			exit(1);
		}
	}
	for (t = 0; t < count; t++) {
		pthread_join(workers[t].thread, NULL);
		if (workers[t].error[0]) {
			printf("thread %lu: %s\n", t, workers[t].error);
			failed = 1;
		}
	}
	ret = query(&status, &err);
	if (ret) {
		printf("threads: query %s\n", outcome(ret, err));
		return;
	}
	printf("threads: %lu x %lu adds, counter=%" PRIu64 " expected=%" PRIu64
	       "%s\n", count, rounds, (uint64_t)status.counter, expected,
	       failed ? " (a thread failed)" : "");
}

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Adds of n for as long as the test lets it: the other side of limits. A
 * refused add is the expected answer half the time, not an error.
 */
static void op_spin(uint64_t n)
{
	struct sigaction sa = { .sa_handler = on_stop };
	unsigned long added = 0, refused = 0;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	alarm(SPIN_SECONDS);
	while (!stop) {
		struct kcl_ioctl_exchange xchg = { .add = n };

		if (ioctl(fd, KCL_IOC_EXCHANGE, &xchg) == 0) {
			added++;
		} else if (errno == EINVAL) {
			refused++;
		} else if (errno != EINTR) {
			printf("spin %" PRIu64 ": %s\n", n,
			       outcome(-1, errno));
			exit(1);
		}
	}
	signal(SIGALRM, SIG_DFL);
	alarm(ALARM_SECONDS);
	printf("spin %" PRIu64 ": %lu added, %lu refused\n", n, added,
	       refused);
}

/*
 * The setter against spinners adding KCL_LIMIT_MAX: each round widens the
 * limit, lets the spinners add for a moment, and resets, which sets the
 * counter to 0 and the limit to KCL_LIMIT_DEFAULT under the lock in one go.
 * From then on every add of KCL_LIMIT_MAX must be refused: the counter
 * stays 0. An add that checked the limit before the reset and added after
 * it shows as a counter that moved.
 *
 * The setter runs at real-time priority on the CPU of a spinner. When the
 * setter waits for the lock behind that spinner, the spinner's unlock wakes
 * it, and the spinner gives up the CPU at its next chance: with the limit
 * checked outside the lock, that is between the check and the add, and the
 * setter's reset then comes in between.
 */
static void op_limits(unsigned long rounds)
{
	struct kcl_ioctl_config wide = { .limit = KCL_LIMIT_MAX };
	struct sched_param fifo = { .sched_priority = 1 }, other = { 0 };
	struct timespec pause = { 0, LIMITS_PAUSE_NS };
	struct kcl_ioctl_status status;
	unsigned long r;
	int i, err;

	if (sched_setscheduler(0, SCHED_FIFO, &fifo)) {
		printf("limits: sched_setscheduler: %s\n", strerror(errno));
		exit(1);
	}
	for (r = 1; r <= rounds; r++) {
		if (call(KCL_IOC_SET, &wide, &err)) {
			printf("limits: set: %s\n", outcome(-1, err));
			break;
		}
		nanosleep(&pause, NULL);
		if (call(KCL_IOC_RESET, NULL, &err)) {
			printf("limits: reset: %s\n", outcome(-1, err));
			break;
		}
		/* the setter sleeps: a spinner it stopped may go on */
		for (i = 0; i < LIMITS_QUERIES; i++) {
			nanosleep(&pause, NULL);
			if (query(&status, &err)) {
				printf("limits: query: %s\n", outcome(-1, err));
				break;
			}
			if (status.counter) {
				printf("limits: round %lu: counter %" PRIu64
				       " after a reset to limit %d: an add of %d went in\n",
				       r, (uint64_t)status.counter,
				       KCL_LIMIT_DEFAULT, KCL_LIMIT_MAX);
				break;
			}
		}
		if (i < LIMITS_QUERIES)
			break;
	}
	if (r > rounds)
		printf("limits: %lu rounds, no add of %d after a reset to limit %d\n",
		       rounds, KCL_LIMIT_MAX, KCL_LIMIT_DEFAULT);
	sched_setscheduler(0, SCHED_OTHER, &other);
}

static int usage(void)
{
	fprintf(stderr, "usage: ioctest [-d DEVICE] OP...  (see ioctest.c)\n");
	return 2;
}

static int number(const char *text, uint64_t *value)
{
	char *end;

	errno = 0;
	*value = strtoull(text, &end, 0);
	return errno || end == text || *end;
}

/* "name:a:b:c" -> name, and up to three numbers; returns how many, or -1 */
static int split(char *op, uint64_t *args)
{
	char *field = strchr(op, ':'), *next;
	int n = 0;

	if (!field)
		return 0;
	*field++ = '\0';
	for (;;) {
		next = strchr(field, ':');
		if (next)
			*next++ = '\0';
		if (n == 3 || number(field, &args[n++]))
			return -1;
		if (!next)
			return n;
		field = next;
	}
}

static int run(char *op)
{
	uint64_t args[3] = { 0, 0, 0 };
	int n = split(op, args);

	if (n < 0)
		return usage();
	if (!strcmp(op, "query") && n == 0)
		op_query();
	else if (!strcmp(op, "set") && (n == 2 || n == 3))
		op_set(args[0], args[1], args[2]);
	else if (!strcmp(op, "add") && n == 1)
		op_add(args[0]);
	else if (!strcmp(op, "reset") && n == 0)
		op_reset();
	else if (!strcmp(op, "dump") && n == 0)
		op_dump();
	else if (!strcmp(op, "unknown") && n == 0)
		op_unknown();
	else if (!strcmp(op, "enotty") && n == 0)
		op_enotty();
	else if (!strcmp(op, "efault") && n == 0)
		op_efault();
	else if (!strcmp(op, "readonly-add") && n == 0)
		op_readonly_add();
	else if (!strcmp(op, "snap") && n == 0)
		op_snap();
	else if (!strcmp(op, "same") && n == 0)
		op_same();
	else if (!strcmp(op, "drop") && n == 0)
		op_drop();
	else if (!strcmp(op, "threads") && n == 2)
		op_threads(args[0], args[1]);
	else if (!strcmp(op, "spin") && n == 1)
		op_spin(args[0]);
	else if (!strcmp(op, "limits") && n == 1)
		op_limits(args[0]);
	else
		return usage();
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *device = KCL_IOCTL_DEVICE;
	int i, opt, ret;

	alarm(ALARM_SECONDS);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "+d:")) != -1) {
		if (opt != 'd')
			return usage();
		device = optarg;
	}
	if (optind >= argc)
		return usage();

	fd = open(device, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		const char *name = errno_name(errno);

		printf("open %s: %s\n", device, name ? name : strerror(errno));
		return 1;
	}
	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "size:query")) {
			op_size("query", KCL_IOC_QUERY,
				sizeof(struct kcl_ioctl_status));
			continue;
		}
		if (!strcmp(argv[i], "size:dump")) {
			op_size("dump", KCL_IOC_DUMP,
				sizeof(struct kcl_ioctl_context));
			continue;
		}
		ret = run(argv[i]);
		if (ret)
			return ret;
	}
	close(fd);
	return 0;
}
