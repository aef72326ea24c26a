package dev.sluice.cli;

import java.net.InetAddress;
import java.util.List;
import picocli.CommandLine.Option;

/** The filters {@code ct}, {@code nat} and {@code affinity} share; all given must match. */
final class Filters {
    @Option(names = "--address", paramLabel = "IP",
            description = "Only entries with this address anywhere (tuple, translation, client or backend).")
    String address;

    @Option(names = "--port", paramLabel = "PORT", description = "Only entries with this port anywhere.")
    Integer port;

    @Option(names = "--protocol", paramLabel = "PROTO", description = "Only this protocol: tcp, udp (or sctp, a number).")
    String protocol;

    @Option(names = "--service", paramLabel = "ID|NS/NAME[:PORT]",
            description = "Only entries of this service (every id a namespace/name stands for).")
    String service;

    InetAddress address() {
        if (address == null) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(address.strip());
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--address: '" + address + "' is not an IP address");
        }
    }

    Integer protocol() {
        if (protocol == null) {
            return null;
        }
        try {
            return Format.parseProtocol(protocol.strip());
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--protocol: " + e.getMessage());
        }
    }

    /** The service ids to keep, or null for all. A bare number is taken as an id even when unnamed. */
    List<Integer> serviceIds(Catalog catalog) {
        if (service == null) {
            return null;
        }
        if (service.strip().matches("\\d+")) {
            return List.of(Integer.parseUnsignedInt(service.strip()));
        }
        return catalog.resolveSome(service);
    }
}
