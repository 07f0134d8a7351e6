// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What the running kernel offers the fence. */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "pins.h"
#include "portfence.h"
#include "probes.h"
#include "sockdiag.h"
#include "state.h"

const char *pf_missing_feature(void)
{
	static const struct { enum bpf_func_id id; const char *name; } helpers[] = {
		{ BPF_FUNC_skb_load_bytes, "bpf_skb_load_bytes" },
		{ BPF_FUNC_skb_pull_data, "bpf_skb_pull_data" },
		{ BPF_FUNC_skb_store_bytes, "bpf_skb_store_bytes" },
		{ BPF_FUNC_skb_change_tail, "bpf_skb_change_tail" },
		{ BPF_FUNC_csum_diff, "bpf_csum_diff" },
		{ BPF_FUNC_redirect, "bpf_redirect" },
		{ BPF_FUNC_clone_redirect, "bpf_clone_redirect" },
	};
	size_t i;

	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS, NULL) != 1)
		return "tc BPF programs (BPF_PROG_TYPE_SCHED_CLS)";
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_LPM_TRIE, NULL) != 1)
		return "BPF LPM trie maps";
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_PERCPU_HASH, NULL) != 1)
		return "BPF per-CPU hash maps";
	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS, helpers[i].id, NULL) != 1)
			return helpers[i].name;
	return NULL;
}

bool pf_kernel_has_func(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}
const char *pf_sweep_mechanism(struct pf_state *st)
{
	if (pf_pin_exists(st->pin_dir, PF_PIN_PROG_SWEEP))
		return "bpf_sock_destroy";
	if (pf_diag_destroy_supported())
		return "sock_diag";
	return "egress-reset";
}
