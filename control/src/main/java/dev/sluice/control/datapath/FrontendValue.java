package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct frontend_value}: which service a frontend belongs to, and what kind it is. */
public record FrontendValue(int serviceId, int kind) {
    public static final int CLUSTER_IP = 1;
    public static final int NODE_PORT = 2;
    public static final int LOAD_BALANCER = 3;
    public static final int EXTERNAL_IP = 4;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("service_id"), JAVA_BYTE.withName("kind"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("pad")).withName("frontend_value");

    public static final MapCodec<FrontendValue> CODEC = MapCodec.of(LAYOUT, (v, s) -> {
        s.set(JAVA_INT, 0, v.serviceId());
        s.set(JAVA_BYTE, 4, (byte) v.kind());
    }, s -> new FrontendValue(s.get(JAVA_INT, 0), Wire.u8(s, 4)));
}
