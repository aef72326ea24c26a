package dev.sluice.ffm.sys;

import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.jextract.SluiceNative;
import java.lang.foreign.Arena;

/** Network interfaces of the calling thread's network namespace. */
public final class Interfaces {
    private Interfaces() {
    }

    /** The ifindex of {@code name}; an unknown name is an error naming it. */
    public static int index(String name) {
        try (Arena arena = Arena.ofConfined()) {
            int index = SluiceNative.if_nametoindex(arena.allocateFrom(name));
            if (index == 0) {
                throw new BpfException("no network interface '" + name + "' in this network namespace");
            }
            return index;
        }
    }
}
