// SPDX-License-Identifier: GPL-2.0
/*
 * sysinfo.c - what this machine is and offers, collected into one object
 * (see sysinfo.h); kconfig.c reads the kernel config and sysinfo_print.c
 * prints the object.  Read-only: nothing here writes a knob.  The one
 * side effect is counters_tracefs(), which may mount tracefs in this
 * process's private mount namespace to probe tracepoints.
 */
#include "sysinfo.h"

#include "counters.h"
#include "kconfig.h"
#include "placement.h"

#include <dirent.h>
#include <errno.h>
#include <liburing.h>
#include <linux/membarrier.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <asm/kvm_para.h>
#include <cpuid.h>
#define SI_HAVE_CPUID 1
#endif

#define SI_VAL_LEN 256      /* one sysfs/proc value */
#define SI_WHY_LEN 160
#define SI_IO_URING_ENTRIES 2
#define SI_CPU_DIR "/sys/devices/system/cpu/"
#define SI_DAMON_DIR "/sys/kernel/mm/damon/admin/kdamonds"
/* MEMBARRIER_CMD_GET_REGISTRATIONS is newer than Debian 12's headers. */
#define SI_MEMBARRIER_GET_REGISTRATIONS (1 << 9)

static const char *const si_cmdline_keys[] = {
	"nohz_full", "isolcpus", "rcu_nocbs", "preempt", "transparent_hugepage",
};

static const char *const si_cpu_flags[] = {
	"hypervisor", "pcid", "invpcid", "invlpgb", "la57", "pti", "x2apic",
};

#define SI_THP "/sys/kernel/mm/transparent_hugepage/"
static const struct { const char *name, *path; } si_knobs[] = {
	{ "thp_enabled", SI_THP "enabled" },
	{ "thp_defrag", SI_THP "defrag" },
	{ "khugepaged_scan_sleep_ms",
	  SI_THP "khugepaged/scan_sleep_millisecs" },
	{ "khugepaged_pages_to_scan", SI_THP "khugepaged/pages_to_scan" },
	{ "ksm_run", "/sys/kernel/mm/ksm/run" },
	{ "rcu_expedited", "/sys/kernel/rcu_expedited" },
	{ "rcu_normal", "/sys/kernel/rcu_normal" },
	{ "nr_hugepages", "/proc/sys/vm/nr_hugepages" },
	{ "randomize_va_space", "/proc/sys/kernel/randomize_va_space" },
};

static const char *const si_perf_specs[] = {
	"hw:cycles", "hw:instructions", "sw:context-switches", "sw:task-clock",
	"tp:ipi:ipi_send_cpu", "tp:ipi:ipi_send_cpumask", "tp:tlb:tlb_flush",
	"tp:mmap_lock:mmap_lock_start_locking",
	"tp:huge_memory:mm_collapse_huge_page",
};

static const char *const si_irq_rows[] = { "CAL", "TLB" };

#define SI_MB(cmd) { MEMBARRIER_CMD_##cmd, #cmd }
static const struct { int bit; const char *name; } si_membarrier_cmds[] = {
	SI_MB(GLOBAL), SI_MB(GLOBAL_EXPEDITED),
	SI_MB(REGISTER_GLOBAL_EXPEDITED),
	SI_MB(PRIVATE_EXPEDITED), SI_MB(REGISTER_PRIVATE_EXPEDITED),
	SI_MB(PRIVATE_EXPEDITED_SYNC_CORE),
	SI_MB(REGISTER_PRIVATE_EXPEDITED_SYNC_CORE),
	SI_MB(PRIVATE_EXPEDITED_RSEQ), SI_MB(REGISTER_PRIVATE_EXPEDITED_RSEQ),
	{ SI_MEMBARRIER_GET_REGISTRATIONS, "GET_REGISTRATIONS" },
};

#define SI_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- small helpers ---------------------------------------------------- */

/* First line of a small file, newline stripped; "a [b] c" resolves to "b". */
static int si_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *l, *r;

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r) {
		*r = '\0';
		memmove(buf, l + 1, (size_t)(r - l));
	}
	return 0;
}

static json_t *si_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *si_feature(bool ok, const char *why)
{
	json_t *o = json_pack("{s:b}", "available", ok);

	if (!ok)
		json_object_set_new(o, "why", json_string(why));
	return o;
}

/* ---- kernel config ---------------------------------------------------- */

static json_t *si_config(void)
{
	json_t *o = kconfig_json();
	char live[SI_VAL_LEN];

	/* With PREEMPT_DYNAMIC the boot/runtime model may differ; debugfs
	 * shows it when mounted ("none (voluntary) full lazy"). */
	if (json_is_string(json_object_get(o, "source")) &&
	    si_read("/sys/kernel/debug/sched/preempt", live, sizeof(live)) == 0)
		json_object_set_new(o, "preempt_live", json_string(live));
	return o;
}

/* ---- cmdline, cpu, memory --------------------------------------------- */

static json_t *si_cmdline(void)
{
	char line[4096], *save = NULL, cpus[SI_VAL_LEN];
	json_t *o = json_object();
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f || !fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (f)
		fclose(f);
	line[strcspn(line, "\n")] = '\0';
	json_object_set_new(o, "line", json_string(line));
	for (size_t i = 0; i < SI_LEN(si_cmdline_keys); i++)
		json_object_set_new(o, si_cmdline_keys[i], json_null());
	for (char *t = strtok_r(line, " ", &save); t && strcmp(t, "--");
	     t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');

		if (!eq)
			continue;
		*eq = '\0';
		if (json_object_get(o, t) && strcmp(t, "line"))
			json_object_set_new(o, t, json_string(eq + 1));
	}
	/* What the kernel made of it. */
	if (si_read(SI_CPU_DIR "nohz_full", cpus, sizeof(cpus)) == 0)
		json_object_set_new(o, "nohz_full_cpus", json_string(
			strcmp(cpus, "(null)") ? cpus : ""));
	if (si_read(SI_CPU_DIR "isolated", cpus, sizeof(cpus)) == 0)
		json_object_set_new(o, "isolated_cpus", json_string(cpus));
	return o;
}

#ifdef SI_HAVE_CPUID
static void si_set_bool(json_t *o, const char *key, bool v)
{
	json_object_set_new(o, key, json_boolean(v));
}

static const struct { const char *sig, *name; } si_hv_sigs[] = {
	{ "KVMKVMKVM", "KVM" }, { "Microsoft Hv", "Hyper-V" },
	{ "VMwareVMware", "VMware" }, { "XenVMMXenVMM", "Xen" },
	{ "TCGTCGTCGTCG", "TCG" }, { "bhyve bhyve ", "bhyve" },
	{ "ACRNACRNACRN", "ACRN" },
};

/* Hypervisor leaf signature; KVM's PV features matter for IPI/TLB cost:
 * with PV TLB flush a preempted vCPU's flush is deferred, not IPI'd. */
static const char *si_cpuid_hypervisor(json_t *cpu)
{
	unsigned int a, b, c, d;
	char sig[13];

	__cpuid(KVM_CPUID_SIGNATURE, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (size_t i = 0; i < SI_LEN(si_hv_sigs); i++) {
		if (strcmp(sig, si_hv_sigs[i].sig))
			continue;
		if (i == 0 && a >= KVM_CPUID_FEATURES) {
			unsigned int kf;

			__cpuid(KVM_CPUID_FEATURES, kf, b, c, d);
			si_set_bool(cpu, "kvm_pv_tlb_flush",
				    kf & (1u << KVM_FEATURE_PV_TLB_FLUSH));
			si_set_bool(cpu, "kvm_pv_send_ipi",
				    kf & (1u << KVM_FEATURE_PV_SEND_IPI));
		}
		return si_hv_sigs[i].name;
	}
	return "unknown";
}
#endif

/*
 * Remote TLB flushes done by the hypervisor, not by IPIs, in the kernel's
 * own words (its log): PVM's paravirtual flush ("pvm-pv: running under
 * PVM"), Hyper-V's hypercall flush.  KVM's PV TLB flush is not one: it
 * still IPIs running vCPUs and defers only preempted ones (the CPUID
 * feature kvm_pv_tlb_flush says so).  Nothing found (or no log): false.
 */
static const char *const si_hv_flush_lines[] = {
	"pvm-pv: running under PVM",
	"Hyper-V: Using hypercall for remote TLB flush",
	NULL,
};

bool sysinfo_hv_tlb_flush(char *why, size_t len)
{
	static int known = -1;
	static char said[SI_VAL_LEN];

	if (known < 0) {
		int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
		char *buf = n > 0 ? malloc((size_t)n + 1) : NULL;

		known = 0;
		if (buf && (n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n)) > 0) {
			buf[n] = '\0';
			for (int i = 0; si_hv_flush_lines[i] && !known; i++)
				if (strstr(buf, si_hv_flush_lines[i])) {
					known = 1;
					snprintf(said, sizeof(said), "kernel log: %s",
						 si_hv_flush_lines[i]);
				}
		}
		free(buf);
	}
	if (known)
		snprintf(why, len, "%s", said);
	return known == 1;
}

static void si_cpu_hypervisor(json_t *cpu, bool flag)
{
	char type[SI_VAL_LEN];
	const char *hv = NULL;

	if (si_read("/sys/hypervisor/type", type, sizeof(type)) == 0 && type[0])
		hv = type;
#ifdef SI_HAVE_CPUID
	else if (flag)
		hv = si_cpuid_hypervisor(cpu);
#else
	else if (flag)
		hv = "unknown";
#endif
	json_object_set_new(cpu, "hypervisor", si_str_or_null(hv));
}

/* Value of "key<tabs>: value" from the first processor block. */
static void si_cpuinfo_field(const char *line, const char *key, char *out,
			     size_t len)
{
	size_t kl = strlen(key);
	const char *colon = strchr(line, ':');

	if (!out[0] && colon && strncmp(line, key, kl) == 0 &&
	    strspn(line + kl, " \t") == (size_t)(colon - line - kl))
		snprintf(out, len, "%s", colon + 1 + strspn(colon + 1, " "));
}

/* Is word a whole word of the space-padded list " a b c "? */
static bool si_has_word(const char *padded, const char *word)
{
	char w[SI_VAL_LEN];

	snprintf(w, sizeof(w), " %s ", word);
	return strstr(padded, w) != NULL;
}

static json_t *si_cpu(void)
{
	char line[8192], model[SI_VAL_LEN] = "", vendor[SI_VAL_LEN] = "";
	char flags[sizeof(line)] = " ";
	json_t *o = json_object(), *fl = json_array();
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f) && line[0] != '\n') {
		line[strcspn(line, "\n")] = '\0';
		si_cpuinfo_field(line, "model name", model, sizeof(model));
		si_cpuinfo_field(line, "vendor_id", vendor, sizeof(vendor));
		si_cpuinfo_field(line, "flags", flags + 1, sizeof(flags) - 2);
	}
	if (f)
		fclose(f);
	strcat(flags, " ");
	for (size_t i = 0; i < SI_LEN(si_cpu_flags); i++)
		if (si_has_word(flags, si_cpu_flags[i]))
			json_array_append_new(fl, json_string(si_cpu_flags[i]));
	json_object_set_new(o, "model", model[0] ? json_string(model)
						  : json_null());
	json_object_set_new(o, "vendor", vendor[0] ? json_string(vendor)
						    : json_null());
	json_object_set_new(o, "flags", fl);
	si_cpu_hypervisor(o, si_has_word(flags, "hypervisor"));
	{
		char why[SI_VAL_LEN];

		json_object_set_new(o, "tlb_flush_by_hypervisor",
				    sysinfo_hv_tlb_flush(why, sizeof(why)) ?
				    json_string(why) : json_null());
	}
	return o;
}

static json_t *si_memory(void)
{
	char line[SI_VAL_LEN];
	unsigned long long kib = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return json_pack("{s:I}", "total_kib", (json_int_t)kib);
}

static json_t *si_topology(void)
{
	char err[SI_WHY_LEN], desc[SI_VAL_LEN], syn[SI_VAL_LEN];
	struct topo *t;
	json_t *o;

	if (topo_open(NULL, &t, err, sizeof(err)) != 0)
		return si_feature(false, err);
	topo_describe(t, desc, sizeof(desc));
	topo_synthetic_string(t, syn, sizeof(syn));
	o = json_pack("{s:b,s:s,s:s,s:i,s:i}", "available", 1,
		      "description", desc, "synthetic", syn,
		      "pus", (int)topo_count(t, PLACE_UNIT_PU),
		      "cores", (int)topo_count(t, PLACE_UNIT_CORE));
	topo_close(t);
	return o;
}

/* ---- knobs, daemons --------------------------------------------------- */

static json_t *si_knobs_obj(void)
{
	json_t *o = json_object();
	char v[SI_VAL_LEN];

	for (size_t i = 0; i < SI_LEN(si_knobs); i++)
		json_object_set_new(o, si_knobs[i].name,
				    si_read(si_knobs[i].path, v, sizeof(v)) == 0
					    ? json_string(v) : json_null());
	return o;
}

/* pid of the first process whose comm is exactly comm, 0 if none. */
static long si_find_comm(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long pid = 0;

	while (d && !pid && (e = readdir(d))) {
		char path[64], c[SI_VAL_LEN];
		char *end;
		long p = strtol(e->d_name, &end, 10);

		if (*end || p <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", p);
		if (si_read(path, c, sizeof(c)) == 0 && strcmp(c, comm) == 0)
			pid = p;
	}
	if (d)
		closedir(d);
	return pid;
}

static json_t *si_damon(void)
{
	char path[SI_VAL_LEN], v[SI_VAL_LEN], why[SI_WHY_LEN];
	int n = 0, running = 0;

	if (si_read(SI_DAMON_DIR "/nr_kdamonds", v, sizeof(v)) != 0) {
		snprintf(why, sizeof(why), "%s/nr_kdamonds: %s", SI_DAMON_DIR,
			 strerror(errno));
		return si_feature(false, why);
	}
	n = atoi(v);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%d/state", SI_DAMON_DIR, i);
		if (si_read(path, v, sizeof(v)) == 0 && strcmp(v, "on") == 0)
			running++;
	}
	return json_pack("{s:b,s:i,s:i}", "available", 1, "kdamonds", n,
			 "running", running);
}

static json_t *si_daemons(void)
{
	long khp = si_find_comm("khugepaged"), ksmd = si_find_comm("ksmd");
	char run[SI_VAL_LEN];
	json_t *o = json_object();

	json_object_set_new(o, "damon", si_damon());
	json_object_set_new(o, "khugepaged", json_pack("{s:b,s:o}", "running",
		khp > 0, "pid", khp > 0 ? json_integer(khp) : json_null()));
	/* ksm/run: 0 stopped, 1 merging, 2 unmerging everything */
	json_object_set_new(o, "ksmd", json_pack("{s:o,s:o}", "pid",
		ksmd > 0 ? json_integer(ksmd) : json_null(), "run",
		si_read("/sys/kernel/mm/ksm/run", run, sizeof(run)) == 0 ?
			json_string(run) : json_null()));
	return o;
}

/* ---- perf, membarrier, io_uring --------------------------------------- */

static json_t *si_probe(const char *spec)
{
	char why[COUNTER_WHY_LEN];

	return si_feature(counter_probe(spec, why, sizeof(why)) == 1, why);
}

static json_t *si_perf(void)
{
	char v[SI_VAL_LEN];
	json_t *o = json_object();

	json_object_set_new(o, "paranoid", si_read(
		"/proc/sys/kernel/perf_event_paranoid", v, sizeof(v)) == 0 ?
		json_integer(atoi(v)) : json_null());
	for (size_t i = 0; i < SI_LEN(si_perf_specs); i++)
		json_object_set_new(o, si_perf_specs[i],
				    si_probe(si_perf_specs[i]));
	return o;
}

static json_t *si_interrupts(void)
{
	json_t *o = json_object();
	char spec[32];

	for (size_t i = 0; i < SI_LEN(si_irq_rows); i++) {
		snprintf(spec, sizeof(spec), "irq:%s", si_irq_rows[i]);
		json_object_set_new(o, si_irq_rows[i], si_probe(spec));
	}
	return o;
}

static json_t *si_membarrier(const json_t *cmdline)
{
	long mask = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	const char *nohz;
	char why[SI_WHY_LEN];
	json_t *o, *cmds;

	if (mask < 0) {
		snprintf(why, sizeof(why), "membarrier(CMD_QUERY): %s",
			 strerror(errno));
		return si_feature(false, why);
	}
	cmds = json_array();
	for (size_t i = 0; i < SI_LEN(si_membarrier_cmds); i++)
		if (mask & si_membarrier_cmds[i].bit)
			json_array_append_new(cmds,
				json_string(si_membarrier_cmds[i].name));
	o = json_pack("{s:b,s:o}", "available", 1, "commands", cmds);
	/* GLOBAL (synchronize_rcu) is withheld when nohz_full is active. */
	nohz = json_string_value(json_object_get(cmdline, "nohz_full_cpus"));
	if (!(mask & MEMBARRIER_CMD_GLOBAL) && nohz && nohz[0])
		json_object_set_new(o, "note", json_string(
			"GLOBAL not offered: nohz_full is set"));
	return o;
}

static json_t *si_io_uring(void)
{
	struct io_uring ring;
	char why[SI_WHY_LEN], dis[SI_VAL_LEN];
	bool has_dis = si_read("/proc/sys/kernel/io_uring_disabled", dis,
			       sizeof(dis)) == 0;
	int rc = io_uring_queue_init(SI_IO_URING_ENTRIES, &ring, 0);
	json_t *o;

	if (rc == 0)
		io_uring_queue_exit(&ring);
	snprintf(why, sizeof(why), "io_uring_setup(%d entries): %s",
		 SI_IO_URING_ENTRIES, strerror(-rc));
	o = si_feature(rc == 0, why);
	json_object_set_new(o, "io_uring_disabled",
			    has_dis ? json_string(dis) : json_null());
	return o;
}

/* ---- collect ---------------------------------------------------------- */

static json_t *si_kernel(void)
{
	struct utsname u;
	char why[SI_WHY_LEN];

	if (uname(&u) != 0) {
		snprintf(why, sizeof(why), "uname: %s", strerror(errno));
		return si_feature(false, why);
	}
	return json_pack("{s:s,s:s,s:s}", "release", u.release, "version",
			 u.version, "machine", u.machine);
}

json_t *sysinfo_collect(void)
{
	json_t *o = json_object();
	json_t *cmdline = si_cmdline();

	json_object_set_new(o, "kernel", si_kernel());
	json_object_set_new(o, "config", si_config());
	json_object_set_new(o, "cmdline", cmdline);
	json_object_set_new(o, "cpu", si_cpu());
	json_object_set_new(o, "topology", si_topology());
	json_object_set_new(o, "memory", si_memory());
	json_object_set_new(o, "knobs", si_knobs_obj());
	json_object_set_new(o, "daemons", si_daemons());
	json_object_set_new(o, "perf", si_perf());
	json_object_set_new(o, "interrupts", si_interrupts());
	json_object_set_new(o, "membarrier", si_membarrier(cmdline));
	json_object_set_new(o, "io_uring", si_io_uring());
	return o;
}

/* The info's own value; for an option it did not record, this machine's
 * config, but only when info describes this running kernel. */
const char *sysinfo_config(const json_t *info, const char *name)
{
	const json_t *cfg = json_object_get(info, "config");
	const char *rel = json_string_value(
		json_object_get(json_object_get(info, "kernel"), "release"));
	struct utsname u;

	if (strncmp(name, "CONFIG_", 7) == 0)
		name += 7;
	if (json_object_get(cfg, name))
		return json_string_value(json_object_get(cfg, name));
	if (!rel || uname(&u) != 0 || strcmp(rel, u.release))
		return NULL;
	return kconfig_get(name);
}
