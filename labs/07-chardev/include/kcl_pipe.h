/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcl_pipe.h - what the lab 07 module (chardev_lab) and its client
 * (pipetool) agree on. It is part of the kit: the grader builds both with
 * this copy, so do not change it in your submission.
 */
#ifndef KCL_PIPE_H
#define KCL_PIPE_H

/* The devices: /dev/kcl_pipe0, /dev/kcl_pipe1, ... */
#define KCL_PIPE_NAME		"kcl_pipe"
#define KCL_PIPE_COUNT		2

/* Bytes in each pipe's buffer (the module parameter fifo_size). */
#define KCL_FIFO_DEFAULT	4096
#define KCL_FIFO_MIN		16
#define KCL_FIFO_MAX		65536

/* The largest read pipetool makes in one call. */
#define KCL_READ_MAX		65536

#endif /* KCL_PIPE_H */
