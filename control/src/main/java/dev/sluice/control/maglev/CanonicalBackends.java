package dev.sluice.control.maglev;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of backend ids reduced to the one form the table is built from: distinct ids, their UTF-8
 * bytes, sorted by those bytes as unsigned values.
 *
 * <p>Maglev's population loop lets backends claim slots in turn, so their order decides ties; it
 * must be a function of the set alone. Unsigned UTF-8 byte order equals code point order, the
 * order a C or Go implementation gets from {@code memcmp} or {@code bytes.Compare}, unlike
 * {@link String#compareTo} (UTF-16 units). Ids that are not valid UTF-16 (a lone surrogate) are
 * refused: Java's lenient encoder would map them to '?' and two different ids could collide.
 */
record CanonicalBackends(List<String> ids, byte[][] utf8) {

    static CanonicalBackends of(Collection<String> backendIds) {
        Set<String> distinct = new HashSet<>(Math.max(16, backendIds.size() * 2));
        for (String id : backendIds) {
            if (id == null) {
                throw new NullPointerException("backendIds contains a null backend id");
            }
            distinct.add(id);
        }
        Encoded[] encoded = new Encoded[distinct.size()];
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int i = 0;
        for (String id : distinct) {
            encoded[i++] = new Encoded(id, strictUtf8(encoder, id));
        }
        Arrays.sort(encoded, (a, b) -> Arrays.compareUnsigned(a.utf8, b.utf8));

        String[] ids = new String[encoded.length];
        byte[][] bytes = new byte[encoded.length][];
        for (i = 0; i < encoded.length; i++) {
            ids[i] = encoded[i].id;
            bytes[i] = encoded[i].utf8;
        }
        return new CanonicalBackends(List.of(ids), bytes);
    }

    int size() {
        return utf8.length;
    }

    private static byte[] strictUtf8(CharsetEncoder encoder, String id) {
        try {
            ByteBuffer buffer = encoder.reset().encode(CharBuffer.wrap(id));
            return Arrays.copyOf(buffer.array(), buffer.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(
                    "backend id is not valid Unicode (unpaired surrogate), cannot be hashed as UTF-8: "
                            + id.codePoints().mapToObj(cp -> String.format("U+%04X", cp)).toList(),
                    e);
        }
    }

    private record Encoded(String id, byte[] utf8) {}
}
