package dev.sluice.control.datapath;

/** {@code enum drop_reason} of bpf/lib/stats.h, in order: the index into datapath_drops. */
public enum DropReason {
    NO_BACKEND("no_backend"),
    REJECT_NO_BACKEND("rejected_no_backend"),
    SOURCE_RANGE("source_range"),
    SNAT_PORTS_EXHAUSTED("snat_ports_exhausted"),
    CONNTRACK_FULL("conntrack_full"),
    BACKEND_MISSING("backend_missing"),
    /** tc could not route a translated packet, for a reason none of the fib_* below names. */
    FIB_FAILED("fib_failed"),
    REWRITE_FAILED("rewrite_failed"),
    /** A refusal dropped unanswered: the reply budget (RSTs, ICMP errors per second) was spent. */
    REPLY_RATE_LIMITED("reply_rate_limited"),
    /** A TCP segment other than a SYN for a service, of no connection: stray, forged, or its state is gone. */
    NO_CONNECTION("no_connection"),
    /** Over the egress MTU: answered with ICMP fragmentation needed / packet too big (unless over the reply budget). */
    PACKET_TOO_BIG("packet_too_big"),
    /** IPv4 without DF over the egress MTU: a router would fragment it, BPF cannot. */
    NEEDS_FRAGMENTING("needs_fragmenting"),
    TTL_EXPIRED("ttl_expired"),
    FIB_BLACKHOLE("fib_blackhole"),
    FIB_UNREACHABLE("fib_unreachable"),
    FIB_PROHIBIT("fib_prohibit"),
    FIB_NOT_FORWARDED("fib_not_forwarded"),
    FIB_FORWARDING_DISABLED("fib_forwarding_disabled"),
    FIB_UNSUPPORTED_LWT("fib_unsupported_lwt"),
    FIB_NO_SOURCE_ADDRESS("fib_no_source_address");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** The value of the {@code reason} label in metrics and the CLI. */
    public String label() {
        return label;
    }
}
