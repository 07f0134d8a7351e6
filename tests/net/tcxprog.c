// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tcxprog: another tool's tcx programs, for the tests of the attach order.
 *
 *   tcxprog add DEV ingress|egress pass|next   a program that returns TCX_PASS
 *                                              (later programs skipped) or
 *                                              TCX_NEXT, attached first
 *   tcxprog add DEV ingress|egress drop        one that returns TCX_DROP (a
 *                                              firewall's drop-all), attached
 *                                              last
 *   tcxprog tc DEV ingress|egress drop         a clsact direct-action filter
 *                                              at priority 5 (behind
 *                                              portfence's 1) that drops all
 *   tcxprog list                               every tcx program of the
 *                                              netns: "DEV HOOK NAME", in
 *                                              the order they run
 *   tcxprog ids                                the same with each
 *                                              program's id: "DEV HOOK NAME ID"
 *
 * Attached without a link, so it stays after this process exits, as a
 * daemon's would; it goes with the device or the namespace.
 */
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define TCX_INGRESS	46	/* BPF_TCX_INGRESS, newer than these headers */
#define TCX_EGRESS	47
#define F_BEFORE	(1U << 3)
#define F_AFTER		(1U << 4)
#define TCX_NEXT	(-1)
#define TCX_PASS	0
#define TCX_DROP	2

static int add(const char *dev, const char *hook, const char *verdict)
{
	int imm = !strcmp(verdict, "pass") ? TCX_PASS : !strcmp(verdict, "drop") ? TCX_DROP : TCX_NEXT;
	const char *name = imm == TCX_PASS ? "foreign_pass" : imm == TCX_DROP ? "foreign_drop" :
					     "foreign_next";
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = imm },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = imm == TCX_DROP ? F_AFTER : F_BEFORE);
	unsigned int ifindex = if_nametoindex(dev);
	int fd;

	if (!ifindex) {
		fprintf(stderr, "tcxprog: no device %s\n", dev);
		return 1;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, name, "GPL", prog, 2, NULL);
	if (fd < 0 || bpf_prog_attach_opts(fd, (int)ifindex, (enum bpf_attach_type)(
			   strcmp(hook, "egress") ? TCX_INGRESS : TCX_EGRESS), &opts)) {
		fprintf(stderr, "tcxprog: %s %s: %s\n", dev, hook, strerror(errno));
		return 1;
	}
	return 0;
}

static int add_tc(const char *dev, const char *hook)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 2 /* SHOT */ },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned int ifindex = if_nametoindex(dev);
	LIBBPF_OPTS(bpf_tc_hook, tc_hook, .ifindex = (int)ifindex,
		    .attach_point = strcmp(hook, "egress") ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .priority = 5, .handle = 5);
	int fd, err;

	if (!ifindex) {
		fprintf(stderr, "tcxprog: no device %s\n", dev);
		return 1;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "foreign_tcdrop", "GPL", prog, 2, NULL);
	err = fd < 0 ? -errno : bpf_tc_hook_create(&tc_hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "tcxprog: %s %s: %s\n", dev, hook, strerror(-err));
		return 1;
	}
	opts.prog_fd = fd;
	err = bpf_tc_attach(&tc_hook, &opts);
	if (err) {
		fprintf(stderr, "tcxprog: %s %s: %s\n", dev, hook, strerror(-err));
		return 1;
	}
	return 0;
}

static void list_hook(const char *dev, unsigned int ifindex, int type, const char *hook,
		      bool with_ids)
{
	__u32 ids[64], i;
	LIBBPF_OPTS(bpf_prog_query_opts, opts, .prog_ids = ids, .prog_cnt = 64);

	if (bpf_prog_query_opts((int)ifindex, (enum bpf_attach_type)type, &opts))
		return;
	for (i = 0; i < opts.prog_cnt && i < 64; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && with_ids)
			printf("%s %s %s %u\n", dev, hook, info.name, info.id);
		else if (fd >= 0)
			printf("%s %s %s\n", dev, hook, info.name);
		if (fd >= 0)
			close(fd);
	}
}

/* "DEV HOOK NAME" lines, with ids "DEV HOOK NAME ID" */
static int list(bool with_ids)
{
	struct if_nameindex *names = if_nameindex(), *n;

	for (n = names; n && n->if_index; n++) {
		list_hook(n->if_name, n->if_index, TCX_INGRESS, "ingress", with_ids);
		list_hook(n->if_name, n->if_index, TCX_EGRESS, "egress", with_ids);
	}
	if_freenameindex(names);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "add"))
		return add(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "tc") && !strcmp(argv[4], "drop"))
		return add_tc(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "list"))
		return list(false);
	if (argc == 2 && !strcmp(argv[1], "ids"))
		return list(true);
	fprintf(stderr, "usage: tcxprog add DEV ingress|egress pass|next|drop | tcxprog tc DEV ingress|egress drop | tcxprog list | tcxprog ids\n");
	return 2;
}
