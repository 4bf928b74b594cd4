package dev.batchvault;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One {@link Fixture} (emulator, application, vault, certificate files) per test class. */
abstract class WithFixture {
    @TempDir
    static Path dir;
    static Fixture fixture;

    @BeforeAll
    static void startFixture() {
        fixture = new Fixture(dir);
    }

    @AfterAll
    static void stopFixture() {
        fixture.close();
    }
}
