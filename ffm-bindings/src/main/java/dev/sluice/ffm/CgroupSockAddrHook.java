package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;

/** The socket-address hooks a {@code cgroup/...} program can attach to. */
public enum CgroupSockAddrHook {
    CONNECT4(SluiceNative.BPF_CGROUP_INET4_CONNECT()),
    CONNECT6(SluiceNative.BPF_CGROUP_INET6_CONNECT()),
    SENDMSG4(SluiceNative.BPF_CGROUP_UDP4_SENDMSG()),
    SENDMSG6(SluiceNative.BPF_CGROUP_UDP6_SENDMSG()),
    RECVMSG4(SluiceNative.BPF_CGROUP_UDP4_RECVMSG()),
    RECVMSG6(SluiceNative.BPF_CGROUP_UDP6_RECVMSG()),
    GETPEERNAME4(SluiceNative.BPF_CGROUP_INET4_GETPEERNAME()),
    GETPEERNAME6(SluiceNative.BPF_CGROUP_INET6_GETPEERNAME());

    private final int attachType;

    CgroupSockAddrHook(int attachType) {
        this.attachType = attachType;
    }

    int attachType() {
        return attachType;
    }
}
