/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lab 04, the Oops exercise: what you read in the Oops.
 *
 * Load debugfs_lab with cause_an_oops=1, unload it, then read
 * /sys/kernel/debug/kcl_debugfs/threshold (see the lab README, task 11).
 * The reader is killed and the kernel log shows an Oops. Write here the
 * name of the function its "RIP:" line names: the text between
 * "RIP: 0010:" and the "+0x", e.g. "some_function" for
 * "RIP: 0010:some_function+0x5/0x20".
 *
 * debugfs_lab.c records it in the module (modinfo shows it as
 * oops_answer); the grader's Oops test compares it with the Oops its own
 * VM produces.
 */
#ifndef OOPS_ANSWER_H
#define OOPS_ANSWER_H

/* SOLUTION: TODO 11: the function named in the RIP line of the Oops */
#define OOPS_FAULTING_FUNCTION "debugfs_u32_get"
/* SKELETON: #define OOPS_FAULTING_FUNCTION "not_read_yet" */
/* END SOLUTION */

#endif /* OOPS_ANSWER_H */
