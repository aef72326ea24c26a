package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** {@code struct service_name}: the Kubernetes service port a service id stands for. */
public record ServiceName(String namespace, String name, String port, int scope, int family, int protocol) {
    public static final int SCOPE_CLUSTER = 0;
    public static final int SCOPE_LOCAL = 1;
    /** A view for LoadBalancer frontends filtered by loadBalancerSourceRanges (a bit, with LOCAL). */
    public static final int SCOPE_SOURCE_RANGES = 2;
    static final int NAMESPACE_BYTES = 64;
    static final int NAME_BYTES = 64;
    static final int PORT_BYTES = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(NAMESPACE_BYTES, JAVA_BYTE).withName("namespace"),
            MemoryLayout.sequenceLayout(NAME_BYTES, JAVA_BYTE).withName("name"),
            MemoryLayout.sequenceLayout(PORT_BYTES, JAVA_BYTE).withName("port"),
            JAVA_BYTE.withName("scope"), JAVA_BYTE.withName("family"), JAVA_BYTE.withName("protocol"),
            JAVA_BYTE.withName("pad")).withName("service_name");

    public static final MapCodec<ServiceName> CODEC = MapCodec.of(LAYOUT, (n, s) -> {
        writeString(s, 0, NAMESPACE_BYTES, n.namespace());
        writeString(s, NAMESPACE_BYTES, NAME_BYTES, n.name());
        writeString(s, NAMESPACE_BYTES + NAME_BYTES, PORT_BYTES, n.port());
        s.set(JAVA_BYTE, 144, (byte) n.scope());
        s.set(JAVA_BYTE, 145, (byte) n.family());
        s.set(JAVA_BYTE, 146, (byte) n.protocol());
    }, s -> new ServiceName(readString(s, 0, NAMESPACE_BYTES), readString(s, NAMESPACE_BYTES, NAME_BYTES),
            readString(s, NAMESPACE_BYTES + NAME_BYTES, PORT_BYTES), Wire.u8(s, 144), Wire.u8(s, 145), Wire.u8(s, 146)));

    /** Kubernetes names fit (63 characters at most, port names 15); longer ones are cut, never overflow. */
    private static void writeString(MemorySegment segment, long offset, int capacity, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, offset, Math.min(bytes.length, capacity - 1));
    }

    private static String readString(MemorySegment segment, long offset, int capacity) {
        byte[] bytes = segment.asSlice(offset, capacity).toArray(JAVA_BYTE);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(Arrays.copyOf(bytes, end), StandardCharsets.UTF_8);
    }

    /** "namespace/name:port" as kube-proxy prints it, with the view's scope marked. */
    public String display() {
        String base = namespace + "/" + name + (port.isEmpty() ? "" : ":" + port);
        if ((scope & SCOPE_LOCAL) != 0) {
            base += " (local)";
        }
        if ((scope & SCOPE_SOURCE_RANGES) != 0) {
            base += " (source ranges)";
        }
        return base;
    }
}
