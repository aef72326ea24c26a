package dev.sluice.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Turns a Java value into the bytes of a map key or value and back. The layout fixes the size, so
 * a codec that disagrees with a map is caught when the typed map is made, before any syscall.
 * Encoding writes into a zeroed segment of exactly {@code layout().byteSize()} bytes, so padding the
 * kernel compares (hash keys) is always zero.
 */
public interface MapCodec<T> {
    MemoryLayout layout();

    void encode(T value, MemorySegment target);

    T decode(MemorySegment source);

    default long byteSize() {
        return layout().byteSize();
    }

    static <T> MapCodec<T> of(MemoryLayout layout, BiConsumer<T, MemorySegment> encoder,
                              Function<MemorySegment, T> decoder) {
        return new MapCodec<>() {
            @Override
            public MemoryLayout layout() {
                return layout;
            }

            @Override
            public void encode(T value, MemorySegment target) {
                encoder.accept(value, target);
            }

            @Override
            public T decode(MemorySegment source) {
                return decoder.apply(source);
            }
        };
    }

    /** A {@code __u32} in host byte order. */
    static MapCodec<Integer> u32() {
        return of(ValueLayout.JAVA_INT, (v, s) -> s.set(ValueLayout.JAVA_INT, 0, v),
                s -> s.get(ValueLayout.JAVA_INT, 0));
    }

    /** A {@code __u64} in host byte order. */
    static MapCodec<Long> u64() {
        return of(ValueLayout.JAVA_LONG, (v, s) -> s.set(ValueLayout.JAVA_LONG, 0, v),
                s -> s.get(ValueLayout.JAVA_LONG, 0));
    }

    /** A {@code __u16} in host byte order, as an int 0..65535. */
    static MapCodec<Integer> u16() {
        return of(ValueLayout.JAVA_SHORT, (v, s) -> s.set(ValueLayout.JAVA_SHORT, 0, v.shortValue()),
                s -> Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT, 0)));
    }

    /** Raw bytes of a fixed size; a value of any other length is refused before the syscall. */
    static MapCodec<byte[]> bytes(int size) {
        MemoryLayout layout = MemoryLayout.sequenceLayout(size, ValueLayout.JAVA_BYTE);
        return of(layout, (v, s) -> {
            if (v.length != size) {
                throw new IllegalArgumentException(
                        "expected " + size + " bytes, got " + v.length);
            }
            MemorySegment.copy(v, 0, s, ValueLayout.JAVA_BYTE, 0, size);
        }, s -> s.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE));
    }
}
