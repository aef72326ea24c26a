package dev.sluice.control.datapath.packet;

import java.util.function.Consumer;

/**
 * Base of the fluent builders. Every setter returns a changed copy and leaves the receiver alone, so a
 * test can keep a base packet in a field and derive variants from it without the variants leaking
 * into each other. Subclass fields must hold immutable values: the copy is shallow.
 */
abstract class CopyOnWrite<T extends CopyOnWrite<T>> implements Cloneable {

    @SuppressWarnings("unchecked")
    final T with(Consumer<T> change) {
        try {
            T copy = (T) clone();
            change.accept(copy);
            return copy;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}
