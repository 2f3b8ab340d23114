/* fuzz_ingest.c — libFuzzer target over the recorder's event ingest, the
 * code that takes what instrumented programs send (record/swt_ingest.c).
 *
 * One ingest lives for the whole run (a real socket in a private
 * directory). Each input is one client of the inline protocol (the one
 * swtrace.py speaks): the harness connects, sends a valid HELLO, then cuts
 * the input into messages — each a 16-bit length and that many bytes —
 * and sends every piece as an EVENTS message whose header it fills in
 * (magic, type, version, length), or, when the piece starts with 0xff, as
 * it is (garbage of any kind). Then it lets the ingest serve, drains
 * everything, hangs up and drains again. Besides the sanitizers it checks
 * that the ingest never fails, that every drained record has a known kind
 * and that events come out in non-decreasing time order. Seeds:
 * tests/fuzz/corpus-ingest (name definitions and events). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client/swt_wire.h"
#include "fuzz_check.h"
#include "swt_ingest.h"
#include "swt_status.h"

static struct swt_ingest *ing;
static int64_t last_t;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int emit(const struct swt_record *rec, void *payload)
{
	size_t i;

	(void)payload;
	CHECK(rec->kind == SWT_REC_EVENTS || rec->kind == SWT_REC_DROPS ||
	      rec->kind == SWT_REC_ANOMALY);
	if (rec->kind == SWT_REC_EVENTS) {
		for (i = 0; i < rec->u.events.n; i++) {
			const struct swt_event *e = &rec->u.events.events[i];

			CHECK(e->name != NULL);
			CHECK(e->kind >= SWT_EV_BEGIN && e->kind <= SWT_EV_RSS);
			CHECK(e->t_ns >= last_t);
			last_t = e->t_ns;
		}
	}
	return 0;
}

static void serve(int rounds)
{
	int i;

	for (i = 0; i < rounds; i++)
		CHECK(swt_ingest_service(ing) == 0);
	CHECK(swt_ingest_drain(ing, now_ns() + 1000000000, emit, NULL) == 0);
}

static void send_msg(int fd, const void *p, size_t len)
{
	int tries;

	for (tries = 0; tries < 50; tries++) {
		if (send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return;	/* cut off: the ingest refused us */
		serve(1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536 + sizeof(struct swt_wire_events)];
	struct swt_wire_hello hello;
	struct sockaddr_un sa;
	size_t off = 0;
	int fd;

	if (!ing) {
		struct swt_ingest_opts o;
		char msg[256];

		swt_ingest_opts_init(&o);
		CHECK(swt_ingest_open(&ing, &o, msg, sizeof(msg)) == 0);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, swt_ingest_get_path(ing),
		sizeof(sa.sun_path) - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		serve(2);
		return 0;
	}
	memset(&hello, 0, sizeof(hello));
	swt_wire_msg_hdr_init(&hello.h, SWT_WIRE_HELLO, sizeof(hello));
	hello.pid = getpid();
	hello.flags = SWT_WIRE_F_INLINE;
	send_msg(fd, &hello, sizeof(hello));
	serve(1);
	while (off + 2 <= size) {
		size_t len = (size_t)data[off] | (size_t)data[off + 1] << 8;
		struct swt_wire_events *ev = (struct swt_wire_events *)buf;

		off += 2;
		if (len > size - off)
			len = size - off;
		if (len && data[off] == 0xff) {
			send_msg(fd, data + off + 1, len - 1);
		} else {
			memcpy(buf + sizeof(*ev), data + off, len);
			swt_wire_msg_hdr_init(&ev->h, SWT_WIRE_EVENTS,
					      (uint32_t)(sizeof(*ev) + len));
			send_msg(fd, buf, sizeof(*ev) + len);
		}
		off += len;
		serve(1);
	}
	serve(2);
	close(fd);
	serve(3);
	return 0;
}
