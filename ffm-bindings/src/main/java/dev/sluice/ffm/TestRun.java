package dev.sluice.ffm;

/**
 * Input of a {@code BPF_PROG_RUN}: packet bytes, optional context, how often to repeat, and room
 * for the output packet (XDP programs may grow it).
 */
public record TestRun(byte[] data, byte[] context, int repeat, int dataOutCapacity) {
    private static final int DEFAULT_HEADROOM = 256;

    public TestRun {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, got " + repeat);
        }
        if (dataOutCapacity < 0) {
            throw new IllegalArgumentException("dataOutCapacity must not be negative");
        }
    }

    /** One run of one packet, with room for the packet to grow by {@value #DEFAULT_HEADROOM} bytes. */
    public static TestRun packet(byte[] data) {
        return new TestRun(data.clone(), null, 1, data.length + DEFAULT_HEADROOM);
    }

    public TestRun repeat(int times) {
        return new TestRun(data, context, times, dataOutCapacity);
    }

    public TestRun context(byte[] contextIn) {
        return new TestRun(data, contextIn.clone(), repeat, dataOutCapacity);
    }

    public TestRun dataOutCapacity(int bytes) {
        return new TestRun(data, context, repeat, bytes);
    }
}
