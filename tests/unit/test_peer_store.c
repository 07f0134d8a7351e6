// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The store of the peers other nodes hold: which of its lines a portal's
 * unblock takes, and which files it passes over. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "needroot.h"
#include "peer_store.h"

static const struct pf_env env = { .pin_dir = "/nonexistent", .cmd = "unblock" };
static char dir[] = "/tmp/pf-peer-store.XXXXXX";
static struct pf_stored_peer *peers;

static void make_dir(void)
{
	pf_need_root();	/* the store's files must be root's */
	cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	chmod(dir, 0755);
}

static void remove_dir(void)
{
	char cmd[64];

	free(peers);
	peers = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove '%s'", dir);
}

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

static int read_for(const char *ip, const char *ports)
{
	struct pf_portal portal = { .proto = 6 };
	char err[PF_ERR_LEN];

	cr_assert_eq(pf_parse_ports(ports, &portal, err), 0, "%s", err);
	if (ip)
		cr_assert_eq(pf_parse_addr(ip, &portal.addr, err), 0, "%s", err);
	return pf_peer_store_read(&env, dir, &portal, &peers);
}

TestSuite(peer_store, .init = make_dir, .fini = remove_dir);

Test(peer_store, the_portals_peers_of_every_node_each_once)
{
	char buf[64];

	put("node-b", "198.18.0.1:3260\t198.18.0.2:40000\n198.18.0.1:3261\t198.18.0.2:40001\n"
		      "198.18.0.9:3260\t198.18.0.2:40002\n");
	put("node-c", "198.18.0.1:3260\t198.18.0.2:40000\n[2001:db8::1]:3260\t[2001:db8::2]:1\n");
	cr_assert_eq(read_for("198.18.0.1", "3260"), 1);
	cr_assert_eq(peers[0].t.rport, 40000);
	inet_ntop(AF_INET, peers[0].t.remote.a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "198.18.0.2");
	free(peers);
	/* a wildcard portal matches on port, both families */
	cr_assert_eq(read_for(NULL, "3260"), 3);
	free(peers);
	cr_assert_eq(read_for("198.18.0.0/24", "3260,3261"), 3);
}

Test(peer_store, the_node_is_the_file_name)
{
	put("node-b", "198.18.0.1:3260\t198.18.0.2:40000\n");
	cr_assert_eq(read_for(NULL, "3260"), 1);
	cr_assert_str_eq(peers[0].node, "node-b");
}

Test(peer_store, a_file_being_written_is_not_read)
{
	put(".node-b.tmp", "198.18.0.1:3260\t198.18.0.2:40000\n");
	cr_assert_eq(read_for(NULL, "3260"), 0);
}

Test(peer_store, a_bad_file_costs_its_own_peers_only)
{
	put("node-b", "198.18.0.1:3260\t198.18.0.2:40000\ngarbage\n");
	put("node-c", "198.18.0.1:3260\t198.18.0.2:40001\n");
	cr_assert_eq(read_for(NULL, "3260"), 1);
	cr_assert_str_eq(peers[0].node, "node-c");
}

Test(peer_store, a_file_root_does_not_own_is_not_read)
{
	char path[256];

	put("node-b", "198.18.0.1:3260\t198.18.0.2:40000\n");
	snprintf(path, sizeof(path), "%s/node-b", dir);
	cr_assert_eq(chown(path, 65534, 65534), 0);
	cr_assert_eq(read_for(NULL, "3260"), 0);
}

Test(peer_store, a_store_others_can_write_to_is_not_read)
{
	put("node-b", "198.18.0.1:3260\t198.18.0.2:40000\n");
	chmod(dir, 0777);
	cr_assert_eq(read_for(NULL, "3260"), 0);
}

Test(peer_store, a_missing_store_holds_no_peers)
{
	char path[256];

	struct pf_portal portal = { .proto = 6 };
	char err[PF_ERR_LEN];

	snprintf(path, sizeof(path), "%s/none", dir);
	cr_assert_eq(pf_parse_ports("3260", &portal, err), 0);
	cr_assert_eq(pf_peer_store_read(&env, path, &portal, &peers), 0);
}
