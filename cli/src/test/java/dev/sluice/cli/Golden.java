package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/golden}. Run with {@code -Dsluice.golden.update=true}
 * to rewrite them from the current output (then review the diff).
 */
final class Golden {
    private static final Path SOURCE_DIRECTORY = Path.of("src/test/resources/golden");

    private Golden() {
    }

    static void assertMatches(String name, String actual) {
        if (Boolean.getBoolean("sluice.golden.update")) {
            try {
                Files.createDirectories(SOURCE_DIRECTORY);
                Files.writeString(SOURCE_DIRECTORY.resolve(name), actual);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden file %s (create it with -Dsluice.golden.update=true)", name).isNotNull();
            String expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(actual).as("output against golden/%s", name).isEqualTo(expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
