package dev.iotbridge.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Work directories of test stacks: local/target/test-work/NAME, emptied first, kept for the logs. */
final class TestDirs {
    private TestDirs() {}

    static Path fresh(String name) throws IOException {
        Path dir = Path.of("target", "test-work", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        return Files.createDirectories(dir);
    }
}
