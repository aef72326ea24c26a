package dev.sluice.ffm.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {
    @TempDir
    Path directory;

    @Test
    void aSecondHolderIsRefusedUntilTheFirstLetsGo() {
        Optional<DirectoryLock> first = DirectoryLock.tryLock(directory);
        assertThat(first).isPresent();
        assertThat(DirectoryLock.tryLock(directory)).isEmpty();

        first.get().close();
        try (DirectoryLock again = DirectoryLock.tryLock(directory).orElseThrow()) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void anotherProcessSeesTheSameLock() {
        try (DirectoryLock held = DirectoryLock.tryLock(directory).orElseThrow()) {
            assertThat(Command.execute("flock", "--nonblock", directory.toString(), "true").exitCode()).isEqualTo(1);
        }
        assertThat(Command.execute("flock", "--nonblock", directory.toString(), "true").exitCode()).isZero();
    }
}
