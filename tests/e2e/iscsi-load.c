// SPDX-License-Identifier: GPL-2.0
/*
 * iscsi-load - a verifying iSCSI initiator load generator on libiscsi.
 *
 *   iscsi-load [options] PORTAL/IQN/LUN[,LUN...] ...
 *
 * One session per target, every LUN of it kept busy with a mix of WRITE16
 * and READ16. Each block written carries its LBA and a generation number, so
 * every read is verified against what the initiator last had acknowledged.
 * On connection loss it logs in again and re-issues the commands that did
 * not complete, as open-iscsi does within its replacement timeout; errors
 * that a real initiator would hand to the application are counted as such.
 * With --libiscsi-reconnect, libiscsi does that instead, as it does for
 * QEMU: its own re-login with its own backoff and its own re-queueing, the
 * delays a real libiscsi initiator feels.
 *
 * Before a write that was in flight at a connection loss is sent again, its
 * chunk is read (on the new connection, or with --libiscsi-reconnect on a
 * second session, holding libiscsi's re-sent queue until then): if it
 * already holds that write's generation, the target had executed it, and
 * sending it again executes it twice (`reexecuted`).
 *
 * At the end (duration reached, SIGINT or SIGTERM) it drains, optionally
 * reads back every block it wrote (--verify), and prints one `lun ...` line
 * per LUN and one `total ...` line of key=value pairs. SIGUSR1 prints a
 * `mark ...` line: counters so far and the longest stall since the last mark.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define MAX_LUNS_PER_TARGET 8
#define MAX_SENSE_KINDS 16
#define BLOCK_MAGIC 0x50464c4f41443031ull /* "PFLOAD01" */
#define ASCQ_LU_NOT_SUPPORTED 0x2500
/* A unit attention is retried, as the SCSI midlayer does; this bounds it. */
#define MAX_UA_RETRIES 10
/* With --libiscsi-reconnect, a NOP-Out every NOP_INTERVAL_S and a
 * reconnect after more than MAX_NOP_FAILURES unanswered, as QEMU and
 * libiscsi's iscsi-perf do: all that tells a silent dead connection. */
#define NOP_INTERVAL_S 5
#define MAX_NOP_FAILURES 3

/* RECONNECTING: libiscsi's own re-login is under way (--libiscsi-reconnect). */
enum session_state { SESSION_DOWN, SESSION_CONNECTING, SESSION_UP,
		     SESSION_RECONNECTING };
enum command_kind { CMD_READ, CMD_WRITE, CMD_PROBE };
enum probe_state { PROBE_IDLE, PROBE_CONNECTING, PROBE_READING };

struct options {
	const char *initiator;
	const char *alias;         /* InitiatorAlias: any text, newlines too */
	const char *user;
	const char *password;
	double duration_s;         /* 0: until a signal */
	int depth;                 /* commands in flight per LUN */
	int chunk_blocks;          /* blocks per command */
	uint64_t region_blocks;    /* blocks used at the start of each LUN */
	int block_size;
	int write_percent;
	double io_timeout_s;       /* no completion while busy: connection lost */
	double login_timeout_s;    /* connect + login must finish within this */
	double retry_delay_s;      /* between login attempts */
	double replacement_timeout_s; /* session down this long: fail its I/O */
	double drain_timeout_s;    /* at the end, wait this long for stragglers */
	bool verify;
	bool libiscsi_reconnect;
	int progress_s;
	const char *tag;
};

static struct options opt = {
	.initiator = "iqn.2026-01.test.portfence:initiator",
	.depth = 4,
	.chunk_blocks = 8,
	.region_blocks = 8192,
	.block_size = 512,
	.write_percent = 50,
	.io_timeout_s = 10,
	.login_timeout_s = 3,
	.retry_delay_s = 0.25,
	.replacement_timeout_s = 120,
	.drain_timeout_s = 30,
};

struct sense_count {
	int key;
	int ascq;
	uint64_t count;
};

struct counters {
	uint64_t completed, reads, writes;
	uint64_t errors;           /* returned to the application */
	uint64_t lu_not_supported; /* CHECK CONDITION 5/0x2500, also in errors */
	uint64_t check_conditions; /* every CHECK CONDITION, retried ones too */
	uint64_t unit_attentions;  /* retried, not errors */
	uint64_t mismatches;
	uint64_t verified_blocks;
	uint64_t final_verified;   /* blocks the closing read-back confirmed */
	uint64_t written_blocks;   /* blocks holding an acknowledged write */
	uint64_t reissued;         /* re-sent after a reconnect */
	uint64_t reexecuted;       /* re-sent writes the target had already executed */
	uint64_t probed;           /* re-sent writes whose chunk was read first */
	uint64_t probe_failures;   /* ... where that read did not complete */
};

struct session;

struct lun {
	struct session *session;
	int number;
	char name[240];
	uint32_t *generation;      /* last acknowledged generation per block */
	uint32_t *alternative;     /* also acceptable after a failed write, 0 none */
	uint8_t *busy;             /* per chunk: a command is in flight or queued */
	uint32_t next_generation;
	int inflight;              /* issued or queued, not completed */
	uint64_t verify_cursor;    /* next chunk of the final read-back */
	double last_completion;
	double max_stall, mark_stall;
	uint64_t mark_completed;   /* completed at the last mark */
	struct counters c;
	struct sense_count sense[MAX_SENSE_KINDS];
	int sense_kinds;
};

struct command {
	struct lun *lun;
	enum command_kind kind;
	uint64_t chunk;
	uint32_t generation;
	int ua_retries;
	bool verify_pass;
	bool wire;                 /* sent on a live connection */
	bool straddled;            /* outstanding when that connection was lost */
	bool needs_probe;          /* a write to probe before it is sent again */
	unsigned char *data;       /* write payload */
	struct scsi_task *task;
	struct command *next;      /* pending queue */
	struct command *inext;     /* in-flight list (sent, no callback yet) */
};

struct session {
	char portal[128];
	char iqn[224];
	struct iscsi_context *iscsi;
	enum session_state state;
	double state_since;        /* when it entered the state */
	double down_since;         /* when it was last lost, or start */
	double next_attempt;
	bool lost;                 /* set in callbacks, handled in the loop */
	bool tearing_down;
	double last_progress;
	struct lun luns[MAX_LUNS_PER_TARGET];
	int nluns;
	struct command *pending;   /* to (re)issue once logged in */
	struct command *inflight;  /* handed to libiscsi, no callback yet */
	bool reconnected;          /* libiscsi re-logged in: handled in the loop */
	/* Probing the writes sent again: see the comment at the top. */
	enum probe_state probe;
	struct iscsi_context *probe_iscsi; /* --libiscsi-reconnect only */
	struct command *probe_list; /* probes not sent yet */
	int probes_out;            /* probes sent, no callback yet */
	double next_nop;
	bool probe_failed;
	double probe_since;
	uint64_t logins, login_failures, connection_losses, io_timeouts;
};

static struct session *sessions;
static int nsessions;
static volatile sig_atomic_t stop_requested, mark_requested;
static int marks;
static FILE *report;
static double t_start;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("iscsi-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "iscsi-load: %8.3f ", now() - t_start);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t chunks_of(void)
{
	return opt.region_blocks / opt.chunk_blocks;
}

/* The payload of one block: a header naming it, then a pattern of both. */
static uint64_t pattern_word(uint64_t lba, uint32_t generation, size_t i)
{
	return (lba * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)generation << 32) ^ i;
}

static void fill_block(unsigned char *block, uint64_t lba, uint32_t generation,
		       int lun)
{
	uint64_t *w = (uint64_t *)block;
	size_t i, n = opt.block_size / sizeof(uint64_t);

	w[0] = BLOCK_MAGIC;
	w[1] = lba;
	w[2] = generation;
	w[3] = lun;
	for (i = 4; i < n; i++)
		w[i] = pattern_word(lba, generation, i);
}

static bool block_is(const unsigned char *block, uint64_t lba,
		     uint32_t generation, int lun)
{
	const uint64_t *w = (const uint64_t *)block;
	size_t i, n = opt.block_size / sizeof(uint64_t);

	if (w[0] != BLOCK_MAGIC || w[1] != lba || w[2] != generation ||
	    w[3] != (uint64_t)lun)
		return false;
	for (i = 4; i < n; i++)
		if (w[i] != pattern_word(lba, generation, i))
			return false;
	return true;
}

static void count_sense(struct lun *lun, int key, int ascq)
{
	int i;

	for (i = 0; i < lun->sense_kinds; i++) {
		if (lun->sense[i].key == key && lun->sense[i].ascq == ascq) {
			lun->sense[i].count++;
			return;
		}
	}
	if (lun->sense_kinds < MAX_SENSE_KINDS)
		lun->sense[lun->sense_kinds++] =
			(struct sense_count){ key, ascq, 1 };
}

static void queue_command(struct session *s, struct command *cmd)
{
	struct command **p = &s->pending;

	while (*p)
		p = &(*p)->next;
	cmd->next = NULL;
	*p = cmd;
}

static void inflight_add(struct session *s, struct command *cmd)
{
	cmd->inext = s->inflight;
	s->inflight = cmd;
}

static void inflight_del(struct session *s, struct command *cmd)
{
	struct command **p;

	for (p = &s->inflight; *p; p = &(*p)->inext)
		if (*p == cmd) {
			*p = cmd->inext;
			cmd->inext = NULL;
			return;
		}
}

static void finish_command(struct command *cmd)
{
	cmd->lun->busy[cmd->chunk] = 0;
	cmd->lun->inflight--;
	free(cmd->data);
	free(cmd);
}

/* The application sees an error: the blocks may now hold either version. */
static void fail_command(struct command *cmd)
{
	struct lun *lun = cmd->lun;
	uint64_t b, first = cmd->chunk * opt.chunk_blocks;

	lun->c.errors++;
	if (cmd->kind == CMD_WRITE)
		for (b = first; b < first + opt.chunk_blocks; b++)
			lun->alternative[b] = cmd->generation;
	finish_command(cmd);
}

static void verify_read(struct command *cmd, const unsigned char *data,
			size_t size)
{
	struct lun *lun = cmd->lun;
	uint64_t b, first = cmd->chunk * opt.chunk_blocks;
	bool reported = false;

	for (b = first; b < first + opt.chunk_blocks; b++) {
		const unsigned char *block = data + (b - first) * opt.block_size;
		uint32_t want = lun->generation[b], alt = lun->alternative[b];

		if (want == 0)
			continue; /* never written with success: anything goes */
		if (size < (b - first + 1) * opt.block_size ||
		    !(block_is(block, b, want, lun->number) ||
		      (alt && block_is(block, b, alt, lun->number)))) {
			lun->c.mismatches++;
			if (!reported && lun->c.mismatches <= 5) {
				const uint64_t *w = (const uint64_t *)block;

				note("MISMATCH %s lba %" PRIu64
				     " want gen %u (or %u), got magic %s lba %" PRIu64
				     " gen %" PRIu64,
				     lun->name, b, want, alt,
				     size >= (b - first + 1) * opt.block_size &&
				     w[0] == BLOCK_MAGIC ? "ok" : "bad",
				     size >= (b - first + 1) * opt.block_size ? w[1] : 0,
				     size >= (b - first + 1) * opt.block_size ? w[2] : 0);
				reported = true;
			}
			continue;
		}
		lun->c.verified_blocks++;
		if (cmd->verify_pass)
			lun->c.final_verified++;
	}
}

static void command_done(struct command *cmd, struct scsi_task *task)
{
	struct lun *lun = cmd->lun;
	double t = now();
	uint64_t b, first = cmd->chunk * opt.chunk_blocks;

	lun->c.completed++;
	lun->session->last_progress = t;
	if (t - lun->last_completion > lun->max_stall)
		lun->max_stall = t - lun->last_completion;
	if (t - lun->last_completion > lun->mark_stall)
		lun->mark_stall = t - lun->last_completion;
	lun->last_completion = t;

	if (cmd->kind == CMD_WRITE) {
		lun->c.writes++;
		for (b = first; b < first + opt.chunk_blocks; b++) {
			lun->generation[b] = cmd->generation;
			lun->alternative[b] = 0;
		}
	} else {
		lun->c.reads++;
		verify_read(cmd, task->datain.data, task->datain.size);
	}
	finish_command(cmd);
}

static void command_cb(struct iscsi_context *iscsi, int status,
		       void *command_data, void *private_data)
{
	struct command *cmd = private_data;
	struct lun *lun = cmd->lun;
	struct session *s = lun->session;
	struct scsi_task *task = cmd->task;

	(void)iscsi;
	(void)command_data;
	cmd->task = NULL;
	inflight_del(s, cmd);

	switch (status) {
	case SCSI_STATUS_GOOD:
		command_done(cmd, task);
		break;
	case SCSI_STATUS_CANCELLED:
		/* The connection is gone: re-issue on the next login. */
		if (!s->tearing_down)
			s->lost = true;
		lun->c.reissued++;
		cmd->needs_probe = cmd->kind == CMD_WRITE && cmd->wire;
		cmd->wire = false;
		queue_command(s, cmd);
		break;
	case SCSI_STATUS_BUSY:
	case SCSI_STATUS_TASK_SET_FULL:
		queue_command(s, cmd);
		break;
	case SCSI_STATUS_CHECK_CONDITION:
		lun->c.check_conditions++;
		count_sense(lun, task->sense.key, task->sense.ascq);
		if (task->sense.key == SCSI_SENSE_UNIT_ATTENTION &&
		    cmd->ua_retries++ < MAX_UA_RETRIES) {
			lun->c.unit_attentions++;
			queue_command(s, cmd);
			break;
		}
		if (task->sense.key == SCSI_SENSE_ILLEGAL_REQUEST &&
		    task->sense.ascq == ASCQ_LU_NOT_SUPPORTED)
			lun->c.lu_not_supported++;
		if (lun->c.errors < 5)
			note("%s: %s", lun->name, iscsi_get_error(iscsi));
		fail_command(cmd);
		break;
	default:
		if (lun->c.errors < 5)
			note("%s: status 0x%x: %s", lun->name, status,
			     iscsi_get_error(iscsi));
		fail_command(cmd);
		break;
	}
	if (task)
		scsi_free_scsi_task(task);
}

static bool submit(struct session *s, struct command *cmd)
{
	struct lun *lun = cmd->lun;
	uint64_t lba = cmd->chunk * opt.chunk_blocks;
	uint32_t len = opt.chunk_blocks * opt.block_size;

	if (cmd->kind == CMD_WRITE)
		cmd->task = iscsi_write16_task(s->iscsi, lun->number, lba,
					       cmd->data, len, opt.block_size,
					       0, 0, 0, 0, 0, command_cb, cmd);
	else
		cmd->task = iscsi_read16_task(s->iscsi, lun->number, lba, len,
					      opt.block_size, 0, 0, 0, 0, 0,
					      command_cb, cmd);
	if (!cmd->task)
		return false;
	/* While libiscsi reconnects, it parks the command unsent. */
	cmd->wire = s->state == SESSION_UP;
	inflight_add(s, cmd);
	return true;
}

/* Probes: one read of the chunk of a write that is to be sent again. */

static void probe_cb(struct iscsi_context *iscsi, int status,
		     void *command_data, void *private_data)
{
	struct command *p = private_data;
	struct lun *lun = p->lun;
	struct scsi_task *task = p->task;
	uint64_t b, first = p->chunk * opt.chunk_blocks;
	bool executed = true;

	(void)command_data;
	lun->session->probes_out--;
	/* A new session's first command to a LUN gets a unit attention. */
	if (status == SCSI_STATUS_CHECK_CONDITION && task &&
	    task->sense.key == SCSI_SENSE_UNIT_ATTENTION &&
	    p->ua_retries++ < MAX_UA_RETRIES) {
		scsi_free_scsi_task(task);
		p->task = iscsi_read16_task(iscsi, lun->number, first,
					    opt.chunk_blocks * opt.block_size,
					    opt.block_size, 0, 0, 0, 0, 0, probe_cb, p);
		if (p->task) {
			lun->session->probes_out++;
			return;
		}
		task = NULL;
	}
	if (status != SCSI_STATUS_GOOD || !task ||
	    task->datain.size < opt.chunk_blocks * opt.block_size) {
		lun->c.probe_failures++;
	} else {
		lun->c.probed++;
		for (b = 0; b < (uint64_t)opt.chunk_blocks; b++)
			executed &= block_is(task->datain.data + b * opt.block_size,
					     first + b, p->generation, lun->number);
		lun->c.reexecuted += executed;
	}
	if (task)
		scsi_free_scsi_task(task);
	free(p);
}

static void add_probe(struct session *s, struct command *write)
{
	struct command *p = calloc(1, sizeof(*p));

	if (!p)
		die("out of memory");
	p->lun = write->lun;
	p->kind = CMD_PROBE;
	p->chunk = write->chunk;
	p->generation = write->generation;
	p->next = s->probe_list;
	s->probe_list = p;
	write->needs_probe = false;
}

static void send_probes(struct session *s, struct iscsi_context *iscsi)
{
	struct command *p;

	while ((p = s->probe_list)) {
		s->probe_list = p->next;
		p->task = iscsi_read16_task(iscsi, p->lun->number,
					    p->chunk * opt.chunk_blocks,
					    opt.chunk_blocks * opt.block_size,
					    opt.block_size, 0, 0, 0, 0, 0, probe_cb, p);
		if (!p->task) {
			p->lun->c.probe_failures++;
			free(p);
			continue;
		}
		s->probes_out++;
	}
}

static bool probing(const struct session *s)
{
	return s->probe_list || s->probes_out || s->probe != PROBE_IDLE;
}

static struct command *new_command(struct lun *lun, bool verify_pass)
{
	uint64_t nchunks = chunks_of(), chunk, tries;
	struct command *cmd;
	bool write;

	if (verify_pass) {
		while (lun->verify_cursor < nchunks &&
		       lun->generation[lun->verify_cursor * opt.chunk_blocks] == 0 &&
		       lun->alternative[lun->verify_cursor * opt.chunk_blocks] == 0)
			lun->verify_cursor++;
		if (lun->verify_cursor >= nchunks)
			return NULL;
		chunk = lun->verify_cursor++;
		write = false;
	} else {
		chunk = (uint64_t)random() % nchunks;
		for (tries = 0; lun->busy[chunk] && tries < nchunks; tries++)
			chunk = (chunk + 1) % nchunks;
		if (lun->busy[chunk])
			return NULL;
		write = random() % 100 < opt.write_percent;
	}
	cmd = calloc(1, sizeof(*cmd));
	if (!cmd)
		die("out of memory");
	cmd->lun = lun;
	cmd->chunk = chunk;
	cmd->kind = write ? CMD_WRITE : CMD_READ;
	cmd->verify_pass = verify_pass;
	if (write) {
		uint64_t b, first = chunk * opt.chunk_blocks;

		cmd->generation = ++lun->next_generation;
		cmd->data = malloc((size_t)opt.chunk_blocks * opt.block_size);
		if (!cmd->data)
			die("out of memory");
		for (b = 0; b < (uint64_t)opt.chunk_blocks; b++)
			fill_block(cmd->data + b * opt.block_size, first + b,
				   cmd->generation, lun->number);
	}
	lun->busy[chunk] = 1;
	lun->inflight++;
	return cmd;
}

/* Send what waits; a send that fails means the connection is unusable. */
static void flush_pending(struct session *s)
{
	struct command *cmd;

	while (s->state == SESSION_UP && (cmd = s->pending)) {
		s->pending = cmd->next;
		if (!submit(s, cmd)) {
			queue_command(s, cmd);
			s->lost = true;
			return;
		}
	}
}

static void refill(struct session *s, bool verify_pass)
{
	int i;

	for (i = 0; i < s->nluns; i++) {
		struct lun *lun = &s->luns[i];
		struct command *cmd;

		while (lun->inflight < opt.depth &&
		       (cmd = new_command(lun, verify_pass)))
			queue_command(s, cmd);
	}
	flush_pending(s);
}

static void set_state(struct session *s, enum session_state state)
{
	s->state = state;
	s->state_since = now();
}

static void probe_end(struct session *s);

static void teardown(struct session *s, double retry_at)
{
	if (s->iscsi) {
		s->tearing_down = true;
		iscsi_scsi_cancel_all_tasks(s->iscsi);
		iscsi_destroy_context(s->iscsi);
		s->tearing_down = false;
		s->iscsi = NULL;
	}
	probe_end(s);
	s->lost = false;
	s->next_attempt = retry_at;
	if (s->state == SESSION_UP || s->state == SESSION_RECONNECTING)
		s->down_since = now();
	set_state(s, SESSION_DOWN);
}

static void login_cb(struct iscsi_context *iscsi, int status,
		     void *command_data, void *private_data)
{
	struct session *s = private_data;

	(void)command_data;
	if (status != SCSI_STATUS_GOOD) {
		s->login_failures++;
		if (s->login_failures <= 3)
			note("%s: login failed: %s", s->iqn, iscsi_get_error(iscsi));
		s->lost = true;
		return;
	}
	s->logins++;
	if (s->logins > 1)
		note("%s: logged in again after %.3f s", s->iqn,
		     now() - s->down_since);
	set_state(s, SESSION_UP);
	s->last_progress = now();
}

static void connect_cb(struct iscsi_context *iscsi, int status,
		       void *command_data, void *private_data)
{
	struct session *s = private_data;

	(void)command_data;
	if (status != SCSI_STATUS_GOOD ||
	    iscsi_login_async(iscsi, login_cb, s) != 0) {
		s->login_failures++;
		s->lost = true;
	}
}

/* libiscsi's log is the only place its own reconnect shows; each line
 * ends with " [TARGET-IQN]". Only flags and lists are touched here: this
 * runs inside libiscsi. */
static void libiscsi_log(int level, const char *msg)
{
	static int notes;
	const char *open = strrchr(msg, '[');
	struct session *s = NULL;
	struct command *cmd;
	size_t n;
	int i;

	if (!open)
		return;
	n = strcspn(open + 1, "]");
	for (i = 0; i < nsessions; i++)
		if (strlen(sessions[i].iqn) == n &&
		    !strncmp(sessions[i].iqn, open + 1, n))
			s = &sessions[i];
	if (!s)
		return;
	if (!strncmp(msg, "reconnect initiated", 19) && !strstr(msg, "deferred")) {
		if (s->state != SESSION_UP)
			return; /* a further attempt */
		s->connection_losses++;
		s->down_since = now();
		s->state = SESSION_RECONNECTING;
		s->state_since = s->down_since;
		note("%s: connection lost, libiscsi reconnects", s->iqn);
		for (cmd = s->inflight; cmd; cmd = cmd->inext)
			cmd->straddled = cmd->wire;
	} else if (!strncmp(msg, "reconnect try", 13)) {
		if (++s->login_failures <= 3)
			note("%s: %.*s", s->iqn, (int)(open - msg), msg);
	} else if (!strncmp(msg, "reconnect was successful", 24)) {
		s->logins++;
		s->state = SESSION_UP;
		s->state_since = now();
		s->last_progress = s->state_since;
		note("%s: libiscsi logged in again after %.3f s", s->iqn,
		     s->state_since - s->down_since);
		/* Re-queued, not sent yet: probe the writes first. */
		for (cmd = s->inflight; cmd; cmd = cmd->inext) {
			if (cmd->straddled) {
				cmd->lun->c.reissued++;
				if (cmd->kind == CMD_WRITE)
					add_probe(s, cmd);
			}
			cmd->straddled = false;
			cmd->wire = true;
		}
	} else if (level <= 1 && !strstr(msg, "UNIT_ATTENTION") && notes++ < 20) {
		note("libiscsi: %s", msg);
	}
}

static void probe_login_cb(struct iscsi_context *iscsi, int status,
			   void *command_data, void *private_data)
{
	struct session *s = private_data;

	(void)command_data;
	if (iscsi != s->probe_iscsi)
		return;
	if (status != SCSI_STATUS_GOOD) {
		s->probe_failed = true;
		return;
	}
	s->probe = PROBE_READING;
	send_probes(s, iscsi);
}

static void probe_connect_cb(struct iscsi_context *iscsi, int status,
			     void *command_data, void *private_data)
{
	struct session *s = private_data;

	(void)command_data;
	if (iscsi != s->probe_iscsi)
		return;
	if (status != SCSI_STATUS_GOOD ||
	    iscsi_login_async(iscsi, probe_login_cb, s) != 0)
		s->probe_failed = true;
}

static void probe_end(struct session *s)
{
	struct iscsi_context *iscsi = s->probe_iscsi;
	struct command *p;

	s->probe_iscsi = NULL;
	if (iscsi) {
		iscsi_scsi_cancel_all_tasks(iscsi);
		iscsi_destroy_context(iscsi);
	}
	while ((p = s->probe_list)) {
		s->probe_list = p->next;
		p->lun->c.probe_failures++;
		free(p);
	}
	s->probe_failed = false;
	s->probe = PROBE_IDLE;
}

/* A context for one session of s's target, logging in as we were told. */
static struct iscsi_context *new_context(const struct session *s)
{
	struct iscsi_context *iscsi = iscsi_create_context(opt.initiator);

	if (!iscsi)
		die("cannot create an iSCSI context");
	iscsi_set_targetname(iscsi, s->iqn);
	iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE);
	if (opt.user)
		iscsi_set_initiator_username_pwd(iscsi, opt.user, opt.password);
	if (opt.alias)
		iscsi_set_alias(iscsi, opt.alias);
	return iscsi;
}

/* A second session for the probes, since what libiscsi re-queued on the
 * first goes out ahead of anything sent there. libiscsi gives each
 * context its own random ISID: a new session, not a reinstatement. */
static void probe_start(struct session *s, double t)
{
	struct iscsi_context *iscsi = new_context(s);

	iscsi_set_noautoreconnect(iscsi, 1);
	s->probe_iscsi = iscsi;
	s->probe = PROBE_CONNECTING;
	s->probe_since = t;
	if (iscsi_connect_async(iscsi, s->portal, probe_connect_cb, s) != 0)
		s->probe_failed = true;
}

static void start_login(struct session *s)
{
	struct iscsi_context *iscsi = new_context(s);

	/* Our own loop reconnects unless --libiscsi-reconnect: then this
	 * first login is ours (libiscsi has no session to restore yet),
	 * every later one libiscsi's, which reports it only in its log. */
	if (opt.libiscsi_reconnect) {
		iscsi_set_log_fn(iscsi, libiscsi_log);
		iscsi_set_log_level(iscsi, 2);
	} else {
		iscsi_set_noautoreconnect(iscsi, 1);
	}
	s->iscsi = iscsi;
	set_state(s, SESSION_CONNECTING);
	/* libiscsi's reconnect goes back to the portal (and LUN) that
	 * iscsi_full_connect_* recorded, as QEMU's connect does. */
	if (opt.libiscsi_reconnect ?
	    iscsi_full_connect_async(iscsi, s->portal, s->luns[0].number,
				     login_cb, s) != 0 :
	    iscsi_connect_async(iscsi, s->portal, connect_cb, s) != 0)
		s->lost = true;
}

/* Everything the loop does for one session besides servicing its socket. */
static void tend(struct session *s, double t, bool running, bool verify_pass)
{
	int i;

	if (s->lost) {
		if (s->state == SESSION_UP) {
			s->connection_losses++;
			note("%s: connection lost", s->iqn);
		} else if (s->state == SESSION_RECONNECTING) {
			note("%s: libiscsi gave up reconnecting", s->iqn);
		}
		teardown(s, s->state == SESSION_UP ||
			    s->state == SESSION_RECONNECTING ? t : t + opt.retry_delay_s);
	}
	if (s->state == SESSION_CONNECTING &&
	    t - s->state_since > opt.login_timeout_s) {
		s->login_failures++;
		teardown(s, t + opt.retry_delay_s);
	}
	if (opt.libiscsi_reconnect && s->state == SESSION_UP && t >= s->next_nop) {
		s->next_nop = t + NOP_INTERVAL_S;
		if (iscsi_get_nops_in_flight(s->iscsi) > MAX_NOP_FAILURES) {
			s->io_timeouts++;
			note("%s: %d NOPs unanswered, iscsi_reconnect()", s->iqn,
			     iscsi_get_nops_in_flight(s->iscsi));
			if (iscsi_reconnect(s->iscsi) != 0)
				s->lost = true;
		} else {
			iscsi_nop_out_async(s->iscsi, NULL, NULL, 0, NULL);
		}
	}
	/* With libiscsi reconnecting, only if it seems stuck: a no-op while
	 * its own attempt is under way. */
	if ((opt.libiscsi_reconnect ? s->state == SESSION_RECONNECTING && !probing(s)
				    : s->state == SESSION_UP) &&
	    s->pending == NULL && t - s->last_progress > opt.io_timeout_s) {
		bool busy = false;

		for (i = 0; i < s->nluns; i++)
			busy |= s->luns[i].inflight > 0;
		if (busy && opt.libiscsi_reconnect && !probing(s)) {
			/* What QEMU does when its NOPs go unanswered. */
			s->io_timeouts++;
			note("%s: no completion for %.1f s, iscsi_reconnect()",
			     s->iqn, t - s->last_progress);
			s->last_progress = t;
			if (iscsi_reconnect(s->iscsi) != 0)
				s->lost = true;
		} else if (busy && !opt.libiscsi_reconnect) {
			s->io_timeouts++;
			s->connection_losses++;
			note("%s: no completion for %.1f s, reconnecting",
			     s->iqn, t - s->last_progress);
			teardown(s, t);
		}
	}
	if (opt.libiscsi_reconnect && s->probe == PROBE_IDLE && s->probe_list)
		probe_start(s, t);
	if (s->probe != PROBE_IDLE &&
	    (s->probe_failed || t - s->probe_since > opt.login_timeout_s)) {
		note("%s: could not probe the writes to re-send", s->iqn);
		probe_end(s);
	}
	if (s->probe == PROBE_READING && s->probes_out == 0)
		probe_end(s);
	if (s->state == SESSION_DOWN && s->pending &&
	    t - s->down_since > opt.replacement_timeout_s) {
		struct command *cmd;

		note("%s: down for %.1f s, failing its I/O", s->iqn,
		     t - s->down_since);
		while ((cmd = s->pending)) {
			s->pending = cmd->next;
			fail_command(cmd);
		}
	}
	if (s->state == SESSION_DOWN && t >= s->next_attempt &&
	    (running || s->pending || verify_pass))
		start_login(s);
	if (s->state == SESSION_UP && !opt.libiscsi_reconnect) {
		struct command *cmd;

		for (cmd = s->pending; cmd; cmd = cmd->next)
			if (cmd->needs_probe)
				add_probe(s, cmd);
		/* Sent ahead of the writes they look for, which wait. */
		send_probes(s, s->iscsi);
	}
	if (s->state == SESSION_UP && !s->probes_out) {
		if (running || verify_pass)
			refill(s, verify_pass);
		else
			flush_pending(s);
	}
}

static int session_inflight(const struct session *s)
{
	int i, n = 0;

	for (i = 0; i < s->nluns; i++)
		n += s->luns[i].inflight;
	return n;
}

static void poll_once(double timeout_s)
{
	struct pollfd *pfd = calloc(2 * nsessions, sizeof(*pfd));
	bool *idle = calloc(nsessions, sizeof(*idle));
	int i;

	if (!pfd || !idle)
		die("out of memory");
	for (i = 0; i < nsessions; i++) {
		struct session *s = &sessions[i];

		pfd[2 * i].fd = pfd[2 * i + 1].fd = -1;
		if (s->iscsi && s->state != SESSION_DOWN) {
			int ev = iscsi_which_events(s->iscsi);

			/* Hold what libiscsi re-queued until it is probed. */
			if (opt.libiscsi_reconnect && probing(s))
				ev &= ~POLLOUT;
			/* None while libiscsi backs off between attempts. */
			idle[i] = ev == 0;
			if (ev) {
				pfd[2 * i].fd = iscsi_get_fd(s->iscsi);
				pfd[2 * i].events = ev;
			}
		}
		if (s->probe_iscsi) {
			pfd[2 * i + 1].fd = iscsi_get_fd(s->probe_iscsi);
			pfd[2 * i + 1].events = iscsi_which_events(s->probe_iscsi);
		}
	}
	if (poll(pfd, 2 * nsessions, (int)(timeout_s * 1000)) < 0 && errno != EINTR)
		die("poll: %s", strerror(errno));
	for (i = 0; i < nsessions; i++) {
		struct session *s = &sessions[i];

		if (s->probe_iscsi && pfd[2 * i + 1].revents &&
		    iscsi_service(s->probe_iscsi, pfd[2 * i + 1].revents) < 0)
			s->probe_failed = true;
		if (!s->iscsi)
			continue;
		/* Its backoff ends only in iscsi_service, as in QEMU's timer. */
		if (idle[i] && opt.libiscsi_reconnect && s->state != SESSION_CONNECTING) {
			if (iscsi_service(s->iscsi, 0) < 0)
				s->lost = true;
			continue;
		}
		if (pfd[2 * i].fd < 0 || !pfd[2 * i].revents)
			continue;
		if (iscsi_service(s->iscsi, pfd[2 * i].revents) < 0)
			s->lost = true;
	}
	free(idle);
	free(pfd);
}

static void totals(struct counters *sum, double *max_stall, double *mark_stall)
{
	int i, j;

	memset(sum, 0, sizeof(*sum));
	*max_stall = *mark_stall = 0;
	for (i = 0; i < nsessions; i++) {
		for (j = 0; j < sessions[i].nluns; j++) {
			struct lun *l = &sessions[i].luns[j];

			sum->completed += l->c.completed;
			sum->reads += l->c.reads;
			sum->writes += l->c.writes;
			sum->errors += l->c.errors;
			sum->lu_not_supported += l->c.lu_not_supported;
			sum->check_conditions += l->c.check_conditions;
			sum->unit_attentions += l->c.unit_attentions;
			sum->mismatches += l->c.mismatches;
			sum->verified_blocks += l->c.verified_blocks;
			sum->final_verified += l->c.final_verified;
			sum->written_blocks += l->c.written_blocks;
			sum->reissued += l->c.reissued;
			sum->reexecuted += l->c.reexecuted;
			sum->probed += l->c.probed;
			sum->probe_failures += l->c.probe_failures;
			if (l->max_stall > *max_stall)
				*max_stall = l->max_stall;
			if (l->mark_stall > *mark_stall)
				*mark_stall = l->mark_stall;
		}
	}
}

static void print_counters(FILE *f, const struct counters *c)
{
	fprintf(f, " completed=%" PRIu64 " reads=%" PRIu64 " writes=%" PRIu64
		" errors=%" PRIu64 " lu_not_supported=%" PRIu64
		" check_conditions=%" PRIu64 " unit_attentions=%" PRIu64
		" mismatches=%" PRIu64 " verified_blocks=%" PRIu64
		" reissued=%" PRIu64 " reexecuted=%" PRIu64 " probed=%" PRIu64
		" probe_failures=%" PRIu64 " written_blocks=%" PRIu64
		" final_verified=%" PRIu64,
		c->completed, c->reads, c->writes, c->errors,
		c->lu_not_supported, c->check_conditions, c->unit_attentions,
		c->mismatches, c->verified_blocks, c->reissued, c->reexecuted,
		c->probed, c->probe_failures, c->written_blocks,
		c->final_verified);
}

/* The stall still running counts too: a LUN that never came back. */
static void close_stall_windows(double t)
{
	int i, j;

	for (i = 0; i < nsessions; i++) {
		for (j = 0; j < sessions[i].nluns; j++) {
			struct lun *l = &sessions[i].luns[j];

			if (t - l->last_completion > l->max_stall)
				l->max_stall = t - l->last_completion;
			if (t - l->last_completion > l->mark_stall)
				l->mark_stall = t - l->last_completion;
		}
	}
}

static void print_mark(void)
{
	struct counters sum;
	double max_stall, mark_stall, t = now();
	int i, j, down = 0, idle = 0;

	close_stall_windows(t);
	totals(&sum, &max_stall, &mark_stall);
	for (i = 0; i < nsessions; i++) {
		down += sessions[i].state != SESSION_UP;
		for (j = 0; j < sessions[i].nluns; j++)
			idle += sessions[i].luns[j].c.completed ==
				sessions[i].luns[j].mark_completed;
	}
	fprintf(report, "mark n=%d t_ms=%.0f", ++marks, (t - t_start) * 1000);
	print_counters(report, &sum);
	/* idle_luns: LUNs that completed nothing since the last mark. */
	fprintf(report, " stall_ms=%.0f sessions_down=%d idle_luns=%d\n",
		mark_stall * 1000, down, idle);
	fflush(report);
	/* The next window starts now, not at the last completion. */
	for (i = 0; i < nsessions; i++)
		for (j = 0; j < sessions[i].nluns; j++) {
			sessions[i].luns[j].mark_stall = 0;
			sessions[i].luns[j].mark_completed =
				sessions[i].luns[j].c.completed;
		}
}

static void count_written(void)
{
	uint64_t b;
	int i, j;

	for (i = 0; i < nsessions; i++)
		for (j = 0; j < sessions[i].nluns; j++) {
			struct lun *l = &sessions[i].luns[j];

			l->c.written_blocks = 0;
			for (b = 0; b < opt.region_blocks; b++)
				l->c.written_blocks += l->generation[b] != 0;
		}
}

static void print_report(double elapsed)
{
	struct counters sum;
	double max_stall, mark_stall;
	uint64_t logins = 0, failures = 0, losses = 0, timeouts = 0;
	int i, j, k;

	count_written();
	for (i = 0; i < nsessions; i++) {
		struct session *s = &sessions[i];

		logins += s->logins;
		failures += s->login_failures;
		losses += s->connection_losses;
		timeouts += s->io_timeouts;
		for (j = 0; j < s->nluns; j++) {
			struct lun *l = &s->luns[j];

			fprintf(report, "lun name=%s", l->name);
			print_counters(report, &l->c);
			fprintf(report, " max_stall_ms=%.0f sense=", l->max_stall * 1000);
			for (k = 0; k < l->sense_kinds; k++)
				fprintf(report, "%s%d/%04x:%" PRIu64, k ? "," : "",
					l->sense[k].key, l->sense[k].ascq,
					l->sense[k].count);
			fprintf(report, "%s\n", l->sense_kinds ? "" : "-");
		}
	}
	totals(&sum, &max_stall, &mark_stall);
	for (i = 0, k = 0; i < nsessions; i++)
		k += sessions[i].nluns;
	fprintf(report, "total elapsed_ms=%.0f", elapsed * 1000);
	print_counters(report, &sum);
	fprintf(report, " max_stall_ms=%.0f logins=%" PRIu64
		" login_failures=%" PRIu64 " connection_losses=%" PRIu64
		" io_timeouts=%" PRIu64 " nluns=%d\n",
		max_stall * 1000, logins, failures, losses, timeouts, k);
	fflush(report);

	fprintf(stderr, "\n%-44s %9s %6s %6s %6s %6s %9s\n", "LUN", "completed",
		"errors", "LU-NS", "CC", "mism", "stall(ms)");
	for (i = 0; i < nsessions; i++)
		for (j = 0; j < sessions[i].nluns; j++) {
			struct lun *l = &sessions[i].luns[j];

			fprintf(stderr, "%-44s %9" PRIu64 " %6" PRIu64 " %6" PRIu64
				" %6" PRIu64 " %6" PRIu64 " %9.0f\n", l->name,
				l->c.completed, l->c.errors, l->c.lu_not_supported,
				l->c.check_conditions, l->c.mismatches,
				l->max_stall * 1000);
		}
	fprintf(stderr, "%-44s %9" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
		" %6" PRIu64 " %9.0f\n", "total", sum.completed, sum.errors,
		sum.lu_not_supported, sum.check_conditions, sum.mismatches,
		max_stall * 1000);
}

static void parse_target(const char *spec)
{
	char buf[512], *iqn, *luns, *tok, *save;
	struct session *s;

	if (strlen(spec) >= sizeof(buf))
		die("target '%s' too long", spec);
	strcpy(buf, spec);
	iqn = strchr(buf, '/');
	luns = iqn ? strchr(iqn + 1, '/') : NULL;
	if (!iqn || !luns)
		die("bad target '%s' (PORTAL/IQN/LUN[,LUN...])", spec);
	*iqn++ = '\0';
	*luns++ = '\0';
	sessions = realloc(sessions, (nsessions + 1) * sizeof(*sessions));
	if (!sessions)
		die("out of memory");
	s = &sessions[nsessions++];
	memset(s, 0, sizeof(*s));
	if (snprintf(s->portal, sizeof(s->portal), "%s", buf) >= (int)sizeof(s->portal) ||
	    snprintf(s->iqn, sizeof(s->iqn), "%s", iqn) >= (int)sizeof(s->iqn))
		die("target '%s' too long", spec);
	for (tok = strtok_r(luns, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long n = strtol(tok, &end, 10);
		struct lun *l;
		uint64_t nchunks = chunks_of();

		if (*end || n < 0 || n > 255)
			die("bad LUN '%s' in '%s' (0-255)", tok, spec);
		if (s->nluns == MAX_LUNS_PER_TARGET)
			die("too many LUNs in '%s' (at most %d)", spec,
			    MAX_LUNS_PER_TARGET);
		l = &s->luns[s->nluns++];
		l->number = (int)n;
		const char *short_iqn = strrchr(s->iqn, ':');

		snprintf(l->name, sizeof(l->name), "%s/%ld",
			 short_iqn ? short_iqn + 1 : s->iqn, n);
		l->generation = calloc(opt.region_blocks, sizeof(uint32_t));
		l->alternative = calloc(opt.region_blocks, sizeof(uint32_t));
		l->busy = calloc(nchunks, 1);
		if (!l->generation || !l->alternative || !l->busy)
			die("out of memory");
	}
	if (s->nluns == 0)
		die("no LUN in '%s'", spec);
}

static double parse_seconds(const char *name, const char *v)
{
	char *end;
	double d = strtod(v, &end);

	if (*end || d < 0)
		die("bad %s '%s' (seconds, >= 0)", name, v);
	return d;
}

static long parse_int(const char *name, const char *v, long lo, long hi)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || !*v || n < lo || n > hi)
		die("bad %s '%s' (%ld-%ld)", name, v, lo, hi);
	return n;
}

static char *read_password_file(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");

	if (!f)
		die("cannot open password file '%s': %s", path, strerror(errno));
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

static void usage(FILE *f)
{
	fputs("usage: iscsi-load [options] PORTAL/IQN/LUN[,LUN...] ...\n"
	      "  -i, --initiator IQN       initiator name\n"
	      "      --alias TEXT          InitiatorAlias sent at login (any text)\n"
	      "  -u, --user NAME           CHAP user\n"
	      "  -p, --password PASS       CHAP secret\n"
	      "  -P, --password-file FILE  CHAP secret, first line of FILE\n"
	      "  -d, --duration S          run S seconds (default: until SIGINT/SIGTERM)\n"
	      "  -q, --depth N             commands in flight per LUN (4)\n"
	      "  -c, --chunk N             blocks per command (8)\n"
	      "  -n, --region N            blocks used per LUN (8192)\n"
	      "  -b, --block-size N        logical block size (512)\n"
	      "  -w, --write-percent N     share of writes (50)\n"
	      "      --io-timeout S        busy with no completion: reconnect (10)\n"
	      "      --login-timeout S     connect + login deadline (3)\n"
	      "      --retry-delay S       between login attempts (0.25)\n"
	      "      --replacement-timeout S  down this long: fail its I/O (120)\n"
	      "      --drain-timeout S     at the end, wait for unfinished I/O (30)\n"
	      "      --verify              read back every written block at the end\n"
	      "      --libiscsi-reconnect  after the first login, libiscsi reconnects and\n"
	      "                            re-queues by itself (as for QEMU)\n"
	      "  -o, --report FILE         key=value report (default stdout)\n"
	      "      --progress S          a progress line on stderr every S seconds\n"
	      "SIGUSR1 prints a mark line; SIGINT/SIGTERM end the run.\n", f);
}

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_mark(int sig)
{
	(void)sig;
	mark_requested = 1;
}

int main(int argc, char **argv)
{
	enum { O_IO_TIMEOUT = 256, O_LOGIN_TIMEOUT, O_RETRY_DELAY,
	       O_REPLACEMENT, O_DRAIN, O_VERIFY, O_PROGRESS, O_LIBISCSI, O_ALIAS };
	static const struct option longopts[] = {
		{ "initiator", required_argument, NULL, 'i' },
		{ "alias", required_argument, NULL, O_ALIAS },
		{ "user", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "duration", required_argument, NULL, 'd' },
		{ "depth", required_argument, NULL, 'q' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "region", required_argument, NULL, 'n' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "write-percent", required_argument, NULL, 'w' },
		{ "report", required_argument, NULL, 'o' },
		{ "io-timeout", required_argument, NULL, O_IO_TIMEOUT },
		{ "login-timeout", required_argument, NULL, O_LOGIN_TIMEOUT },
		{ "retry-delay", required_argument, NULL, O_RETRY_DELAY },
		{ "replacement-timeout", required_argument, NULL, O_REPLACEMENT },
		{ "drain-timeout", required_argument, NULL, O_DRAIN },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "libiscsi-reconnect", no_argument, NULL, O_LIBISCSI },
		{ "progress", required_argument, NULL, O_PROGRESS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *report_path = NULL;
	double t, next_progress, drain_deadline = 0;
	bool running = true, verify_pass = false;
	int c, i;

	t_start = now();
	while ((c = getopt_long(argc, argv, "i:u:p:P:d:q:c:n:b:w:o:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i': opt.initiator = optarg; break;
		case 'u': opt.user = optarg; break;
		case O_ALIAS: opt.alias = optarg; break;
		case 'p': opt.password = optarg; break;
		case 'P': opt.password = read_password_file(optarg); break;
		case 'd': opt.duration_s = parse_seconds("duration", optarg); break;
		case 'q': opt.depth = parse_int("depth", optarg, 1, 256); break;
		case 'c': opt.chunk_blocks = parse_int("chunk", optarg, 1, 256); break;
		case 'n': opt.region_blocks = parse_int("region", optarg, 1, 1L << 30); break;
		case 'b': opt.block_size = parse_int("block size", optarg, 512, 65536); break;
		case 'w': opt.write_percent = parse_int("write percent", optarg, 0, 100); break;
		case 'o': report_path = optarg; break;
		case O_IO_TIMEOUT: opt.io_timeout_s = parse_seconds("io timeout", optarg); break;
		case O_LOGIN_TIMEOUT: opt.login_timeout_s = parse_seconds("login timeout", optarg); break;
		case O_RETRY_DELAY: opt.retry_delay_s = parse_seconds("retry delay", optarg); break;
		case O_REPLACEMENT: opt.replacement_timeout_s = parse_seconds("replacement timeout", optarg); break;
		case O_DRAIN: opt.drain_timeout_s = parse_seconds("drain timeout", optarg); break;
		case O_VERIFY: opt.verify = true; break;
		case O_LIBISCSI: opt.libiscsi_reconnect = true; break;
		case O_PROGRESS: opt.progress_s = parse_int("progress", optarg, 0, 3600); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (opt.user && !opt.password)
		die("--user needs --password or --password-file");
	if (opt.region_blocks < (uint64_t)opt.chunk_blocks)
		die("region %" PRIu64 " smaller than one chunk (%d blocks)",
		    opt.region_blocks, opt.chunk_blocks);
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	for (i = optind; i < argc; i++)
		parse_target(argv[i]);
	for (i = 0; i < nsessions; i++) /* the array has stopped moving */
		for (c = 0; c < sessions[i].nluns; c++)
			sessions[i].luns[c].session = &sessions[i];
	report = stdout;
	if (report_path && strcmp(report_path, "-") &&
	    !(report = fopen(report_path, "w")))
		die("cannot write report '%s': %s", report_path, strerror(errno));

	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGUSR1, on_mark);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)getpid());

	t = now();
	for (i = 0; i < nsessions; i++) {
		int j;

		sessions[i].down_since = t;
		for (j = 0; j < sessions[i].nluns; j++)
			sessions[i].luns[j].last_completion = t;
	}
	next_progress = t + opt.progress_s;

	for (;;) {
		int busy = 0;

		t = now();
		if (running && (stop_requested ||
				(opt.duration_s > 0 && t - t_start >= opt.duration_s))) {
			running = false;
			stop_requested = 0;
			drain_deadline = t + opt.drain_timeout_s;
			note("stopping: draining");
		}
		if (mark_requested) {
			mark_requested = 0;
			print_mark();
		}
		for (i = 0; i < nsessions; i++)
			tend(&sessions[i], t, running, verify_pass);
		for (i = 0; i < nsessions; i++)
			busy += session_inflight(&sessions[i]);
		if (!running && busy == 0) {
			if (opt.verify && !verify_pass) {
				verify_pass = true;
				drain_deadline = now() + opt.drain_timeout_s;
				note("verifying every written block");
				continue;
			}
			break;
		}
		if (!running && (now() > drain_deadline || stop_requested)) {
			note("giving up with %d commands unfinished", busy);
			break;
		}
		if (opt.progress_s && t >= next_progress) {
			struct counters sum;
			double ms, ws;
			int down = 0;

			totals(&sum, &ms, &ws);
			for (i = 0; i < nsessions; i++)
				down += sessions[i].state != SESSION_UP;
			note("completed=%" PRIu64 " errors=%" PRIu64 " inflight=%d down=%d",
			     sum.completed, sum.errors, busy, down);
			next_progress = t + opt.progress_s;
		}
		poll_once(0.1);
	}
	close_stall_windows(now());
	print_report(now() - t_start);
	for (i = 0; i < nsessions; i++) {
		probe_end(&sessions[i]);
		if (sessions[i].iscsi)
			iscsi_destroy_context(sessions[i].iscsi);
	}
	return 0;
}
