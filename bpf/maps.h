/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The pinned maps, declared once for every program: libbpf pins them by
 * name under the pin dir and each later load reuses the pinned ones, so the
 * tc programs and the sweep iterator see the same fence table. */
#ifndef PF_MAPS_H
#define PF_MAPS_H

#include "portfence.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct pf_portal_key);
	__type(value, struct pf_policy);
	__uint(max_entries, PF_MAX_PORTALS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} portals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct pf_counters);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u64);
	__type(value, struct pf_counters);
	__uint(max_entries, PF_MAX_PORTALS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} portal_stats SEC(".maps");

/* Interfaces "portfence load" selected, so "block" can attach to the ones
 * that appeared since; user space only, kept in the kernel with the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct pf_device_key);
	__type(value, __u32);
	__uint(max_entries, PF_MAX_DEVICES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} devices SEC(".maps");

/* Which pin dir loaded the programs (user space only; bound to them). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pf_owner);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} owner SEC(".maps");

/* PF_LAYOUT_VERSION of the maps pinned with it (user space only; bound). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pf_layout);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} layout SEC(".maps");

/* Peers that knocked on a fenced portal, for "unblock" to wake them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct pf_knock_key);
	__type(value, struct pf_knock);
	__uint(max_entries, PF_MAX_KNOCKS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} knocks SEC(".maps");

/* The failover timeline of the entries unblock removed (struct pf_lifted). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct pf_portal_key);
	__type(value, struct pf_lifted);
	__uint(max_entries, PF_MAX_PORTALS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lifted SEC(".maps");

/* Counters the CLI keeps (peers woken): user space maps it and adds
 * atomically, so concurrent commands never lose a count. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pf_cli_counters);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cli_stats SEC(".maps");

static __always_inline struct pf_policy *
portal_lookup(__u8 proto, __u8 family, const __be32 *addr, __be16 port)
{
	struct pf_portal_key key = {};

	pf_endpoint_key_fill(&key, proto, family, addr, port);
	return bpf_map_lookup_elem(&portals, &key);
}

/* Per-CPU counters, global and per portal: plain additions are safe. */
#define PF_COUNT_ADD(policy, field, n)					\
	do {								\
		__u32 __zero = 0;					\
		struct pf_counters *__c;				\
		__c = bpf_map_lookup_elem(&stats, &__zero);		\
		if (__c)						\
			__c->field += (n);				\
		__c = bpf_map_lookup_elem(&portal_stats,		\
					  &(policy)->counters_id);	\
		if (__c)						\
			__c->field += (n);				\
	} while (0)
#define PF_COUNT(policy, field)	PF_COUNT_ADD(policy, field, 1)

#endif /* PF_MAPS_H */
