package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Linux errno values and libbpf's own error codes, by name. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRNOTAVAIL = 99;

    // Index = errno, as defined by asm-generic/errno-base.h and errno.h.
    private static final String[] LINUX = {
        null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF",
        "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV",
        "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG",
        "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK",
        "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP", null, "ENOMSG", "EIDRM",
        "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI", "EL2HLT",
        "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", null, "EBFONT", "ENOSTR",
        "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT",
        "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD",
        "EREMCHG", "ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART",
        "ESTRPIPE", "EUSERS", "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT",
        "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT",
        "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED",
        "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT",
        "ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE",
        "EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM", "EREMOTEIO", "EDQUOT", "ENOMEDIUM",
        "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED", "EKEYREJECTED",
        "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON",
    };

    // Kernel-internal codes that still reach user space through the bpf syscall.
    private static final int KERNEL_BASE = 512;
    private static final String[] KERNEL = {
        "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ENOIOCTLCMD", "ERESTART_RESTARTBLOCK",
        "EPROBE_DEFER", "EOPENSTALE", "ENOPARAM", null, "EBADHANDLE", "ENOTSYNC", "EBADCOOKIE",
        "ENOTSUPP", "ETOOSMALL", "ESERVERFAULT", "EBADTYPE", "EJUKEBOX", "EIOCBQUEUED",
        "ERECALLCONFLICT", "ENOGRACE",
    };

    // libbpf.h: enum libbpf_errno, starting at 4000.
    private static final int LIBBPF_BASE = 4000;
    private static final String[] LIBBPF = {
        "LIBBPF_ERRNO__LIBELF", "LIBBPF_ERRNO__FORMAT", "LIBBPF_ERRNO__KVERSION",
        "LIBBPF_ERRNO__ENDIAN", "LIBBPF_ERRNO__INTERNAL", "LIBBPF_ERRNO__RELOC",
        "LIBBPF_ERRNO__LOAD", "LIBBPF_ERRNO__VERIFY", "LIBBPF_ERRNO__PROG2BIG",
        "LIBBPF_ERRNO__KVER", "LIBBPF_ERRNO__PROGTYPE", "LIBBPF_ERRNO__WRNGPID",
        "LIBBPF_ERRNO__INVSEQ", "LIBBPF_ERRNO__NLPARSE",
    };

    private Errno() {
    }

    /** The symbolic name of an errno (sign ignored), or {@code "errno N"} when unknown. */
    public static String name(int errno) {
        int value = Math.abs(errno);
        String name = null;
        if (value < LINUX.length) {
            name = LINUX[value];
        } else if (value >= KERNEL_BASE && value < KERNEL_BASE + KERNEL.length) {
            name = KERNEL[value - KERNEL_BASE];
        } else if (value >= LIBBPF_BASE && value < LIBBPF_BASE + LIBBPF.length) {
            name = LIBBPF[value - LIBBPF_BASE];
        }
        return name != null ? name : "errno " + value;
    }

    /** {@code "ENOENT (No such file or directory)"}, with libbpf's text for its own codes. */
    public static String describe(int errno) {
        int value = Math.abs(errno);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(256);
            SluiceNative.libbpf_strerror(value, text, text.byteSize());
            return name(value) + " (" + text.getString(0) + ")";
        }
    }
}
