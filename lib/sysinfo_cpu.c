// SPDX-License-Identifier: GPL-2.0
/*
 * sysinfo_cpu.c - the "cpu" object of sysinfo: model, vendor, the flags
 * that matter for IPI/TLB cost, the hypervisor (sysfs, then CPUID's
 * signature and KVM's PV features) and whether remote TLB flushes go
 * through the hypervisor (the kernel log).  Read-only.
 */
#include "sysinfo.h"
#include "sysinfo_priv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#if defined(__x86_64__) || defined(__i386__)
#include <asm/kvm_para.h>
#include <cpuid.h>
#define SI_HAVE_CPUID 1
#endif

static const char *const si_cpu_flags[] = {
	"hypervisor", "pcid", "invpcid", "invlpgb", "la57", "pti", "x2apic",
};

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

json_t *si_cpu(void)
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

