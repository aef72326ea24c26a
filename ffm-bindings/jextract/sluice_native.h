/*
 * The one header jextract reads. It names every native library surface sluice touches, so the
 * generated bindings and the include list below stay the complete record of what Java calls.
 */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <stdio.h>     /* vsnprintf: formats libbpf's printf-style log callback */
#include <sched.h>     /* setns: run a thread inside a lab network namespace */
#include <fcntl.h>     /* open: cgroup and namespace file descriptors */
#include <unistd.h>    /* close */
#include <net/if.h>    /* if_nametoindex */
#include <sys/mount.h> /* mount/umount2: private bpffs instances */
