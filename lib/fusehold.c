// SPDX-License-Identifier: GPL-2.0
/* fusehold.c - see fusehold.h. */
#define FUSE_USE_VERSION 34
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fusehold.h"

#define FILE_INO 2
#define FILE_NAME "held"
#define FILE_SIZE (1ul << 20)

/* Messages between the caller and its server process (SOCK_SEQPACKET). */
enum { MSG_MOUNTED = 'M', MSG_FAILED = 'F', MSG_READ = 'R', MSG_ANSWER = 'A',
       MSG_STOP = 'S' };
struct msg {
	char type;
	uint32_t size;		/* MSG_READ: bytes asked; MSG_ANSWER: bytes sent */
	uint32_t reads;		/* MSG_READ: reads seen so far */
	char text[200];		/* MSG_FAILED: why */
};
#define ANSWER_MAX (64u << 10)

/* The caller's side. */
struct fusehold {
	pid_t server;
	int sock;
	bool parked;
	size_t parked_size;
	unsigned long reads;
	char dir[128];
	char file[160];
};

/* The server process's side. */
struct server {
	struct fuse_session *se;
	int sock;
	pthread_mutex_t lock;
	fuse_req_t parked;	/* the read held in flight */
	uint32_t reads;
};

/* libfuse's own messages stay off the user's terminal. */
static void quiet_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
}

static void file_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (ino == FILE_INO) {
		st->st_mode = S_IFREG | 0400;
		st->st_nlink = 1;
		st->st_size = FILE_SIZE;
	} else {
		st->st_mode = S_IFDIR | 0500;
		st->st_nlink = 2;
	}
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .ino = FILE_INO };

	if (parent != FUSE_ROOT_ID || strcmp(name, FILE_NAME)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	file_stat(FILE_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (ino != FUSE_ROOT_ID && ino != FILE_INO) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	file_stat(ino, &st);
	fuse_reply_attr(req, &st, 0);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != FILE_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->direct_io = 1;	/* every read comes here, with the user's pages */
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

/* Park the read (the kernel holds the reader's pages until the answer)
 * and tell the caller. */
static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct server *sv = fuse_req_userdata(req);
	struct msg m = { .type = MSG_READ, .size = (uint32_t)size };

	(void)ino, (void)off, (void)fi;
	pthread_mutex_lock(&sv->lock);
	if (sv->parked) {	/* one at a time */
		pthread_mutex_unlock(&sv->lock);
		fuse_reply_err(req, EBUSY);
		return;
	}
	sv->parked = req;
	m.reads = ++sv->reads;
	pthread_mutex_unlock(&sv->lock);
	send(sv->sock, &m, sizeof(m), MSG_NOSIGNAL);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino, (void)fi;
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops fusehold_ops = {
	.lookup = op_lookup,
	.getattr = op_getattr,
	.open = op_open,
	.read = op_read,
	.release = op_release,
};

bool fusehold_available(char *why, size_t len)
{
	if (geteuid() != 0) {
		snprintf(why, len, "a FUSE mount needs root");
		return false;
	}
	if (access("/dev/fuse", R_OK | W_OK) < 0) {
		snprintf(why, len, "/dev/fuse: %s (CONFIG_FUSE_FS)", strerror(errno));
		return false;
	}
	return true;
}

/*
 * A mount namespace of our own, once, so that the mount goes with the
 * process however it ends.  unshare() needs a single-threaded process;
 * where it fails the mount is made where we are, unmounted by stop, and
 * by the next start if the process was killed.
 */
static void private_mounts(void)
{
	static bool done;

	if (done)
		return;
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		done = true;
}

/* FUSEHOLD_DIR exists, is a directory owned by root and writable by no
 * one else (the knobs journal lives there too). */
static int safe_parent(char *err, size_t len)
{
	struct stat st;

	if (mkdir(FUSEHOLD_DIR, 0755) < 0 && errno != EEXIST) {
		snprintf(err, len, "mkdir %s: %s", FUSEHOLD_DIR, strerror(errno));
		return -1;
	}
	if (lstat(FUSEHOLD_DIR, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022)) {
		snprintf(err, len, "%s: not a root-owned directory that only root "
			 "can write", FUSEHOLD_DIR);
		return -1;
	}
	return 0;
}

int fusehold_cleanup_stale(void)
{
	DIR *d = opendir(FUSEHOLD_DIR);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX];
		int pid;

		if (sscanf(e->d_name, "fuse-%d-", &pid) != 1 || pid <= 0 ||
		    pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", FUSEHOLD_DIR, e->d_name);
		umount2(path, MNT_DETACH);	/* if it was not in a namespace */
		if (rmdir(path) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static void *loop_main(void *arg)
{
	struct server *sv = arg;

	fuse_session_loop(sv->se);
	return NULL;
}

/* Reply to the parked read, if any, with data (NULL: EIO). */
static void server_reply(struct server *sv, const void *data, size_t n)
{
	fuse_req_t req;

	pthread_mutex_lock(&sv->lock);
	req = sv->parked;
	sv->parked = NULL;
	pthread_mutex_unlock(&sv->lock);
	if (req && data)
		fuse_reply_buf(req, data, n);
	else if (req)
		fuse_reply_err(req, EIO);
}

/*
 * The server process.  It dies with its parent (PR_SET_PDEATHSIG): its
 * /dev/fuse descriptor closes, the kernel aborts the connection, and a
 * read the parent had in flight ends instead of waiting for ever.  (A
 * server thread in the reader's own process would deadlock a SIGKILL:
 * the reader waits uninterruptibly for an answer that only the dying
 * process could give.)
 */
static void server_main(int sock, pid_t parent, const char *dir)
{
	char *argv[] = { "gupsync-fusehold", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct server sv = { .sock = sock };
	struct msg m = { .type = MSG_MOUNTED };
	static char buf[sizeof(struct msg) + ANSWER_MAX];
	pthread_t loop;

	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	/* Not the parent's handlers (they restore the knobs): a signal
	 * ends this process, whose death aborts the connection. */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	pthread_mutex_init(&sv.lock, NULL);
	fuse_set_log_func(quiet_log);
	sv.se = fuse_session_new(&args, &fusehold_ops, sizeof(fusehold_ops), &sv);
	if (!sv.se || fuse_session_mount(sv.se, dir) != 0) {
		m.type = MSG_FAILED;
		snprintf(m.text, sizeof(m.text), "FUSE mount on %s failed "
			 "(fuse_session_%s)", dir, sv.se ? "mount" : "new");
		send(sock, &m, sizeof(m), MSG_NOSIGNAL);
		_exit(1);
	}
	if (pthread_create(&loop, NULL, loop_main, &sv)) {
		umount2(dir, MNT_DETACH);
		_exit(1);
	}
	send(sock, &m, sizeof(m), MSG_NOSIGNAL);
	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf), 0);

		if (n < (ssize_t)sizeof(struct msg) ||
		    ((struct msg *)buf)->type != MSG_ANSWER)
			break;	/* MSG_STOP, or the caller is gone */
		server_reply(&sv, buf + sizeof(struct msg),
			     (size_t)n - sizeof(struct msg));
	}
	server_reply(&sv, NULL, 0);
	fuse_session_exit(sv.se);
	/* With no file open the superblock goes with the mount: the
	 * connection is aborted, the loop's read returns ENODEV. */
	umount2(dir, MNT_DETACH);
	pthread_join(loop, NULL);
	_exit(0);
}

int fusehold_start(struct fusehold **out, char *err, size_t len)
{
	struct fusehold *f;
	int sv[2];
	struct msg m;

	*out = NULL;
	if (!fusehold_available(err, len) || safe_parent(err, len) < 0)
		return -1;
	fusehold_cleanup_stale();
	private_mounts();
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "%s/fuse-%d-XXXXXX", FUSEHOLD_DIR,
		 (int)getpid());
	if (!mkdtemp(f->dir)) {
		snprintf(err, len, "mkdtemp %s: %s", f->dir, strerror(errno));
		free(f);
		return -1;
	}
	snprintf(f->file, sizeof(f->file), "%s/%s", f->dir, FILE_NAME);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, len, "socketpair: %s", strerror(errno));
		goto fail;
	}
	f->server = fork();
	if (f->server == 0) {
		close(sv[0]);
		server_main(sv[1], getppid(), f->dir);
	}
	close(sv[1]);
	f->sock = sv[0];
	if (f->server < 0) {
		snprintf(err, len, "fork: %s", strerror(errno));
		close(f->sock);
		goto fail;
	}
	if (recv(f->sock, &m, sizeof(m), 0) != (ssize_t)sizeof(m) ||
	    m.type != MSG_MOUNTED) {
		snprintf(err, len, "%s", m.type == MSG_FAILED ? m.text :
			 "the FUSE server process ended before mounting");
		fusehold_stop(f);
		return -1;
	}
	*out = f;
	return 0;
fail:
	rmdir(f->dir);
	free(f);
	return -1;
}

const char *fusehold_file(const struct fusehold *f)
{
	return f->file;
}

int fusehold_wait_read(struct fusehold *f, int timeout_ms)
{
	struct pollfd p = { .fd = f->sock, .events = POLLIN };
	struct msg m;

	if (f->parked)
		return 1;
	if (poll(&p, 1, timeout_ms) != 1 ||
	    recv(f->sock, &m, sizeof(m), 0) != (ssize_t)sizeof(m) ||
	    m.type != MSG_READ)
		return 0;
	f->parked = true;
	f->parked_size = m.size;
	f->reads = m.reads;
	return 1;
}

int fusehold_answer(struct fusehold *f, const void *data, size_t n, char *err,
		    size_t len)
{
	static char buf[sizeof(struct msg) + ANSWER_MAX];
	struct msg m = { .type = MSG_ANSWER };

	if (!f->parked) {
		snprintf(err, len, "no read is held");
		return -1;
	}
	if (n > f->parked_size)
		n = f->parked_size;
	if (n > ANSWER_MAX)
		n = ANSWER_MAX;
	m.size = (uint32_t)n;
	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), data, n);
	f->parked = false;
	if (send(f->sock, buf, sizeof(m) + n, MSG_NOSIGNAL) < 0) {
		snprintf(err, len, "to the FUSE server: %s", strerror(errno));
		return -1;
	}
	return 0;
}

unsigned long fusehold_reads(const struct fusehold *f)
{
	return f->reads;
}

void fusehold_stop(struct fusehold *f)
{
	struct msg m = { .type = MSG_STOP };
	int status;

	if (!f)
		return;
	send(f->sock, &m, sizeof(m), MSG_NOSIGNAL);
	/* A parked read gets EIO, the server unmounts and exits; one that
	 * does not within 2 s is killed (its descriptor's close aborts the
	 * connection just as well). */
	for (int i = 0; i < 200; i++) {
		if (waitpid(f->server, &status, WNOHANG) == f->server)
			goto done;
		usleep(10000);
	}
	kill(f->server, SIGKILL);
	waitpid(f->server, &status, 0);
done:
	close(f->sock);
	umount2(f->dir, MNT_DETACH);	/* if the server could not */
	rmdir(f->dir);
	free(f);
}
