/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcl_shm.h - what the lab 08 module (shm_lab) and its client (shmtool)
 * agree on: the device, the layout of the shared control page and of a
 * record. It is part of the kit: the grader builds both with this copy, so
 * do not change it in your submission.
 *
 * The shared area is pages pages of PAGE_SIZE (4096) bytes:
 *
 *   mmap offset 0           the control page, struct kcl_shm_ctrl,
 *                           mapped read-write
 *   mmap offset PAGE_SIZE   the data pages, (pages - 1) of them, an array
 *                           of nr_records struct kcl_shm_record, mapped
 *                           read-only
 *
 * head and tail count records since the module was loaded; they never
 * wrap (64 bits). The record of position p is in slot p % nr_records, and
 * its seq is p. The ring holds head - tail records: it is empty when
 * head == tail, full when head - tail == nr_records.
 */
#ifndef KCL_SHM_H
#define KCL_SHM_H

#include <linux/types.h>

/* The device: /dev/kcl_shm */
#define KCL_SHM_NAME		"kcl_shm"

/* The module parameter pages: the control page and the data pages. */
#define KCL_SHM_PAGES_DEFAULT	4
#define KCL_SHM_PAGES_MIN	2
#define KCL_SHM_PAGES_MAX	64

/* The module parameter rate_hz: records a second from a timer, 0: none. */
#define KCL_SHM_RATE_MAX	1000

/* The largest count one write(2) may ask for. */
#define KCL_SHM_PRODUCE_MAX	100000

/* One record: 64 bytes, 64 in a page. */
#define KCL_SHM_PAYLOAD		48
struct kcl_shm_record {
	__u64 seq;			/* its position: 0, 1, 2, ... */
	__u64 time_ns;			/* ktime_get_ns() when it was made */
	__u8 payload[KCL_SHM_PAYLOAD];	/* byte i is (seq + i) & 0xff */
};

/*
 * The control page. The kernel writes every field but tail; user space
 * writes tail only. The kernel keeps its own copy of everything it
 * writes here and never reads those back: user space may scribble on
 * them, it only misleads itself.
 */
struct kcl_shm_ctrl {
	__u64 head;		/* records produced (stored in the ring) */
	__u64 dropped;		/* records dropped: the ring was full */
	__u64 bad_tail;		/* records dropped: tail was refused */
	__u32 record_size;	/* sizeof(struct kcl_shm_record) */
	__u32 nr_records;	/* slots in the ring */
	__u32 data_offset;	/* mmap offset of the data pages */
	__u32 data_size;	/* bytes of the data pages */
	/* written by user space: records consumed; on a cache line of its own */
	__u64 tail __attribute__((aligned(64)));
};

#endif /* KCL_SHM_H */
