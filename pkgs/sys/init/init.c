/* ix-init: process 1 of a Stalix image (static, no libraries but the C library).
 *
 * Mounts /proc, /sys and /dev (devtmpfs) on the initramfs' empty mount points, sets PATH to the
 * realm's bin/ (ixrealm=<store path> on the kernel command line; the kernel hands unknown
 * name=value words to init as its environment), then runs with the realm's shell (bin/sh, else
 * `bin/busybox sh`) the command given base64-encoded as ixcmd=..., or an interactive shell when
 * there is none. It prints "ix-init: start" when it begins and "ix-init: exit N" with the
 * command's status on the console, then restarts the machine with reboot(2): QEMU started with
 * -no-reboot ends there, and `ix boot` reads the status from the console. Never returns: the
 * kernel panics when process 1 exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *msg) {
    fputs(msg, stdout);
    fflush(stdout);
}

/* Decodes standard base64 in place; returns the length, or -1 on a bad character. */
static int unbase64(char *s) {
    static const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int n = 0, bits = 0;
    unsigned acc = 0;
    for (const char *p = s; *p && *p != '='; p++) {
        const char *at = strchr(abc, *p);
        if (!at) return -1;
        acc = (acc << 6) | (unsigned)(at - abc);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            s[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    s[n] = 0;
    return n;
}

static void finish(int status) {
    char line[64];
    snprintf(line, sizeof line, "ix-init: exit %d\n", status);
    say(line);
    sync();
    reboot(RB_AUTOBOOT);
    for (;;) pause();
}

int main(void) {
    if (getpid() != 1) {
        fputs("ix-init: must run as process 1 (the init of a Stalix image)\n", stderr);
        return 2;
    }
    mount("proc", "/proc", "proc", 0, 0);
    mount("sysfs", "/sys", "sysfs", 0, 0);
    mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
    if (fcntl(1, F_GETFD) < 0) { /* no console from the kernel: take devtmpfs' one */
        int fd = open("/dev/console", O_RDWR);
        if (fd >= 0) { dup2(fd, 0); dup2(fd, 1); dup2(fd, 2); }
    }
    say("ix-init: start\n");
    const char *realm = getenv("ixrealm");
    if (!realm || !*realm) {
        say("ix-init: no ixrealm= on the kernel command line\n");
        finish(127);
    }
    char bin[4096], sh[4200];
    snprintf(bin, sizeof bin, "%s/bin", realm);
    setenv("PATH", bin, 1);
    setenv("HOME", "/", 1);
    chdir("/");
    char *argv[5];
    int i = 0;
    snprintf(sh, sizeof sh, "%s/sh", bin);
    if (access(sh, X_OK) == 0) {
        argv[i++] = sh;
    } else {
        snprintf(sh, sizeof sh, "%s/busybox", bin);
        argv[i++] = sh;
        argv[i++] = "sh";
    }
    char *cmd = getenv("ixcmd");
    if (cmd && *cmd) {
        if (unbase64(cmd) < 0) {
            say("ix-init: ixcmd= is not base64\n");
            finish(127);
        }
        argv[i++] = "-c";
        argv[i++] = cmd;
    }
    argv[i] = 0;
    unsetenv("ixcmd");
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        execv(argv[0], argv);
        fprintf(stderr, "ix-init: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 127;
    for (;;) {
        int st;
        pid_t w = wait(&st);
        if (w == pid) {
            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        if (w < 0 && errno == ECHILD) break;
    }
    finish(status);
    return 0;
}
