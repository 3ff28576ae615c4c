/* popen()/pclose()/system() that run $SHELL (the store's sh) instead of /bin/sh, for programs
   that run during a build: a build sandbox has no /bin, only the store, so the C library's
   versions ("/bin/sh -c CMD") fail there. Never linked into an installed program. Users:
   bin/sed (its `make check`: sed's `e` command in four tests, system() in two gnulib tests; the
   installed sed keeps the C library's popen) and bin/busybox (Kbuild's split-include host tool).
   A recipe compiles it with -Dpopen=ix_test_popen -Dpclose=ix_test_pclose
   -Dsystem=ix_test_system on the code that should use it, or prepends it to one source file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ix_test_sh(void)
{
  const char *sh = getenv("SHELL");
  return sh && *sh ? sh : "/bin/sh";
}

#define IX_MAX_PIPES 16

static FILE *ix_files[IX_MAX_PIPES];
static pid_t ix_pids[IX_MAX_PIPES];

FILE *ix_test_popen(const char *cmd, const char *mode)
{
  int fds[2], slot, reading = mode[0] == 'r';
  FILE *f;
  pid_t pid;

  for (slot = 0; slot < IX_MAX_PIPES && ix_files[slot]; slot++)
    ;
  if (slot == IX_MAX_PIPES || pipe(fds) < 0)
    return NULL;
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return NULL;
  }
  if (pid == 0) {
    dup2(reading ? fds[1] : fds[0], reading ? 1 : 0);
    close(fds[0]);
    close(fds[1]);
    execl(ix_test_sh(), "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  close(reading ? fds[1] : fds[0]);
  f = fdopen(reading ? fds[0] : fds[1], mode);
  if (!f) {
    close(reading ? fds[0] : fds[1]);
    waitpid(pid, NULL, 0);
    return NULL;
  }
  ix_files[slot] = f;
  ix_pids[slot] = pid;
  return f;
}

int ix_test_pclose(FILE *f)
{
  int slot, status;
  pid_t pid;

  for (slot = 0; slot < IX_MAX_PIPES && ix_files[slot] != f; slot++)
    ;
  if (slot == IX_MAX_PIPES)
    return -1;
  pid = ix_pids[slot];
  ix_files[slot] = NULL;
  fclose(f);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

int ix_test_system(const char *cmd)
{
  int status;
  pid_t pid;

  if (!cmd)
    return 1;
  fflush(NULL);
  pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    execl(ix_test_sh(), "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}
