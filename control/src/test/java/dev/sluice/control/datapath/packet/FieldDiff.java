package dev.sluice.control.datapath.packet;

import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Field-by-field differences between two frames, e.g.
 * {@code ipv4.dst: expected 10.96.0.10 got 10.244.1.5; tcp.checksum: expected 0x1c46 got 0x9d21}.
 * It walks the parsed records generically, so new fields are compared without touching this class.
 */
public final class FieldDiff {

    /** One differing field; values are rendered for reading, not for parsing. */
    public record Difference(String field, String expected, String actual) {
        @Override
        public String toString() {
            return field + ": expected " + expected + " got " + actual;
        }
    }

    private final List<Difference> differences;

    private FieldDiff(List<Difference> differences) {
        this.differences = List.copyOf(differences);
    }

    public static FieldDiff between(ParsedFrame expected, ParsedFrame actual) {
        List<Difference> out = new ArrayList<>();
        compareFrames("", expected, actual, out);
        if (out.isEmpty() && !expected.layout().raw().equals(actual.layout().raw())) {
            // Bits no record keeps (e.g. reserved fields of an IPv6 fragment header).
            out.add(firstByteDifference(expected.bytes(), actual.bytes()));
        }
        return new FieldDiff(out);
    }

    /** Both inputs are Ethernet frames; either may be malformed. */
    public static FieldDiff between(byte[] expected, byte[] actual) {
        return between(ParsedFrame.tryParse(expected), ParsedFrame.tryParse(actual));
    }

    /** {@code actual} starts where the builder's output does: Ethernet if it has one, else IP. */
    public static FieldDiff between(PacketBuilder expected, byte[] actual) {
        byte[] wanted = expected.build();
        return expected.hasEthernet()
                ? between(wanted, actual)
                : between(ParsedFrame.tryParseIp(wanted), ParsedFrame.tryParseIp(actual));
    }

    public static FieldDiff between(ParseResult expected, ParseResult actual) {
        FieldDiff fields = between(expected.frame(), actual.frame());
        if (Objects.equals(expected.error(), actual.error())) {
            return fields;
        }
        List<Difference> out = new ArrayList<>();
        out.add(new Difference("parse", render(expected.error()), render(actual.error())));
        out.addAll(fields.differences);
        return new FieldDiff(out);
    }

    /** Throws an AssertionError listing the differing fields and both hex dumps. */
    public static void assertSameFrame(PacketBuilder expected, byte[] actual) {
        FieldDiff diff = between(expected, actual);
        if (!diff.isEmpty()) {
            throw new AssertionError(diff.report(expected.build(), actual));
        }
    }

    public static void assertSameFrame(byte[] expected, byte[] actual) {
        FieldDiff diff = between(expected, actual);
        if (!diff.isEmpty()) {
            throw new AssertionError(diff.report(expected, actual));
        }
    }

    public boolean isEmpty() {
        return differences.isEmpty();
    }

    public List<Difference> differences() {
        return differences;
    }

    /** The differences followed by both hex dumps: what an assertion message should carry. */
    public String report(byte[] expected, byte[] actual) {
        return "frames differ: " + this + "\nexpected:\n" + HexDump.of(expected) + "\nactual:\n" + HexDump.of(actual);
    }

    @Override
    public String toString() {
        return differences.isEmpty()
                ? "no differences"
                : differences.stream().map(Difference::toString).collect(Collectors.joining("; "));
    }

    private static void compareFrames(String prefix, ParsedFrame expected, ParsedFrame actual, List<Difference> out) {
        for (RecordComponent component : ParsedFrame.class.getRecordComponents()) {
            String name = component.getName();
            Object e = value(component, expected);
            Object a = value(component, actual);
            if (name.equals("layout")) {
                continue;
            }
            if (name.equals("inner") && e instanceof ParseResult ei && a instanceof ParseResult ai) {
                if (!Objects.equals(ei.error(), ai.error())) {
                    out.add(new Difference(prefix + "inner.parse", render(ei.error()), render(ai.error())));
                }
                compareFrames(prefix + "inner.", ei.frame(), ai.frame(), out);
                continue;
            }
            compare(prefix + name, e, a, out);
        }
    }

    private static void compare(String path, Object expected, Object actual, List<Difference> out) {
        if (Objects.equals(expected, actual)) {
            return;
        }
        if (expected instanceof Record && actual != null && expected.getClass() == actual.getClass()) {
            for (RecordComponent component : expected.getClass().getRecordComponents()) {
                compare(path + "." + component.getName(), value(component, expected), value(component, actual), out);
            }
            return;
        }
        if (expected instanceof List<?> e && actual instanceof List<?> a) {
            for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
                compare(path + "[" + i + "]", i < e.size() ? e.get(i) : null, i < a.size() ? a.get(i) : null, out);
            }
            return;
        }
        out.add(new Difference(path, render(path, expected), render(path, actual)));
    }

    private static Object value(RecordComponent component, Object record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
    }

    private static String render(Object value) {
        return value == null ? "absent" : value.toString();
    }

    /** Checksums and type codes read best in hex, addresses in their usual text form. */
    private static String render(String path, Object value) {
        if (value instanceof Integer i) {
            String field = path.substring(path.lastIndexOf('.') + 1);
            if (field.equals("flags") && path.contains("tcp")) {
                return String.format("0x%02x (%s)", i, TcpFlag.describe(i));
            }
            if (field.equals("checksum") || field.equals("etherType") || field.equals("restOfHeader")
                    || field.equals("tpid")) {
                return String.format("0x%04x", i);
            }
        }
        if (value instanceof ParseResult quoted) {
            return "quoted packet [" + quoted.frame().summary() + "]";
        }
        if (value instanceof InetAddress address) {
            return Addresses.format(address);
        }
        return render(value);
    }

    private static Difference firstByteDifference(byte[] expected, byte[] actual) {
        int i = 0;
        while (i < expected.length && i < actual.length && expected[i] == actual[i]) {
            i++;
        }
        String e = i < expected.length ? String.format("0x%02x", expected[i]) : "end of frame";
        String a = i < actual.length ? String.format("0x%02x", actual[i]) : "end of frame";
        return new Difference("bytes[" + i + "]", e, a);
    }
}
