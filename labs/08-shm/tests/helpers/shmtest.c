// SPDX-License-Identifier: GPL-2.0
/*
 * shmtest: what the lab 08 tests need done exactly: mappings that must
 * fail, accesses that must fault, a hostile consumer, a paced producer.
 * Every wait is bounded: a module that loses a wake-up makes the command
 * fail with a message, not hang. The device is /dev/kcl_shm.
 *
 *   shmtest blocked PID [SECONDS]
 *	wait until process PID sleeps in poll(2); prints "blocked in poll,
 *	state S" (S: interruptible sleep, D: not)
 *   shmtest exited PID [SECONDS]
 *	wait until process PID has ended; prints "exited"
 *   shmtest maps
 *	mmap(2) requests, each on a line: what was asked, and "ok" or the
 *	error (strerror)
 *   shmtest readonly
 *	the data pages: mmap with PROT_WRITE, mprotect to add it, a write
 *	through a read-only mapping; each on a line with its outcome
 *   shmtest grow
 *	mremap(2) that grows each mapping, and an access one byte past the
 *	end of each, each on a line with its outcome
 *   shmtest shared
 *	a tail written through one mapping of the control page is seen
 *	through another, and the area starts zeroed past the geometry
 *   shmtest check
 *	the records between tail and head, left in the ring: each one's seq
 *	is its position, its payload whole, its time not before the one
 *	before it; prints "N records, seq A to B: whole, in order"
 *   shmtest poke FIELD VALUE
 *	write VALUE into a field of the control page: head, tail, dropped,
 *	bad_tail, record_size, nr_records, data_offset or data_size
 *   shmtest poll MS
 *	one poll(2) for POLLIN, at most MS ms; prints "poll: timeout" or
 *	"poll:" and the bits of revents
 *   shmtest write TEXT
 *	one write(2) of TEXT's bytes; prints "wrote N" or "write: MESSAGE"
 *   shmtest read
 *	one read(2) of 64 bytes; prints "read N" or "read: MESSAGE"
 *   shmtest pump N SECONDS
 *	a producer that never makes the kernel drop: it asks for at most as
 *	many records as the ring has room for, until N were asked for;
 *	prints "asked for N records"
 *   shmtest hold
 *	maps the control page and the data pages, closes the file, prints
 *	"mapped, file closed"; on SIGUSR1 unmaps both and prints "unmapped";
 *	ends on SIGTERM (or after 60 s)
 *
 * Exit status: 0 when everything was as expected, 1 when not (with a line
 * saying what), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kcl-proc.h"
#include "kcl_shm.h"

#define DEVICE	"/dev/" KCL_SHM_NAME

static long page;

/* --- common --------------------------------------------------------------- */

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

static void usage(void)
{
	fprintf(stderr,
		"usage: shmtest blocked|exited PID [SECONDS]\n"
		"       shmtest maps|readonly|grow|shared|check|read\n"
		"       shmtest poke FIELD VALUE\n"
		"       shmtest poll MS\n"
		"       shmtest write TEXT\n"
		"       shmtest pump N SECONDS\n"
		"       shmtest hold\n");
	exit(2);
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long number(const char *text, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || end == text || value < min || value > max) {
		fprintf(stderr, "shmtest: bad number %s\n", text);
		exit(2);
	}
	return value;
}

static int open_device(void)
{
	int fd = open(DEVICE, O_RDWR);

	if (fd < 0)
		die("open %s: %s", DEVICE, strerror(errno));
	return fd;
}

static struct kcl_shm_ctrl *map_ctrl(int fd)
{
	void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap of the control page: %s", strerror(errno));
	return p;
}

static const struct kcl_shm_record *map_data(int fd,
					     const struct kcl_shm_ctrl *ctrl)
{
	void *p = mmap(NULL, ctrl->data_size, PROT_READ, MAP_SHARED, fd, page);

	if (p == MAP_FAILED)
		die("mmap of the data pages: %s", strerror(errno));
	return p;
}

/* --- the mapping rules ---------------------------------------------------- */

/* One mmap(2): "WHAT: ok" or "WHAT: MESSAGE"; unmapped again. */
static void try_map(int fd, const char *what, size_t len, int prot, int flags,
		    off_t offset)
{
	void *p = mmap(NULL, len, prot, flags, fd, offset);

	if (p == MAP_FAILED) {
		printf("%s: %s\n", what, strerror(errno));
		return;
	}
	printf("%s: ok\n", what);
	munmap(p, len);
}

static int cmd_maps(void)
{
	int fd = open_device();
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	size_t data = ctrl->data_size;
	int rw = PROT_READ | PROT_WRITE;

	try_map(fd, "control page, read-write", page, rw, MAP_SHARED, 0);
	try_map(fd, "control page, read-only", page, PROT_READ, MAP_SHARED, 0);
	try_map(fd, "control page, 2 pages", 2 * page, PROT_READ, MAP_SHARED, 0);
	try_map(fd, "control page, private", page, rw, MAP_PRIVATE, 0);
	try_map(fd, "data pages, all of them", data, PROT_READ, MAP_SHARED,
		page);
	try_map(fd, "data pages, the first one", page, PROT_READ, MAP_SHARED,
		page);
	try_map(fd, "data pages, one page more", data + page, PROT_READ,
		MAP_SHARED, page);
	try_map(fd, "data pages, private", data, PROT_READ, MAP_PRIVATE, page);
	try_map(fd, "offset 2 pages", page, PROT_READ, MAP_SHARED, 2 * page);
	try_map(fd, "offset past the area", page, PROT_READ, MAP_SHARED,
		(off_t)(data / page + 1) * page);
	return 0;
}

/*
 * Run access(p) in a child: "ok" when it returned, else the signal that
 * ended it.
 */
static const char *in_child(void (*access)(volatile char *), volatile char *p)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		access(p);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid: %s", strerror(errno));
	if (WIFEXITED(status))
		return "ok";
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		return "SIGSEGV";
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		return "SIGBUS";
	return "ended otherwise";
}

static void write_byte(volatile char *p)
{
	*p = 0x5a;
}

static void read_byte(volatile char *p)
{
	(void)*p;
}

static int cmd_readonly(void)
{
	int fd = open_device();
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	size_t data = ctrl->data_size;
	char *p;

	try_map(fd, "data pages, read-write", data, PROT_READ | PROT_WRITE,
		MAP_SHARED, page);
	try_map(fd, "data pages, write-only", data, PROT_WRITE, MAP_SHARED,
		page);
	p = mmap(NULL, data, PROT_READ, MAP_SHARED, fd, page);
	if (p == MAP_FAILED)
		die("mmap of the data pages: %s", strerror(errno));
	printf("mprotect of the data pages to read-write: %s\n",
	       mprotect(p, data, PROT_READ | PROT_WRITE) ? strerror(errno) :
	       "ok");
	printf("a write into the data pages: %s\n",
	       in_child(write_byte, p + data - 1));
	printf("a read of the data pages: %s\n", in_child(read_byte, p));
	return 0;
}

/*
 * Map len bytes of the device at offset, with a page of nothing after
 * them (PROT_NONE): whatever comes after the mapping is not the area.
 */
static char *map_guarded(int fd, size_t len, off_t offset)
{
	char *p = mmap(NULL, len + page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED ||
	    mmap(p, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, offset) !=
	    (void *)p)
		die("mmap: %s", strerror(errno));
	return p;
}

static int cmd_grow(void)
{
	int fd = open_device();
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	size_t data = ctrl->data_size;
	char *c = map_guarded(fd, page, 0), *d = map_guarded(fd, data, page);
	char *q;

	q = mremap(c, page, 2 * page, MREMAP_MAYMOVE);
	printf("mremap of the control page to 2 pages: %s\n",
	       q == MAP_FAILED ? strerror(errno) : "ok");
	q = mremap(d, data, data + page, MREMAP_MAYMOVE);
	printf("mremap of the data pages to one page more: %s\n",
	       q == MAP_FAILED ? strerror(errno) : "ok");
	if (q != MAP_FAILED)
		printf("a read in the page it grew by: %s\n",
		       in_child(read_byte, q + data));
	printf("a read one byte past the control page: %s\n",
	       in_child(read_byte, c + page));
	printf("a read one byte past the data pages: %s\n",
	       in_child(read_byte, d + data));
	return 0;
}

static int cmd_shared(void)
{
	int fd = open_device();
	struct kcl_shm_ctrl *a = map_ctrl(fd), *b = map_ctrl(fd);
	const unsigned char *bytes = (const unsigned char *)a;
	size_t i, nonzero = 0;

	for (i = offsetof(struct kcl_shm_ctrl, data_size) + 4; i < (size_t)page;
	     i++)
		nonzero += bytes[i] != 0;
	printf("bytes of the control page past the geometry that are not 0: %zu\n",
	       nonzero);
	__atomic_store_n(&a->tail, 0, __ATOMIC_RELEASE);
	printf("tail through one mapping, then the other: %" PRIu64 " %" PRIu64
	       "\n", (uint64_t)__atomic_load_n(&a->tail, __ATOMIC_ACQUIRE),
	       (uint64_t)__atomic_load_n(&b->tail, __ATOMIC_ACQUIRE));
	return 0;
}

/* --- the ring ------------------------------------------------------------- */

static int cmd_check(void)
{
	int fd = open_device();
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	const struct kcl_shm_record *records = map_data(fd, ctrl);
	uint64_t head = __atomic_load_n(&ctrl->head, __ATOMIC_ACQUIRE);
	uint64_t tail = __atomic_load_n(&ctrl->tail, __ATOMIC_RELAXED);
	uint64_t prev_time = 0, pos;
	uint32_t nr = ctrl->nr_records;
	int i;

	if (ctrl->record_size != sizeof(struct kcl_shm_record))
		die("record_size is %u, not %zu", ctrl->record_size,
		    sizeof(struct kcl_shm_record));
	if (head - tail > nr)
		die("head %" PRIu64 ", tail %" PRIu64 ": more than %u records",
		    head, tail, nr);
	for (pos = tail; pos != head; pos++) {
		const struct kcl_shm_record *rec = &records[pos % nr];

		if (rec->seq != pos)
			die("slot %" PRIu64 " holds seq %" PRIu64 ", not %" PRIu64,
			    pos % nr, (uint64_t)rec->seq, pos);
		for (i = 0; i < KCL_SHM_PAYLOAD; i++)
			if (rec->payload[i] != ((pos + i) & 0xff))
				die("record %" PRIu64 ": payload byte %d is %u, not %u",
				    pos, i, rec->payload[i],
				    (unsigned int)((pos + i) & 0xff));
		if (!rec->time_ns || rec->time_ns < prev_time)
			die("record %" PRIu64 ": time %" PRIu64 " after %" PRIu64,
			    pos, (uint64_t)rec->time_ns, prev_time);
		prev_time = rec->time_ns;
	}
	printf("%" PRIu64 " records, seq %" PRIu64 " to %" PRIu64
	       ": whole, in order\n", head - tail, tail, head - 1);
	return 0;
}

static int cmd_poke(const char *field, const char *text)
{
	int fd = open_device();
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	unsigned long long value;
	char *end;

	errno = 0;
	value = strtoull(text, &end, 0);
	if (errno || *end || end == text)
		usage();
	if (!strcmp(field, "head"))
		__atomic_store_n(&ctrl->head, value, __ATOMIC_RELEASE);
	else if (!strcmp(field, "tail"))
		__atomic_store_n(&ctrl->tail, value, __ATOMIC_RELEASE);
	else if (!strcmp(field, "dropped"))
		ctrl->dropped = value;
	else if (!strcmp(field, "bad_tail"))
		ctrl->bad_tail = value;
	else if (!strcmp(field, "record_size"))
		ctrl->record_size = value;
	else if (!strcmp(field, "nr_records"))
		ctrl->nr_records = value;
	else if (!strcmp(field, "data_offset"))
		ctrl->data_offset = value;
	else if (!strcmp(field, "data_size"))
		ctrl->data_size = value;
	else
		usage();
	return 0;
}

static int cmd_poll(int ms)
{
	static const struct {
		short bit;
		const char *name;
	} bits[] = {
		{ POLLIN, "POLLIN" }, { POLLPRI, "POLLPRI" },
		{ POLLOUT, "POLLOUT" }, { POLLERR, "POLLERR" },
		{ POLLHUP, "POLLHUP" }, { POLLNVAL, "POLLNVAL" },
		{ POLLRDNORM, "POLLRDNORM" },
	};
	struct pollfd pfd = { .fd = open_device(), .events = POLLIN | POLLRDNORM };
	size_t i;
	int ret;

	ret = poll(&pfd, 1, ms);
	if (ret < 0)
		die("poll: %s", strerror(errno));
	if (!ret) {
		printf("poll: timeout\n");
		return 0;
	}
	printf("poll:");
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (pfd.revents & bits[i].bit)
			printf(" %s", bits[i].name);
	printf("\n");
	return 0;
}

static int cmd_write(const char *text)
{
	int fd = open_device();
	ssize_t n = write(fd, text, strlen(text));

	if (n < 0)
		printf("write: %s\n", strerror(errno));
	else
		printf("wrote %zd\n", n);
	return 0;
}

static int cmd_read(void)
{
	int fd = open_device();
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		printf("read: %s\n", strerror(errno));
	else
		printf("read %zd\n", n);
	return 0;
}

static int cmd_pump(long total, double seconds)
{
	int fd = open_device();
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	uint32_t nr = ctrl->nr_records;
	double end = proc_now() + seconds;
	long asked = 0;
	char text[32];

	while (asked < total) {
		uint64_t tail = __atomic_load_n(&ctrl->tail, __ATOMIC_ACQUIRE);
		uint64_t head = __atomic_load_n(&ctrl->head, __ATOMIC_ACQUIRE);
		long room = nr - (long)(head - tail), n;
		int len;

		if (proc_now() > end)
			die("pump: asked for %ld of %ld records in %.0f s", asked,
			    total, seconds);
		/* wait for room for a quarter of the ring, or the rest */
		if (room < (long)nr / 4 && room < total - asked) {
			sleep_us(200);
			continue;
		}
		n = room < total - asked ? room : total - asked;
		len = snprintf(text, sizeof(text), "%ld", n);
		if (write(fd, text, len) != len)
			die("pump: write: %s", strerror(errno));
		asked += n;
	}
	printf("asked for %ld records\n", asked);
	return 0;
}

static volatile sig_atomic_t got_usr1, got_term;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static int cmd_hold(void)
{
	int fd = open_device();
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	const struct kcl_shm_record *records = map_data(fd, ctrl);
	size_t data = ctrl->data_size;
	struct sigaction sa = { .sa_handler = on_signal };
	double end = proc_now() + 60;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	close(fd);
	printf("mapped, file closed\n");
	fflush(stdout);
	while (!got_usr1 && !got_term && proc_now() < end)
		sleep_us(10000);
	if (got_usr1) {
		munmap((void *)records, data);
		munmap(ctrl, page);
		printf("unmapped\n");
		fflush(stdout);
	}
	while (!got_term && proc_now() < end)
		sleep_us(10000);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "blocked") && (argc == 3 || argc == 4))
		return proc_report_blocked(number(argv[2], 1, 1 << 30), "poll",
					   argc == 4 ?
					   number(argv[3], 1, 3600) : 10);
	if (!strcmp(argv[1], "exited") && (argc == 3 || argc == 4))
		return proc_report_exited(number(argv[2], 1, 1 << 30),
					  argc == 4 ?
					  number(argv[3], 1, 3600) : 10);
	if (!strcmp(argv[1], "maps") && argc == 2)
		return cmd_maps();
	if (!strcmp(argv[1], "readonly") && argc == 2)
		return cmd_readonly();
	if (!strcmp(argv[1], "grow") && argc == 2)
		return cmd_grow();
	if (!strcmp(argv[1], "shared") && argc == 2)
		return cmd_shared();
	if (!strcmp(argv[1], "check") && argc == 2)
		return cmd_check();
	if (!strcmp(argv[1], "poke") && argc == 4)
		return cmd_poke(argv[2], argv[3]);
	if (!strcmp(argv[1], "poll") && argc == 3)
		return cmd_poll(number(argv[2], -1, 3600000));
	if (!strcmp(argv[1], "write") && argc == 3)
		return cmd_write(argv[2]);
	if (!strcmp(argv[1], "read") && argc == 2)
		return cmd_read();
	if (!strcmp(argv[1], "pump") && argc == 4)
		return cmd_pump(number(argv[2], 1, 100000000),
				number(argv[3], 1, 3600));
	if (!strcmp(argv[1], "hold") && argc == 2)
		return cmd_hold();
	usage();
	return 2;
}
