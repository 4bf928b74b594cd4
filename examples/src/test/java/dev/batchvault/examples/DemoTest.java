package dev.batchvault.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's demo, end to end: the task in its own JVM reads the secret from the emulator. */
class DemoTest {
    @Test
    void theDemoTaskReadsItsSecret() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            exit = Demo.run(out);
        }
        String steps = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(steps).isZero();
        assertThat(steps).contains("[1] Started the Azure emulator")
                .containsPattern("task: read batchAdminPass = \\S{2}\\*+ \\(24 characters\\)")
                .contains("[8] The task read the secret through certificate authentication: 1 token issued, "
                        + "2 vault requests");
    }

    @Test
    void maskingShowsTwoCharactersAtMost() {
        assertThat(BatchTask.mask("abc")).isEqualTo("****");
        assertThat(BatchTask.mask("hunter22")).isEqualTo("hu******");
    }
}
