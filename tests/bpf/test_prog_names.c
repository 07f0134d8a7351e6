// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The kernel knows each loaded tc program by the name portfence looks for
 * when it tells its own attached programs from another's (user/state.c,
 * user/attach.c): a renamed function in bpf/fence.bpf.c fails here, not
 * as a node whose fence goes unrecognised. */
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(prog_names, .init = fx_setup, .fini = fx_teardown);

Test(prog_names, each_hook_is_known_by_the_name_portfence_looks_for)
{
	static const char *const want[FX_HOOKS] = {
		PF_PROG_INGRESS, PF_PROG_EGRESS, PF_PROG_INGRESS, PF_PROG_EGRESS,
	};
	struct bpf_prog_info info;
	__u32 len;

	for (int h = 0; h < FX_HOOKS; h++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		cr_assert_eq(bpf_obj_get_info_by_fd(fx_prog_fd(h), &info, &len), 0);
		cr_assert_str_eq(info.name, want[h], "hook %d is named %s", h, info.name);
		cr_assert_eq(info.type, BPF_PROG_TYPE_SCHED_CLS);
	}
}
