package dev.sluice.ffm;

import static dev.sluice.ffm.NativeSupport.string;

import dev.sluice.ffm.jextract.SluiceNative;
import dev.sluice.ffm.jextract.bpf_object_open_opts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A BPF ELF object through its life: opened (maps can be resized and given pin paths), loaded (maps
 * exist in the kernel, programs verified), closed. A map with a pin path reuses the map already
 * pinned there when it is compatible, which is how a restarted agent adopts its own state.
 */
public final class BpfObject implements AutoCloseable {
    private enum State { OPENED, LOADED, CLOSED }

    private static final MethodHandle OPEN_MEM = NativeSupport.errnoCapturing(
            SluiceNative.bpf_object__open_mem$address(), SluiceNative.bpf_object__open_mem$descriptor());

    private final Arena arena;
    private final MemorySegment object;
    private final String name;
    private volatile State state = State.OPENED;

    private BpfObject(Arena arena, MemorySegment object, String name) {
        this.arena = arena;
        this.object = object;
        this.name = name;
    }

    /** Opens an object from its ELF bytes; {@code name} names it in logs and errors. */
    public static BpfObject open(byte[] elf, String name) {
        LibbpfLog.install();
        Arena arena = Arena.ofShared();
        try {
            // libelf reads the buffer in place, so it lives as long as the object.
            MemorySegment buffer = arena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buffer, ValueLayout.JAVA_BYTE, 0, elf.length);
            MemorySegment opts = bpf_object_open_opts.allocate(arena);
            bpf_object_open_opts.sz(opts, bpf_object_open_opts.layout().byteSize());
            bpf_object_open_opts.object_name(opts, arena.allocateFrom(name));
            MemorySegment callState = NativeSupport.allocateCallState(arena);
            LibbpfLog.Captured<MemorySegment> opened = LibbpfLog.capture(() -> {
                try {
                    return (MemorySegment) OPEN_MEM.invokeExact(callState, buffer, (long) elf.length, opts);
                } catch (Throwable thrown) {
                    throw NativeSupport.propagate(thrown);
                }
            });
            if (opened.value().equals(MemorySegment.NULL)) {
                throw new BpfException("cannot open BPF object '" + name + "'",
                        NativeSupport.errno(callState), opened.log());
            }
            return new BpfObject(arena, opened.value(), name);
        } catch (RuntimeException failure) {
            arena.close();
            throw failure;
        }
    }

    /** Opens an object shipped as a classpath resource, such as {@code dev/sluice/bpf/x.bpf.o}. */
    public static BpfObject openResource(String resource) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = BpfObject.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("BPF object resource '" + resource + "' is not on the classpath");
            }
            String file = resource.substring(resource.lastIndexOf('/') + 1);
            return open(in.readAllBytes(), file.replace(".bpf.o", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BPF object resource " + resource, e);
        }
    }

    public String name() {
        return name;
    }

    public boolean isLoaded() {
        return state == State.LOADED;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    public List<String> mapNames() {
        return walk(SluiceNative::bpf_object__next_map, SluiceNative::bpf_map__name);
    }

    public List<String> programNames() {
        return walk(SluiceNative::bpf_object__next_program, SluiceNative::bpf_program__name);
    }

    /** Pins (or re-adopts) one map at {@code path} when the object loads. */
    public BpfObject pinMap(String mapName, Path path) {
        requireState(State.OPENED, "set a pin path");
        int rc = SluiceNative.bpf_map__set_pin_path(map(mapName), arena.allocateFrom(path.toString()));
        if (rc < 0) {
            throw new BpfException("cannot set pin path of map '" + mapName + "' to " + path, rc);
        }
        return this;
    }

    /** Pins (or re-adopts) every map of the object as {@code directory/<map name>}. */
    public BpfObject pinMapsUnder(Path directory) {
        for (String mapName : mapNames()) {
            if (!mapName.startsWith(".")) {
                pinMap(mapName, directory.resolve(mapName));
            }
        }
        return this;
    }

    /**
     * A map as this object will create it (before load: its C definition with any resizing), in
     * the shape {@link MapHandle#info()} reports, id 0: compare it with a pinned map to know
     * whether the kernel would let this object reuse that pin.
     */
    public MapInfo declared(String mapName) {
        MemorySegment map = map(mapName);
        return new MapInfo(mapName, MapType.of(SluiceNative.bpf_map__type(map)), SluiceNative.bpf_map__key_size(map),
                SluiceNative.bpf_map__value_size(map), SluiceNative.bpf_map__max_entries(map),
                SluiceNative.bpf_map__map_flags(map), 0);
    }

    /** Resizes a map before load (the C definition gives the default). */
    public BpfObject maxEntries(String mapName, int maxEntries) {
        requireState(State.OPENED, "resize a map");
        int rc = SluiceNative.bpf_map__set_max_entries(map(mapName), maxEntries);
        if (rc < 0) {
            throw new BpfException("cannot set max_entries of map '" + mapName + "' to " + maxEntries, rc);
        }
        return this;
    }

    /** Creates the maps, loads and verifies every program; a refusal carries the verifier log. */
    public BpfObject load() {
        requireState(State.OPENED, "load");
        LibbpfLog.Captured<Integer> loaded =
                LibbpfLog.capture(() -> SluiceNative.bpf_object__load(object));
        if (loaded.value() < 0) {
            throw new BpfException("cannot load BPF object '" + name + "'", loaded.value(), loaded.log());
        }
        state = State.LOADED;
        return this;
    }

    /** The map as an untyped handle borrowed from this object. */
    public MapHandle mapHandle(String mapName) {
        requireState(State.LOADED, "use a map");
        MemorySegment map = map(mapName);
        return MapHandle.borrowed(SluiceNative.bpf_map__fd(map), string(SluiceNative.bpf_map__name(map)), this);
    }

    public <K, V> BpfMap<K, V> map(String mapName, MapCodec<K> keyCodec, MapCodec<V> valueCodec) {
        return new BpfMap<>(mapHandle(mapName), keyCodec, valueCodec);
    }

    public <K, V> PerCpuBpfMap<K, V> perCpuMap(String mapName, MapCodec<K> keyCodec, MapCodec<V> valueCodec) {
        return new PerCpuBpfMap<>(mapHandle(mapName), keyCodec, valueCodec);
    }

    public BpfProgram program(String programName) {
        requireState(State.LOADED, "use a program");
        MemorySegment program;
        try (Arena lookup = Arena.ofConfined()) {
            program = SluiceNative.bpf_object__find_program_by_name(object, lookup.allocateFrom(programName));
        }
        if (program.equals(MemorySegment.NULL)) {
            throw new BpfException("BPF object '" + name + "' has no program '" + programName
                    + "' (it has " + programNames() + ")");
        }
        return new BpfProgram(this, programName, SluiceNative.bpf_program__fd(program),
                ProgramType.of(SluiceNative.bpf_program__type(program)),
                string(SluiceNative.bpf_program__section_name(program)));
    }

    @Override
    public void close() {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            SluiceNative.bpf_object__close(object);
            arena.close();
        }
    }

    private MemorySegment map(String mapName) {
        if (state == State.CLOSED) {
            throw new IllegalStateException("BPF object '" + name + "' is closed");
        }
        MemorySegment map;
        try (Arena lookup = Arena.ofConfined()) {
            map = SluiceNative.bpf_object__find_map_by_name(object, lookup.allocateFrom(mapName));
        }
        if (map.equals(MemorySegment.NULL)) {
            throw new BpfException("BPF object '" + name + "' has no map '" + mapName
                    + "' (it has " + mapNames() + ")");
        }
        return map;
    }

    private List<String> walk(BiFunction<MemorySegment, MemorySegment, MemorySegment> next,
                              java.util.function.Function<MemorySegment, MemorySegment> nameOf) {
        if (state == State.CLOSED) {
            throw new IllegalStateException("BPF object '" + name + "' is closed");
        }
        List<String> names = new ArrayList<>();
        for (MemorySegment item = next.apply(object, MemorySegment.NULL);
             !item.equals(MemorySegment.NULL); item = next.apply(object, item)) {
            names.add(string(nameOf.apply(item)));
        }
        return names;
    }

    private void requireState(State required, String action) {
        if (state != required) {
            throw new IllegalStateException("cannot " + action + ": BPF object '" + name + "' is "
                    + state.name().toLowerCase() + ", not " + required.name().toLowerCase());
        }
    }
}
