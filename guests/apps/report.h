/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_APPS_REPORT_H
#define IOPATH_GUEST_APPS_REPORT_H

/* JSON records every program prints the same way (apps/report.c). */
#include "rt/pci.h"

/* {"event":"boot","app":...,"loader":...,"ncpus":...,"mem":[...],...} */
void report_boot(const char *app);
/* {"event":"pci","bdf":"00:03.0","vendor":"0x8086",...,"bars":[...]} */
void report_pci(const struct pci_dev *d);

#endif
