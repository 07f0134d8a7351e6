// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The tickle file parser: files from a directory others may write to,
 * parsed whole before any peer is tickled. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "tickle_file.h"

static struct pf_tickle peers[4];
static char err[PF_ERR_LEN];
static bool more;

static int parse(const char *text)
{
	return pf_tickle_parse(text, strlen(text), peers, 4, &more, err);
}

static void refused(const char *text, const char *needle)
{
	cr_assert_eq(parse(text), -EINVAL, "'%s' accepted", text);
	cr_assert(strstr(err, needle), "error for '%s' is '%s', lacks '%s'", text, err, needle);
}

Test(tickle, conns_output_with_blank_lines_and_crlf)
{
	char buf[64];

	cr_assert_eq(parse("\n198.18.0.1:3260\t198.18.0.2:51234\r\n  \n"
			   "[2001:db8::1]:3260 [2001:db8::2]:1"), 2, "%s", err);
	cr_assert_eq(peers[0].lport, 3260);
	cr_assert_eq(peers[0].rport, 51234);
	inet_ntop(AF_INET, peers[0].remote.a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "198.18.0.2");
	cr_assert_eq(peers[1].local.family, AF_INET6);
	cr_assert_not(more);
}

Test(tickle, every_line_checked_past_the_limit)
{
	static const char five[] = "198.18.0.1:1 198.18.0.2:1\n198.18.0.1:1 198.18.0.2:2\n"
				   "198.18.0.1:1 198.18.0.2:3\n198.18.0.1:1 198.18.0.2:4\n"
				   "198.18.0.1:1 198.18.0.2:5\n";

	cr_assert_eq(parse(five), 4);
	cr_assert(more);
	refused("198.18.0.1:1 198.18.0.2:1\n198.18.0.1:1 198.18.0.2:2\n198.18.0.1:1 198.18.0.2:3\n"
		"198.18.0.1:1 198.18.0.2:4\n198.18.0.1:1 198.18.0.2:5\nbad\n", "line 6: bad line 'bad'");
}

Test(tickle, names_the_bad_line) { refused("198.18.0.1:1 198.18.0.2:1\nx y z\n", "line 2: bad line 'x y z'"); }
Test(tickle, one_field) { refused("198.18.0.1:1\n", "want 'LOCAL REMOTE'"); }
Test(tickle, bad_port) { refused("198.18.0.1:0 198.18.0.2:1\n", "line 1: bad endpoint '198.18.0.1:0'"); }
Test(tickle, mixed_families) { refused("198.18.0.1:1 [2001:db8::2]:1\n", "mixes IPv4 and IPv6"); }
Test(tickle, nul_byte)
{
	cr_assert_eq(pf_tickle_parse("198.18.0.1:1\0 198.18.0.2:1\n", 27, peers, 4, &more, err), -EINVAL);
	cr_assert(strstr(err, "a NUL byte in"), "%s", err);
}

Test(tickle, long_line_is_one_line)
{
	char text[700];

	memset(text, ' ', sizeof(text));
	memcpy(text, "198.18.0.1:1", 12);
	memcpy(text + 600, "198.18.0.2:1\n", 14);
	refused(text, "line 1: longer than 511 bytes");
}

Test(tickle, control_bytes_never_echoed)
{
	refused("198.18.0.1:1 \033]0;x\007\n", "line 1: bad endpoint '?]0;x?'");
	refused("\033[2J \033[H \033[0m\n", "line 1: bad line '?[2J ?[H ?[0m'");
}
