package dev.sluice.control.model;

import java.util.Optional;

/** The transport protocols a Service port may use, with their IP protocol numbers. */
public enum Protocol {
    TCP(6),
    UDP(17),
    SCTP(132);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    /** The IANA protocol number, as carried in the IP header. */
    public int number() {
        return number;
    }

    /** Parses a Kubernetes protocol name; Kubernetes spells them in upper case only. */
    public static Optional<Protocol> fromKubernetes(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name) {
            case "TCP" -> Optional.of(TCP);
            case "UDP" -> Optional.of(UDP);
            case "SCTP" -> Optional.of(SCTP);
            default -> Optional.empty();
        };
    }
}
