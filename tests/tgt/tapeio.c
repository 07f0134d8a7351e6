// SPDX-License-Identifier: GPL-2.0
/*
 * tapeio - numbered records on an iSCSI tape (tgtd's ssc backing store),
 * for tests/tgt/tape.t: commands that must not run twice.
 *
 *   tapeio URL RECORDS STATUS
 *
 * Rewinds, then writes records 1..RECORDS (one 512-byte variable block
 * each, WRITE(6), one command at a time), each counted once the target
 * acknowledged it. When the connection is lost it logs in again (every
 * 50 ms, for 60 s at most), counts the records on tape (rewind, read to
 * the end of data: tgtd's ssc answers READ POSITION "location unknown")
 * and prints "cut acked=A position=P": a position past the acknowledged
 * records is a write executed whose answer never came. It then writes on
 * from the tape's position, record acked+1, as an initiator re-sending
 * what it was not told of would. At the end it reads every record back: "end acked=A position=P read=R duplicates=D gaps=G".
 * STATUS is rewritten with "written A" as records are acknowledged; a
 * file STATUS.stop ends the writing early (then the same read-back).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define RECORD 512
#define INITIATOR "iqn.2026-01.test.portfence:tape"

static const char *url_text;
static struct iscsi_url *url;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static struct iscsi_context *login(int bound_s)
{
	struct iscsi_context *iscsi;
	int tries;

	for (tries = 0; tries < bound_s * 20; tries++) {
		iscsi = iscsi_create_context(INITIATOR);
		if (!iscsi)
			return NULL;
		iscsi_set_targetname(iscsi, url->target);
		iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
		iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE);
		iscsi_set_timeout(iscsi, 3);
		/* a lost connection must surface here: libiscsi's own reconnect
		 * would re-send the write it was not answered for, unasked */
		iscsi_set_noautoreconnect(iscsi, 1);
		if (iscsi_full_connect_sync(iscsi, url->portal, url->lun) == 0)
			return iscsi;
		iscsi_destroy_context(iscsi);
		sleep_ms(50);
	}
	return NULL;
}

/* One command; 0 GOOD, 1 CHECK CONDITION (sense in *key), -1 the
 * connection failed. A unit attention (a new I_T nexus) is retried. */
static int command(struct iscsi_context *iscsi, unsigned char *cdb, int cdb_len, int dir,
		   unsigned char *buf, int len, int *key, uint32_t *got)
{
	struct iscsi_data out = { .size = (size_t)len, .data = buf };
	struct scsi_task *task;
	int tries, rc;

	for (tries = 0; tries < 10; tries++) {
		task = scsi_create_task(cdb_len, cdb, dir, len);
		if (!task)
			return -1;
		task = iscsi_scsi_command_sync(iscsi, url->lun, task,
					       dir == SCSI_XFER_WRITE ? &out : NULL);
		if (!task)
			return -1;
		if (task->status == SCSI_STATUS_GOOD) {
			if (dir == SCSI_XFER_READ && buf) {
				int n = task->datain.size < len ? task->datain.size : len;

				memcpy(buf, task->datain.data, (size_t)n);
				if (got)
					*got = (uint32_t)n;
			}
			scsi_free_scsi_task(task);
			return 0;
		}
		if (task->status == SCSI_STATUS_CHECK_CONDITION) {
			*key = task->sense.key;
			rc = task->sense.key == SCSI_SENSE_UNIT_ATTENTION ? 2 : 1;
			if (rc == 1 && dir == SCSI_XFER_READ && buf && got) {
				int n = task->datain.size < len ? task->datain.size : len;

				if (n > 0)
					memcpy(buf, task->datain.data, (size_t)n);
				*got = (uint32_t)(n > 0 ? n : 0);
			}
			scsi_free_scsi_task(task);
			if (rc == 2)
				continue;
			return 1;
		}
		scsi_free_scsi_task(task);
		return -1;
	}
	return 1;
}

static int rewind_tape(struct iscsi_context *iscsi)
{
	unsigned char cdb[6] = { 0x01 };
	int key;

	return command(iscsi, cdb, 6, SCSI_XFER_NONE, NULL, 0, &key, NULL);
}

/* Rewinds and reads every record to the end of data, where the next
 * write then appends; seen (if given) counts each record number, bounded
 * by max. The records on tape, or -1. (tgtd's ssc answers READ POSITION
 * with "location unknown", so the tape is read instead.) */
static long count_records(struct iscsi_context *iscsi, unsigned char *seen, unsigned long max,
			  unsigned long *dups, unsigned long *junk)
{
	unsigned char buf[RECORD];
	unsigned long n;
	long count = 0;
	uint32_t got;
	int key;

	if (rewind_tape(iscsi))
		return -1;
	for (;;) {
		unsigned char cdb[6] = { 0x08, 0, 0, RECORD >> 8, RECORD & 0xff, 0 };

		memset(buf, 0, sizeof(buf));
		got = 0;
		if (command(iscsi, cdb, 6, SCSI_XFER_READ, buf, RECORD, &key, &got))
			break;	/* end of data (or a filemark) */
		count++;
		if (!seen)
			continue;
		if (sscanf((char *)buf, "record %lu", &n) != 1 || n == 0 || n > max)
			(*junk)++;
		else if (seen[n]++)
			(*dups)++;
	}
	return count;
}

static void status(const char *path, unsigned long acked)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "written %lu\n", acked);
	fclose(f);
	rename(tmp, path);
}

int main(int argc, char **argv)
{
	struct iscsi_context *iscsi, *probe;
	unsigned long records, acked = 0, rec;
	unsigned char buf[RECORD];
	unsigned char *seen;
	char stop_file[4096];
	long pos;
	int key, rc;

	if (argc != 4) {
		fprintf(stderr, "usage: tapeio URL RECORDS STATUS\n");
		return 2;
	}
	url_text = argv[1];
	records = strtoul(argv[2], NULL, 10);
	probe = iscsi_create_context(INITIATOR);
	url = probe ? iscsi_parse_full_url(probe, url_text) : NULL;
	if (!url) {
		fprintf(stderr, "tapeio: bad URL '%s'\n", url_text);
		return 2;
	}
	iscsi = login(10);
	if (!iscsi || rewind_tape(iscsi)) {
		fprintf(stderr, "tapeio: cannot log in to and rewind '%s'\n", url_text);
		return 1;
	}
	status(argv[3], 0);
	snprintf(stop_file, sizeof(stop_file), "%s.stop", argv[3]);
	while (acked < records && access(stop_file, F_OK)) {
		unsigned char cdb[6] = { 0x0a, 0, 0, RECORD >> 8, RECORD & 0xff, 0 };

		rec = acked + 1;
		memset(buf, 0, sizeof(buf));
		snprintf((char *)buf, sizeof(buf), "record %lu", rec);
		rc = command(iscsi, cdb, 6, SCSI_XFER_WRITE, buf, RECORD, &key, NULL);
		if (rc == 0) {
			acked = rec;
			status(argv[3], acked);
			continue;
		}
		if (rc > 0) {
			fprintf(stderr, "tapeio: record %lu refused (sense key %d)\n", rec, key);
			return 1;
		}
		iscsi_destroy_context(iscsi);
		iscsi = login(60);
		if (!iscsi) {
			fprintf(stderr, "tapeio: cannot log in again\n");
			return 1;
		}
		pos = count_records(iscsi, NULL, 0, NULL, NULL);
		printf("cut acked=%lu position=%ld\n", acked, pos);
		if (pos < 0)
			return 1;
		fflush(stdout);
	}
	seen = calloc(records + 2, 1);
	if (!seen)
		return 1;
	{
		unsigned long dups = 0, junk = 0, gaps = 0, n;

		pos = count_records(iscsi, seen, records, &dups, &junk);
		for (n = 1; n <= acked; n++)
			if (!seen[n])
				gaps++;
		printf("end acked=%lu position=%ld read=%ld duplicates=%lu gaps=%lu\n", acked, pos,
		       pos, dups, gaps + junk);
	}
	iscsi_logout_sync(iscsi);
	iscsi_destroy_context(iscsi);
	return 0;
}
