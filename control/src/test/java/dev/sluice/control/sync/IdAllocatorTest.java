package dev.sluice.control.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ids and their generations: a key keeps both, an id given to another key comes with a new generation. */
class IdAllocatorTest {
    @Test
    void aKeyKeepsItsIdAndGenerationWhileItHoldsThem() {
        IdAllocator<String> ids = new IdAllocator<>(10);
        int id = ids.idOf("a");
        int generation = ids.generationOf("a");
        int other = ids.idOf("b");

        assertThat(ids.idOf("a")).isEqualTo(id);
        assertThat(ids.generationOf("a")).isEqualTo(generation).isNotZero();
        assertThat(ids.retainOnly(Set.of("a"))).containsExactly(other);
        assertThat(ids.idOf("a")).isEqualTo(id);
        assertThat(ids.generationOf("a")).isEqualTo(generation);
    }

    @Test
    void anIdGivenToAnotherKeyComesWithANewGeneration() {
        IdAllocator<String> ids = new IdAllocator<>(2);
        int first = ids.idOf("a");
        int firstGeneration = ids.generationOf("a");
        ids.idOf("b");
        int secondGeneration = ids.generationOf("b");
        ids.release("a");

        // Only id 1 is free: "c" must take the id "a" held.
        assertThat(ids.idOf("c")).isEqualTo(first);
        assertThat(ids.generationOf("c")).isNotIn(0, firstGeneration, secondGeneration);
    }

    @Test
    void aKeyThatComesBackAfterItsIdWasFreedGetsANewGeneration() {
        IdAllocator<String> ids = new IdAllocator<>(1);
        ids.idOf("a");
        int before = ids.generationOf("a");
        ids.retainOnly(Set.of());

        assertThat(ids.idOf("a")).isEqualTo(1);
        assertThat(ids.generationOf("a")).isNotEqualTo(before);
    }

    @Test
    void adoptedGenerationsAreKeptAndNewOnesContinueAboveTheLargest() {
        IdAllocator<String> ids = new IdAllocator<>(100);
        ids.adopt("a", 5, 40);
        ids.adopt("b", 6, 12);
        ids.adopt("unrecorded", 7, 0);

        assertThat(ids.idOf("a")).isEqualTo(5);
        assertThat(ids.generationOf("a")).isEqualTo(40);
        assertThat(ids.generationOf("b")).isEqualTo(12);
        ids.idOf("c");
        assertThat(ids.generationOf("c")).isEqualTo(41);
        assertThat(ids.generationOf("unrecorded")).as("none recorded: a new one").isEqualTo(42);
        assertThat(ids.generationOf("unrecorded")).isEqualTo(42);
    }

    @Test
    void generationsNamedOnlyByLeftoverStateAreNotHandedOutAgain() {
        IdAllocator<String> ids = new IdAllocator<>(100);
        ids.adopt("a", 1, 40);
        ids.reserveGenerationsThrough(300);
        ids.reserveGenerationsThrough(7);

        ids.idOf("b");
        assertThat(ids.generationOf("b")).isEqualTo(301);
    }

    @Test
    void theCounterSkipsZeroWhenItWraps() {
        IdAllocator<String> ids = new IdAllocator<>(100);
        ids.adopt("a", 1, -1);

        ids.idOf("b");
        assertThat(ids.generationOf("b")).isEqualTo(1);
    }
}
