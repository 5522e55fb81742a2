/* SPDX-License-Identifier: GPL-2.0 */
/*
 * variants_table.h - the two tables of `gupsync variants` (see
 * variants.h), each with its column groups, header, one line per row of
 * v and a legend saying what each column is: the benchmarks in user
 * space (ipi-broadcast, rcu-wait) and in the kernel (k-ipi, k-rcu).
 */
#ifndef GUPSYNC_VARIANTS_TABLE_H
#define GUPSYNC_VARIANTS_TABLE_H

#include <stdio.h>

#include "variants_load.h"

/* Filling v's notes as it looks the cells up. */
void vt_user_table(FILE *f, struct vt *v);
void vt_kernel_table(FILE *f, struct vt *v);

#endif
