package dev.sluice.cli;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses {@code ipvsadm -Ln}, the test oracle the CLI's IPVS view is compared with (product code
 * never runs ipvsadm). Only what both sides show: service key, scheduler, persistence timeout,
 * and each real server's address, port and weight.
 */
final class IpvsAdm {
    /** A virtual service as both ipvsadm and the CLI describe it; timeout 0 means not persistent. */
    record Service(String protocol, InetAddress address, int port, String scheduler, List<String> schedulerFlags,
                   int persistenceTimeout) {
        @Override
        public String toString() {
            return protocol + " " + address.getHostAddress() + ":" + port + " " + scheduler
                    + (schedulerFlags.isEmpty() ? "" : " (" + String.join(",", schedulerFlags) + ")")
                    + (persistenceTimeout > 0 ? " persistent " + persistenceTimeout : "");
        }
    }

    /** A real server; sorted by its text so two sets print alike. */
    record Real(InetAddress address, int port, int weight) implements Comparable<Real> {
        @Override
        public int compareTo(Real other) {
            return toString().compareTo(other.toString());
        }

        @Override
        public String toString() {
            return address.getHostAddress() + ":" + port + " weight " + weight;
        }
    }

    private IpvsAdm() {
    }

    static Map<Service, Set<Real>> parse(String listing) {
        Map<Service, Set<Real>> services = new LinkedHashMap<>();
        Set<Real> current = null;
        for (String line : listing.lines().toList()) {
            String[] fields = line.strip().split("\\s+");
            if (line.startsWith("IP Virtual Server") || line.startsWith("Prot ") || fields[0].isEmpty()) {
                continue;
            }
            if (fields[0].equals("->")) {
                if (fields[1].equals("RemoteAddress:Port")) {
                    continue;
                }
                if (current == null) {
                    throw new IllegalArgumentException("ipvsadm: real server before any service: " + line);
                }
                current.add(new Real(host(fields[1]), port(fields[1]), Integer.parseInt(fields[3])));
                continue;
            }
            int timeout = 0;
            List<String> schedulerFlags = List.of();
            for (int i = 3; i < fields.length; i++) {
                if (fields[i].equals("persistent") && i + 1 < fields.length) {
                    timeout = Integer.parseInt(fields[i + 1]);
                } else if (fields[i].startsWith("(") && fields[i].endsWith(")")) {
                    // ipvsadm's scheduler flags: "(mh-fallback,mh-port)".
                    schedulerFlags = List.of(fields[i].substring(1, fields[i].length() - 1).split(","));
                }
            }
            current = new TreeSet<>();
            services.put(new Service(fields[0].toLowerCase(java.util.Locale.ROOT), host(fields[1]), port(fields[1]),
                    fields[2], schedulerFlags, timeout), current);
        }
        return services;
    }

    /** {@code 10.0.0.1:80} or {@code [fd00::1]:80}. */
    static InetAddress host(String endpoint) {
        String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
        return InetAddress.ofLiteral(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
    }

    static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }
}
