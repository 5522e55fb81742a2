// SPDX-License-Identifier: GPL-2.0
/*
 * sysinfo_print.c - a sysinfo object for people; see sysinfo_print.h.
 * Generic over the object: one line per member object, so a key added to
 * sysinfo_collect() shows up here without a change.
 */
#include "sysinfo_print.h"

#include "text.h"

#include <stdbool.h>
#include <string.h>

#define SI_COLS TEXT_WIDTH
#define SI_VAL_LEN 256      /* one head ("perf tp:ipi:ipi_send_cpu") */
#define SI_TEXT_LEN 2048    /* one printed paragraph */

#define SI_INDENT "#     "

/* "# head: text", wrapped at SI_COLS on spaces (a word longer than a
 * line, such as a path, stays whole). */
static void si_wrap(FILE *f, const char *head, const char *text)
{
	int col = fprintf(f, "# %s: ", head);

	text_wrap(f, col > 0 ? (size_t)col : 0, SI_INDENT, SI_COLS, text);
}

static const char *si_get(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *si_get_or(const json_t *o, const char *key,
			     const char *missing)
{
	return si_get(o, key) ? si_get(o, key) : missing;
}

/* A scalar or array as text: null "-", booleans yes/no, arrays "[a b]". */
static void si_cat_value(char *t, size_t len, const json_t *v)
{
	const json_t *e;
	size_t i;

	if (json_is_string(v))
		text_append(t, len,
			    strchr(json_string_value(v), ' ') ? "\"%s\"" : "%s",
			    json_string_value(v));
	else if (json_is_integer(v))
		text_append(t, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		text_append(t, len, "%s", json_is_true(v) ? "yes" : "no");
	else if (json_is_array(v)) {
		text_append(t, len, "[");
		json_array_foreach(v, i, e) {
			text_append(t, len, i ? " " : "");
			si_cat_value(t, len, e);
		}
		text_append(t, len, "]");
	} else
		text_append(t, len, "-");
}

/*
 * One line per object: "head: key=value ...", or for a feature
 * "head: available key=value ..." / "head: not available (why)".
 * Member objects (perf counters, daemons) follow, one line each.
 */
static void si_print_obj(FILE *f, const char *head, const json_t *o)
{
	const json_t *avail = json_object_get(o, "available");
	char t[SI_TEXT_LEN] = "", sub[SI_VAL_LEN];
	const char *key;
	json_t *v;

	if (avail && !json_is_true(avail)) {
		text_append(t, sizeof(t), "not available (%s)",
			    si_get_or(o, "why", "?"));
		si_wrap(f, head, t);
		return;
	}
	if (avail)
		text_append(t, sizeof(t), "available");
	json_object_foreach((json_t *)o, key, v) {
		if (v == avail || json_is_object(v))
			continue;
		text_append(t, sizeof(t), " %s=", key);
		si_cat_value(t, sizeof(t), v);
	}
	if (t[0])
		si_wrap(f, head, t);
	json_object_foreach((json_t *)o, key, v) {
		if (!json_is_object(v))
			continue;
		text_fmt(sub, sizeof(sub), "%s %s", head, key);
		si_print_obj(f, sub, v);
	}
}

void sysinfo_print(FILE *f, const json_t *info)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)info, key, v)
		si_print_obj(f, key, v);
}

/*
 * The machine in a line: "6.18.44 x86_64, AMD EPYC, 2 PUs, KVM guest"
 * (oneline), or with the paravirt features and the topology (full):
 * "6.18.44 x86_64, AMD EPYC, KVM guest (PV TLB flush, send-IPI); 1
 * package, ...".
 */
static void machine_text(const json_t *info, bool full, char *buf, size_t len)
{
	const json_t *k = json_object_get(info, "kernel");
	const json_t *cpu = json_object_get(info, "cpu");
	const json_t *topo = json_object_get(info, "topology");
	const json_t *tlb = json_object_get(cpu, "kvm_pv_tlb_flush");
	const json_t *ipi = json_object_get(cpu, "kvm_pv_send_ipi");
	const char *hv = si_get(cpu, "hypervisor");
	const char *desc = si_get(topo, "description");
	bool topo_ok = json_is_true(json_object_get(topo, "available"));

	buf[0] = '\0';
	text_append(buf, len, "%s %s, %s", si_get_or(k, "release", "?"),
		    si_get_or(k, "machine", "?"),
		    si_get_or(cpu, "model", "unknown CPU"));
	if (!full && topo_ok)
		text_append(buf, len, ", %lld PUs",
			    (long long)json_integer_value(
				    json_object_get(topo, "pus")));
	if (full && hv && json_is_true(tlb) && json_is_true(ipi))
		text_append(buf, len, ", %s guest (PV TLB flush, send-IPI)", hv);
	else if (full && hv && json_is_boolean(tlb))
		text_append(buf, len, ", %s guest (PV TLB flush %s, PV send-IPI "
			    "%s)", hv, json_is_true(tlb) ? "on" : "off",
			    json_is_true(ipi) ? "on" : "off");
	else if (hv)
		text_append(buf, len, ", %s guest", hv);
	else
		text_append(buf, len, ", bare metal");
	if (full && topo_ok && desc)
		text_append(buf, len, "; %s", desc);
}

void sysinfo_oneline(const json_t *info, char *buf, size_t len)
{
	machine_text(info, false, buf, len);
}

void sysinfo_machine(const json_t *info, char *buf, size_t len)
{
	machine_text(info, true, buf, len);
}
