package dev.sluice.ffm;

/** The program types sluice attaches (values of {@code enum bpf_prog_type}). */
public enum ProgramType {
    SOCKET_FILTER(1), SCHED_CLS(3), SCHED_ACT(4), XDP(6), CGROUP_SKB(8), CGROUP_SOCK(9),
    SOCK_OPS(13), SK_SKB(14), CGROUP_SOCK_ADDR(18), UNKNOWN(-1);

    private final int value;

    ProgramType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    public static ProgramType of(int value) {
        for (ProgramType type : values()) {
            if (type.value == value) {
                return type;
            }
        }
        return UNKNOWN;
    }
}
