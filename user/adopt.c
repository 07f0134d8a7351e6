// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Adopting the maps of programs still attached whose pins were lost. */
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "adopt.h"
#include "attach.h"
#include "load.h"
#include "pins.h"
#include "portfence.h"
#include "state.h"

__u32 pf_pinned_portals_id(const struct pf_state *st)
{
	return pf_map_id_close(pf_pin_open(st->pin_dir, PF_PIN_PORTALS));
}

/*
 * A pin dir without pins, in a namespace where portfence programs are
 * still attached: their pins were lost (bpffs unmounted, files removed),
 * and the fence they hold is in force. Loading afresh would replace them
 * and silently lift every fence; instead their maps are pinned here again,
 * so the load that follows reuses them, fences and counters included.
 */
int pf_adopt_attached(const struct pf_env *env, FILE *out)
{
	const struct pf_attached *att;
	char path[PATH_MAX];
	int n = pf_state_attached(env->state, &att), fd, err = 0;
	size_t k;

	if (n <= 0)
		return 0;
	if (pf_owned_elsewhere(env->state, att[0].prog_id, att[0].portals_id, NULL))
		return pf_state_foreign_error(env->state);
	for (k = 0; k < PF_PINNED_MAPS && !err; k++) {
		if (pf_pin_exists(env->pin_dir, pf_pinned_maps[k]))
			continue;
		fd = pf_prog_map(att[0].prog_id, pf_pinned_maps[k]);
		if (fd < 0)
			continue;	/* not used by that program: made afresh */
		pf_pin_path(path, sizeof(path), env->pin_dir, pf_pinned_maps[k]);
		err = bpf_obj_pin(fd, path) ? -errno : 0;
		close(fd);
	}
	if (err)
		err = pf_error(env, pf_runtime_errno(err), "cannot pin the fence table of the "
			       "programs attached on %s in '%s': %s", att[0].name, env->pin_dir,
			       strerror(-err));
	else if (out)
		fprintf(out, "adopted the fence table (map id %u) of the programs attached on %s: "
			"their pins were lost\n", att[0].portals_id, att[0].name);
	return err;
}

