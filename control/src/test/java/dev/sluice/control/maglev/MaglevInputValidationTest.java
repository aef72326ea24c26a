package dev.sluice.control.maglev;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaglevInputValidationTest {

    @ParameterizedTest
    @ValueSource(ints = {4, 9, 15, 16384, 65536, 65535, 2147483646})
    void compositeSizeIsRefusedNamingTheValue(int size) {
        assertThatThrownBy(() -> MaglevTable.build(List.of("a"), size, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be prime")
                .hasMessageContaining("got " + size);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 0, -1, -7, Integer.MIN_VALUE})
    void sizeBelowTwoIsRefusedNamingTheValue(int size) {
        assertThatThrownBy(() -> MaglevTable.build(List.of(), size, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Maglev table size must be a prime >= 2, got " + size);
    }

    @Test
    void asManyBackendsAsSlotsIsRefused() {
        assertThatThrownBy(() -> MaglevTable.build(TestBackends.ids(13), 13, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Maglev needs fewer backends than slots, got 13 distinct backends for size 13; use a larger prime size");
        assertThatThrownBy(() -> MaglevTable.build(TestBackends.ids(300), 251, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 300 distinct backends for size 251");
    }

    @Test
    void duplicatesDoNotCountTowardsTheLimit() {
        List<String> twelveDistinct = TestBackends.ids(12);
        List<String> withDuplicates = new java.util.ArrayList<>(twelveDistinct);
        withDuplicates.addAll(twelveDistinct);
        MaglevTable.build(withDuplicates, 13, 0);
    }

    @Test
    void nullCollectionIsRefused() {
        assertThatThrownBy(() -> MaglevTable.build(null, 13, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("backendIds must not be null");
    }

    @Test
    void nullIdIsRefused() {
        assertThatThrownBy(() -> MaglevTable.build(Arrays.asList("a", null, "b"), 13, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("backendIds contains a null backend id");
    }

    @Test
    void idThatIsNotValidUnicodeIsRefused() {
        // A lone surrogate would encode to '?' and collide with a real "?" id.
        assertThatThrownBy(() -> MaglevTable.build(List.of("10.0.0.1:80/TCP\uD800"), 13, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid Unicode")
                .hasMessageContaining("U+D800");
    }
}
